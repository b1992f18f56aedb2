"""Checks of deploy/Dockerfile, .dockerignore, and that the packages it installs exist."""

import os
import re
import shutil
import subprocess

import yaml  # Debian: python3-yaml

from checks_common import DATA_DIR, GRPC_PORT, check_cli_healthcheck, check_server_args, dig


def dockerfile_instructions(text):
    """[(INSTRUCTION, arguments)] with comments dropped and continuation lines joined."""
    instructions, current = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        current += stripped
        keyword, _, args = current.partition(" ")
        instructions.append((keyword.upper(), args.strip()))
        current = ""
    return instructions


def apt_packages(command):
    """Package names given to `apt-get install` / `apt install` in a shell command."""
    packages = []
    for segment in re.split(r"&&|\|\||;|\|", command):
        words = segment.split()
        for i in range(len(words) - 1):
            if words[i] in ("apt-get", "apt") and "install" in words[i + 1:]:
                start = words.index("install", i) + 1
                packages += [w.split("=")[0] for w in words[start:] if not w.startswith("-")]
                break
    return packages


def script_packages(path):
    """The names in a shell script's `packages=( ... )` and `test_packages=( ... )` arrays
    (deploy/install-deps.sh; the Dockerfile runs it with no argument, which installs both)."""
    with open(path, encoding="utf-8") as f:
        bodies = re.findall(r"^(?:test_)?packages=\((.*?)^\)", f.read(), re.S | re.M)
    names = []
    for body in bodies:
        names += "\n".join(l.split("#")[0] for l in body.splitlines()).split()
    return names


def check_dockerfile(root, flags, report):
    path = os.path.join(root, "deploy", "Dockerfile")
    try:
        with open(path, encoding="utf-8") as f:
            instructions = dockerfile_instructions(f.read())
    except OSError as e:
        report.fail(path, f"cannot read: {e}")
        return {}, {}
    stages = []  # [(base image, stage name, [instructions])]
    for keyword, args in instructions:
        if keyword == "FROM":
            words = args.split()
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append((words[0], name, []))
        elif not stages:
            if keyword != "ARG":
                report.fail(path, f"{keyword} before the first FROM")
        else:
            stages[-1][2].append((keyword, args))
    if len(stages) < 2:
        report.fail(path, f"expected a multi-stage build, found {len(stages)} stage(s)")
        return {}, {}
    if stages[0][0] != "debian:bookworm":
        report.fail(path, f"build stage is FROM {stages[0][0]}, expected debian:bookworm")
    if stages[-1][0] != "debian:bookworm-slim":
        report.fail(path, f"runtime stage is FROM {stages[-1][0]}, expected debian:bookworm-slim")
    build_runs = " ".join(a for k, a in stages[0][2] if k == "RUN")
    if "ctest" not in build_runs:
        report.fail(path, "the build stage does not run ctest")

    packages = {}  # package -> where it is installed
    earlier_names = set()
    for index, (_, name, body) in enumerate(stages):
        for keyword, args in body:
            if keyword == "RUN":
                for p in apt_packages(args):
                    packages[p] = "Dockerfile"
                if "install-deps.sh" in args:
                    script = os.path.join(root, "deploy", "install-deps.sh")
                    for p in script_packages(script):
                        packages[p] = "deploy/install-deps.sh (run by the Dockerfile)"
            from_stage = re.search(r"--from=(\S+)", args) if keyword == "COPY" else None
            if from_stage and from_stage.group(1) not in earlier_names:
                report.fail(path, f"COPY --from={from_stage.group(1)} names no earlier stage")
        if name:
            earlier_names.add(name)

    runtime = dict()  # last value of each instruction in the runtime stage
    for keyword, args in stages[-1][2]:
        runtime[keyword] = args
    user = runtime.get("USER", "").split(":")[0]
    if not user or user in ("root", "0"):
        report.fail(path, f"the runtime stage must switch to a non-root USER, got {user!r}")
    elif not user.isdigit():
        report.fail(path, "USER should be numeric, so Kubernetes runAsNonRoot can verify it")
    health = runtime.get("HEALTHCHECK", "")
    if not health or health.upper().startswith("NONE") or " CMD " not in f" {health} ":
        report.fail(path, "the runtime stage needs a HEALTHCHECK ... CMD")
    else:
        command = health.split(" CMD ", 1)[-1].strip() if " CMD " in health else ""
        try:
            health_argv = yaml.safe_load(command) if command.startswith("[") else None
        except yaml.YAMLError:
            health_argv = None
        if isinstance(health_argv, list):
            check_cli_healthcheck(root, health_argv, path, "HEALTHCHECK", report)
    if str(GRPC_PORT) not in runtime.get("EXPOSE", "").split():
        report.fail(path, f"EXPOSE {GRPC_PORT} missing")
    if DATA_DIR not in runtime.get("VOLUME", ""):
        report.fail(path, f"VOLUME {DATA_DIR} missing")
    entrypoint = runtime.get("ENTRYPOINT", "")
    try:
        argv = yaml.safe_load(entrypoint) if entrypoint.startswith("[") else None
    except yaml.YAMLError:
        argv = None
    if not isinstance(argv, list) or not argv or argv[0] != "greengate-server":
        report.fail(path, "ENTRYPOINT must be the exec form [\"greengate-server\", ...]")
        return packages, {"runtime_user": user}
    values = check_server_args(argv[1:], flags, path, "ENTRYPOINT", report)
    if values.get("listen") != f"0.0.0.0:{GRPC_PORT}":
        report.fail(path, f"ENTRYPOINT --listen must be 0.0.0.0:{GRPC_PORT}")
    if not values.get("db", "").startswith(DATA_DIR + "/"):
        report.fail(path, f"ENTRYPOINT --db must be inside {DATA_DIR}")
    return packages, {"runtime_user": user}


