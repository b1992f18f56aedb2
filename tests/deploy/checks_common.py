"""What the deployment checks share: expected values, the problem report, small parsers."""

import glob
import os
import re

import yaml  # Debian: python3-yaml


DATA_DIR = "/var/lib/greengate"
GRPC_PORT = 50051
API_SERVICE = "greengate.v1.RetrainGatekeeper"
DEFAULT_SHUTDOWN_GRACE_S = 10.0  # greengate-server's --shutdown_grace_s default
# Flags Abseil's flag library defines in every binary.
ABSL_BUILTIN_FLAGS = {"flagfile", "fromenv", "tryfromenv", "undefok", "help", "helpfull",
                      "helpshort", "helppackage", "helpon", "helpmatch", "version",
                      "only_check_args"}

DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS1123_SUBDOMAIN = re.compile(
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
IANA_SVC_NAME = re.compile(r"^(?=.*[a-z])[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


class Report:
    """Collects problems so one run shows all of them."""

    def __init__(self, root):
        self.root = root
        self.problems = []

    def fail(self, path, message):
        self.problems.append(f"{os.path.relpath(path, self.root)}: {message}")

    def note(self, message):
        print(f"note: {message}")


def parse_duration_s(text):
    """'30', '30s', '1m30s', '2min', '500ms' -> seconds; None if not a duration."""
    text = str(text).strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    units = {"us": 1e-6, "ms": 1e-3, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600}
    parts = re.findall(r"(\d+(?:\.\d+)?)\s*(us|ms|sec|min|s|m|h)", text)
    if not parts or "".join(n + u for n, u in parts) != text.replace(" ", ""):
        return None
    return sum(float(n) * units[u] for n, u in parts)


def parse_quantity(value):
    """A Kubernetes resource quantity ('100m', '1', '512Mi', '1G') -> float; None if invalid."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?", str(value))
    if not match:
        return None
    factor = {None: 1, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15,
              "E": 1e18, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50,
              "Ei": 2**60}[match.group(2)]
    return float(match.group(1)) * factor


def server_flags(root, report):
    """Names of the flags greengate-server accepts, read from its ABSL_FLAG definitions."""
    main_cc = os.path.join(root, "server", "main.cc")
    try:
        with open(main_cc, encoding="utf-8") as f:
            names = set(re.findall(r"ABSL_FLAG\(\s*[\w:<>]+\s*,\s*(\w+)\s*,", f.read()))
    except OSError as e:
        report.fail(main_cc, f"cannot read the server's flags: {e}")
        return None
    if not names:
        report.fail(main_cc, "no ABSL_FLAG definitions found")
        return None
    return names | ABSL_BUILTIN_FLAGS


def check_server_args(args, flags, path, where, report):
    """Every --flag in args is one greengate-server defines; returns {name: value}."""
    values = {}
    for arg in args:
        if not str(arg).startswith("--"):
            report.fail(path, f"{where}: unexpected argument {arg!r} (the server takes only flags)")
            continue
        name, _, value = str(arg)[2:].partition("=")
        if flags is not None and name not in flags:
            report.fail(path, f"{where}: greengate-server has no flag --{name}")
        values[name] = value
    return values


def shutdown_grace_s(values):
    return float(values.get("shutdown_grace_s", DEFAULT_SHUTDOWN_GRACE_S))


def load_yaml_files(root, report):
    """Every *.yaml / *.yml under deploy/ -> {path: [documents]} (empty documents dropped)."""
    loaded = {}
    paths = sorted(glob.glob(os.path.join(root, "deploy", "**", "*.yaml"), recursive=True) +
                   glob.glob(os.path.join(root, "deploy", "**", "*.yml"), recursive=True))
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                loaded[path] = [d for d in yaml.safe_load_all(f) if d is not None]
        except (OSError, yaml.YAMLError) as e:
            report.fail(path, f"not valid YAML: {e}")
    return loaded


def dig(obj, *keys):
    """obj[k1][k2]... or None when a level is missing or not a mapping."""
    for key in keys:
        if not isinstance(obj, dict) or key not in obj:
            return None
        obj = obj[key]
    return obj


def cli_commands(root):
    """Top-level `greengate` commands, as client/*.cc registers them (add_subcommand("NAME")
    on the app)."""
    names = set()
    for path in glob.glob(os.path.join(root, "client", "*.cc")):
        with open(path, encoding="utf-8") as f:
            names.update(re.findall(r'app->add_subcommand\(\s*"([a-z-]+)"', f.read()))
    return names


def check_cli_healthcheck(root, argv, path, where, report):
    """A health check that runs the CLI must be `greengate ... health` against the local gRPC
    port, and the CLI must have that command."""
    if not argv or os.path.basename(argv[0]) != "greengate":
        return
    if "health" not in argv:
        report.fail(path, f"{where}: runs greengate without its health command: {argv}")
    elif "health" not in cli_commands(root):
        report.fail(path, f"{where}: the CLI has no health command (client/*.cc)")
    servers = [a.split("=", 1)[1] for a in argv if a.startswith("--server=")]
    if servers != [f"127.0.0.1:{GRPC_PORT}"]:
        report.fail(path, f"{where}: greengate health needs --server=127.0.0.1:{GRPC_PORT} "
                          f"(GREENGATE_SERVER may point elsewhere), got {servers}")
