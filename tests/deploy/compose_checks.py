"""Checks of deploy/compose.yaml."""

import os
import re
import shlex

from checks_common import (DATA_DIR, GRPC_PORT, check_cli_healthcheck, check_server_args, dig,
                           parse_duration_s, shutdown_grace_s)

def check_compose(root, docs_by_path, flags, report):
    path = os.path.join(root, "deploy", "compose.yaml")
    docs = docs_by_path.get(path)
    if docs is None:
        report.fail(path, "missing or unreadable")
        return
    if len(docs) != 1 or not isinstance(docs[0], dict):
        report.fail(path, "expected a single mapping document")
        return
    doc = docs[0]
    if "version" in doc:
        report.fail(path, "top-level 'version' is obsolete in the Compose specification")
    service = dig(doc, "services", "greengate")
    if not isinstance(service, dict):
        report.fail(path, "no services.greengate")
        return
    if "image" not in service and "build" not in service:
        report.fail(path, "greengate: needs image or build")
    build = service.get("build")
    if isinstance(build, dict):
        context = os.path.normpath(os.path.join(os.path.dirname(path), build.get("context", ".")))
        dockerfile = os.path.join(context, build.get("dockerfile", "Dockerfile"))
        if not os.path.isfile(dockerfile):
            report.fail(path, f"greengate: build dockerfile "
                              f"{os.path.relpath(dockerfile, report.root)} does not exist")
    command = service.get("command") or []
    if isinstance(command, str):
        command = shlex.split(command)
    values = check_server_args(command, flags, path, "greengate command", report)

    for port in service.get("ports") or []:
        if not re.fullmatch(r"(\[?[\d.:a-fA-F]+\]?:)?(\d+:)?\d+(/(tcp|udp))?", str(port)):
            report.fail(path, f"greengate: port {port!r} is not HOST:CONTAINER")
    if not any(str(p).split("/")[0].endswith(f":{GRPC_PORT}") or str(p) == str(GRPC_PORT)
               for p in service.get("ports") or []):
        report.fail(path, f"greengate: container port {GRPC_PORT} is not published")

    declared = doc.get("volumes") or {}
    data_ok = False
    for volume in service.get("volumes") or []:
        source, _, target = str(volume).partition(":")
        target = target.split(":")[0]
        if not source.startswith((".", "/", "~")) and source not in declared:
            report.fail(path, f"greengate: named volume {source!r} is not declared in volumes")
        if target == DATA_DIR and source in declared:
            data_ok = True
    if not data_ok:
        report.fail(path, f"greengate: {DATA_DIR} must be a declared named volume")

    if service.get("restart") not in ("always", "unless-stopped", "on-failure"):
        report.fail(path, f"greengate: restart {service.get('restart')!r} does not restart a "
                          "crashed server")
    grace = parse_duration_s(service.get("stop_grace_period", "10s"))
    if grace is None or grace <= shutdown_grace_s(values):
        report.fail(path, f"greengate: stop_grace_period must exceed --shutdown_grace_s "
                          f"({shutdown_grace_s(values):g} s)")
    health = service.get("healthcheck")
    if not isinstance(health, dict):
        report.fail(path, "greengate: no healthcheck")
        return
    test = health.get("test")
    if not (isinstance(test, str) or (isinstance(test, list) and test and
                                      test[0] in ("CMD", "CMD-SHELL") and len(test) > 1)):
        report.fail(path, f"greengate: healthcheck.test {test!r} must be a string or "
                          "[CMD|CMD-SHELL, ...]")
    if isinstance(test, list) and test and test[0] == "CMD":
        check_cli_healthcheck(root, test[1:], path, "greengate: healthcheck.test", report)
    for field in ("interval", "timeout", "start_period"):
        if field in health and parse_duration_s(health[field]) is None:
            report.fail(path, f"greengate: healthcheck.{field} {health[field]!r} is not a duration")