def check_packages_exist(packages, report):
    """Every package has a candidate from a Debian bookworm archive (apt-cache policy)."""
    if not packages:
        return
    if shutil.which("apt-cache") is None:
        report.note("apt-cache not found: skipped checking that the Dockerfile's packages "
                    "exist in bookworm")
        return
    names = sorted(packages)
    result = subprocess.run(["apt-cache", "policy", *names], capture_output=True, text=True,
                            check=False)
    blocks = {}
    for block in re.split(r"^(?=\S)", result.stdout, flags=re.M):
        head, _, body = block.partition(":\n")
        if body:
            blocks[head.strip()] = body
    in_bookworm = {n for n, b in blocks.items()
                   if "Candidate: (none)" not in b and re.search(r" bookworm(-\w+)?/", b)}
    if not in_bookworm:
        report.note("apt-cache knows no bookworm archive here (no bookworm sources, or no "
                    "`apt-get update` yet): skipped checking that packages exist")
        return
    for name in names:
        if name not in in_bookworm:
            report.fail(os.path.join(report.root, "deploy", "Dockerfile"),
                        f"package {name!r} ({packages[name]}) is not available in Debian "
                        "bookworm")


def check_consistency(root, docker, k8s, report):
    user = docker.get("runtime_user", "")
    for path, doc in k8s.get("Deployment", []):
        pod = dig(doc, "spec", "template", "spec") or {}
        container = (pod.get("containers") or [{}])[0]
        run_as = dig(container, "securityContext", "runAsUser")
        if run_as is None:
            run_as = dig(pod, "securityContext", "runAsUser")
        if user.isdigit() and run_as is not None and str(run_as) != user:
            report.fail(path, f"runAsUser {run_as} differs from the Dockerfile's USER {user}")
    dockerignore = os.path.join(root, ".dockerignore")
    try:
        with open(dockerignore, encoding="utf-8") as f:
            ignored = {l.strip() for l in f if l.strip() and not l.startswith("#")}
    except OSError:
        report.fail(dockerignore, "missing (the build context would include .git and builds)")
        return
    for pattern in (".git", "build"):
        if pattern not in ignored:
            report.fail(dockerignore, f"does not exclude {pattern}")
