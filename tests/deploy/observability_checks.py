"""Checks of the monitoring files: deploy/prometheus, deploy/alertmanager, and how compose and
Kubernetes wire them to the server's --metrics_listen and --alertmanager_url."""

import os
import re
import shlex

from checks_common import check_server_args, dig

METRICS_PORT = 9464
ALERTMANAGER_PORT = 9093


def exported_metric_names(root, report):
    """Metric family names the server registers (server/metrics/*.cc: .Name("...")); a
    histogram also exports _bucket, _sum and _count."""
    names = set()
    metrics_dir = os.path.join(root, "server", "metrics")
    for name in sorted(os.listdir(metrics_dir)) if os.path.isdir(metrics_dir) else []:
        if name.endswith(".cc"):
            with open(os.path.join(metrics_dir, name), encoding="utf-8") as f:
                names.update(re.findall(r'\.Name\("([a-z_:][a-z0-9_:]*)"\)', f.read()))
    if not names:
        report.fail(metrics_dir, "no metric names found (.Name(\"...\"))")
    return names | {n + s for n in names for s in ("_bucket", "_sum", "_count")}


def check_rules(path, docs, exported, report):
    if not docs or not isinstance(docs[0], dict) or not docs[0].get("groups"):
        report.fail(path, "no rule groups")
        return
    for group in docs[0]["groups"]:
        for rule in group.get("rules") or []:
            name = rule.get("alert") or rule.get("record")
            if not name or not rule.get("expr"):
                report.fail(path, f"rule {name!r}: needs alert (or record) and expr")
                continue
            if "alert" in rule:
                if dig(rule, "labels", "severity") not in ("critical", "warning", "info"):
                    report.fail(path, f"{name}: labels.severity must be critical, warning or info")
                if not dig(rule, "annotations", "summary"):
                    report.fail(path, f"{name}: annotations.summary missing")
            for metric in re.findall(r"\b(greengate_[a-z0-9_]+)", str(rule["expr"])):
                if metric not in exported:
                    report.fail(path, f"{name}: {metric} is not a metric the server exports")


def check_prometheus(root, docs_by_path, exported, report):
    path = os.path.join(root, "deploy", "prometheus", "prometheus.yml")
    docs = docs_by_path.get(path)
    if not docs or not isinstance(docs[0], dict):
        report.fail(path, "missing or not a mapping")
        return
    doc = docs[0]
    for rule_file in doc.get("rule_files") or []:
        rule_path = os.path.join(os.path.dirname(path), rule_file)
        if rule_path not in docs_by_path:
            report.fail(path, f"rule file {rule_file} does not exist")
        else:
            check_rules(rule_path, docs_by_path[rule_path], exported, report)
    if not doc.get("rule_files"):
        report.fail(path, "no rule_files")
    jobs = {j.get("job_name"): j for j in doc.get("scrape_configs") or []}
    targets = [t for sc in (jobs.get("greengate") or {}).get("static_configs") or []
               for t in sc.get("targets") or []]
    if f"greengate:{METRICS_PORT}" not in targets:
        report.fail(path, f"job greengate must scrape greengate:{METRICS_PORT}, has {targets}")
    am_targets = [t for am in dig(doc, "alerting", "alertmanagers") or []
                  for sc in am.get("static_configs") or [] for t in sc.get("targets") or []]
    if f"alertmanager:{ALERTMANAGER_PORT}" not in am_targets:
        report.fail(path, f"alerting must target alertmanager:{ALERTMANAGER_PORT}")


def check_alertmanager(root, docs_by_path, report):
    path = os.path.join(root, "deploy", "alertmanager", "alertmanager.yml")
    docs = docs_by_path.get(path)
    if not docs or not isinstance(docs[0], dict):
        report.fail(path, "missing or not a mapping")
        return
    receivers = {r.get("name") for r in docs[0].get("receivers") or []}
    routes = [docs[0].get("route") or {}] + list(dig(docs[0], "route", "routes") or [])
    for route in routes:
        if route.get("receiver") is not None and route.get("receiver") not in receivers:
            report.fail(path, f"route receiver {route.get('receiver')!r} is not defined")
    if not dig(docs[0], "route", "receiver"):
        report.fail(path, "route.receiver missing")


def metrics_port(values, path, where, report):
    """The port of --metrics_listen, which must listen beyond loopback in a container."""
    listen = values.get("metrics_listen")
    if not listen:
        report.fail(path, f"{where}: --metrics_listen not set (its default is loopback only)")
        return None
    host, _, port = listen.rpartition(":")
    if host in ("127.0.0.1", "localhost", "[::1]") or not port.isdigit():
        report.fail(path, f"{where}: --metrics_listen={listen} is not reachable by Prometheus")
        return None
    return int(port)


def check_compose_monitoring(root, docs_by_path, flags, report):
    path = os.path.join(root, "deploy", "compose.yaml")
    docs = docs_by_path.get(path)
    if not docs or not isinstance(docs[0], dict):
        return  # compose_checks reports it
    services = docs[0].get("services") or {}
    for name in ("prometheus", "alertmanager"):
        service = services.get(name)
        if not isinstance(service, dict):
            report.fail(path, f"no services.{name}")
            continue
        for volume in service.get("volumes") or []:
            source = str(volume).split(":")[0]
            if source.startswith(".") and not os.path.exists(
                    os.path.join(os.path.dirname(path), source)):
                report.fail(path, f"{name}: mounted {source} does not exist")
    command = dig(docs[0], "services", "greengate", "command") or []
    if isinstance(command, str):
        command = shlex.split(command)
    values = check_server_args(command, flags, path, "greengate command", report)
    port = metrics_port(values, path, "greengate command", report)
    if port is not None and port != METRICS_PORT:
        report.fail(path, f"--metrics_listen port {port}; prometheus.yml scrapes {METRICS_PORT}")
    if values.get("alertmanager_url") != f"http://alertmanager:{ALERTMANAGER_PORT}":
        report.fail(path, f"greengate: --alertmanager_url must be "
                          f"http://alertmanager:{ALERTMANAGER_PORT} (the alertmanager service)")


def check_k8s_monitoring(k8s, flags, report):
    for path, doc in k8s.get("Deployment", []):
        template = dig(doc, "spec", "template") or {}
        container = (dig(template, "spec", "containers") or [{}])[0]
        values = check_server_args(container.get("args") or [], flags, path, "container args",
                                   report)
        port = metrics_port(values, path, "container args", report)
        ports = {p.get("name"): p.get("containerPort") for p in container.get("ports") or []}
        if port is not None and ports.get("metrics") != port:
            report.fail(path, f"containerPort 'metrics' must be {port} (--metrics_listen)")
        annotations = dig(template, "metadata", "annotations") or {}
        if annotations.get("prometheus.io/scrape") != "true":
            report.fail(path, "pod annotation prometheus.io/scrape must be \"true\"")
        if port is not None and annotations.get("prometheus.io/port") != str(port):
            report.fail(path, f"pod annotation prometheus.io/port must be \"{port}\"")
    for path, doc in k8s.get("Service", []):
        names = [p.get("targetPort") for p in dig(doc, "spec", "ports") or []]
        if "metrics" not in names:
            report.fail(path, "Service has no port targeting 'metrics'")


def check_monitoring(root, docs_by_path, flags, k8s, report):
    exported = exported_metric_names(root, report)
    check_prometheus(root, docs_by_path, exported, report)
    check_alertmanager(root, docs_by_path, report)
    check_compose_monitoring(root, docs_by_path, flags, report)
    check_k8s_monitoring(k8s or {}, flags, report)
