"""Checks of deploy/k8s: the fields Kubernetes requires, and what SQLite needs of the pod."""

import os

from checks_common import (API_SERVICE, DATA_DIR, DNS1035_LABEL, DNS1123_LABEL,
                           DNS1123_SUBDOMAIN, GRPC_PORT, IANA_SVC_NAME, check_server_args, dig,
                           parse_quantity, shutdown_grace_s)

EXPECTED_API_VERSION = {"Deployment": "apps/v1", "Service": "v1",
                        "PersistentVolumeClaim": "v1"}


def check_k8s(root, docs_by_path, flags, report):
    k8s_dir = os.path.join(root, "deploy", "k8s")
    if not os.path.isdir(k8s_dir):
        report.fail(k8s_dir, "missing")
        return {}
    objects = []  # (path, doc)
    kustomizations = []
    for path, docs in docs_by_path.items():
        if not path.startswith(k8s_dir + os.sep):
            continue
        for doc in docs:
            if not isinstance(doc, dict):
                report.fail(path, "a document is not a mapping")
            elif doc.get("kind") == "Kustomization":
                kustomizations.append((path, doc))
            else:
                objects.append((path, doc))

    by_kind = {}
    for path, doc in objects:
        kind, api_version = doc.get("kind"), doc.get("apiVersion")
        name = dig(doc, "metadata", "name")
        if not isinstance(kind, str) or not kind:
            report.fail(path, "an object has no kind")
            continue
        if not isinstance(api_version, str) or not api_version:
            report.fail(path, f"{kind}: no apiVersion")
        elif kind in EXPECTED_API_VERSION and api_version != EXPECTED_API_VERSION[kind]:
            report.fail(path, f"{kind}: apiVersion {api_version}, expected "
                              f"{EXPECTED_API_VERSION[kind]}")
        if not isinstance(name, str) or len(name) > 253 or not DNS1123_SUBDOMAIN.match(name):
            report.fail(path, f"{kind}: metadata.name {name!r} is not a DNS-1123 name")
        if dig(doc, "metadata", "namespace") is not None:
            report.fail(path, f"{kind} {name}: sets metadata.namespace; the manifests must stay "
                              "namespace-agnostic")
        by_kind.setdefault(kind, []).append((path, doc))

    for kind in ("Deployment", "Service", "PersistentVolumeClaim"):
        if len(by_kind.get(kind, [])) != 1:
            report.fail(k8s_dir, f"expected exactly one {kind}, found {len(by_kind.get(kind, []))}")
    pvc_names = {dig(d, "metadata", "name") for _, d in by_kind.get("PersistentVolumeClaim", [])}
    for path, doc in by_kind.get("PersistentVolumeClaim", []):
        check_pvc(path, doc, report)
    pod_labels, ports = {}, {}
    for path, doc in by_kind.get("Deployment", []):
        pod_labels, ports = check_deployment(path, doc, pvc_names, flags, report)
    for path, doc in by_kind.get("Service", []):
        check_service(path, doc, pod_labels, ports, report)

    if len(kustomizations) != 1:
        report.fail(k8s_dir, f"expected one kustomization.yaml, found {len(kustomizations)}")
    for path, doc in kustomizations:
        check_kustomization(path, doc, k8s_dir, by_kind, report)
    return by_kind


def check_pvc(path, doc, report):
    spec = doc.get("spec") or {}
    if spec.get("accessModes") != ["ReadWriteOnce"]:
        report.fail(path, f"PVC accessModes {spec.get('accessModes')!r}, expected "
                          "[ReadWriteOnce] (one node writes the SQLite file)")
    storage = dig(spec, "resources", "requests", "storage")
    if not parse_quantity(storage):
        report.fail(path, f"PVC resources.requests.storage {storage!r} is not a positive quantity")


def check_probe(path, name, probe, service, container_ports, report):
    if not isinstance(probe, dict):
        report.fail(path, f"{name}: missing")
        return
    handlers = [h for h in ("grpc", "httpGet", "tcpSocket", "exec") if h in probe]
    if handlers != ["grpc"]:
        report.fail(path, f"{name}: expected exactly one handler, grpc; found {handlers}")
        return
    port = dig(probe, "grpc", "port")
    # Kubernetes rejects named ports in gRPC probes: they must be numbers.
    if not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535:
        report.fail(path, f"{name}: grpc.port {port!r} must be a number in 1..65535")
    elif port not in container_ports:
        report.fail(path, f"{name}: grpc.port {port} is not a containerPort")
    got = dig(probe, "grpc", "service") or ""
    if got != service:
        report.fail(path, f"{name}: grpc.service {got!r}, expected {service!r}")
    for field in ("periodSeconds", "timeoutSeconds", "failureThreshold", "initialDelaySeconds"):
        if field in probe and (not isinstance(probe[field], int) or probe[field] < 0):
            report.fail(path, f"{name}: {field} must be a non-negative integer")


def check_deployment(path, doc, pvc_names, flags, report):
    spec = doc.get("spec") or {}
    if spec.get("replicas") != 1:
        report.fail(path, f"Deployment replicas {spec.get('replicas')!r}, expected 1 "
                          "(SQLite: one writer)")
    if dig(spec, "strategy", "type") != "Recreate":
        report.fail(path, "Deployment strategy.type must be Recreate (never two pods on one "
                          "database)")
    selector = dig(spec, "selector", "matchLabels")
    labels = dig(spec, "template", "metadata", "labels") or {}
    if not isinstance(selector, dict) or not selector:
        report.fail(path, "Deployment spec.selector.matchLabels is missing or empty")
    elif any(labels.get(k) != v for k, v in selector.items()):
        report.fail(path, f"Deployment selector {selector} does not match template labels {labels}")
    pod = dig(spec, "template", "spec") or {}
    containers = pod.get("containers") or []
    if len(containers) != 1:
        report.fail(path, f"expected one container, found {len(containers)}")
        return labels, {}
    container = containers[0]
    cname = container.get("name")
    if not isinstance(cname, str) or not DNS1123_LABEL.match(cname):
        report.fail(path, f"container name {cname!r} is not a DNS-1123 label")
    if not container.get("image"):
        report.fail(path, "container has no image")
    if "command" in container:
        report.fail(path, "container overrides command; pass flags in args (the image's "
                          "ENTRYPOINT is the server)")
    values = check_server_args(container.get("args") or [], flags, path, "container args", report)

    ports = {}  # containerPort -> name
    for p in container.get("ports") or []:
        number, pname = p.get("containerPort"), p.get("name")
        if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= 65535:
            report.fail(path, f"containerPort {number!r} must be a number in 1..65535")
            continue
        if pname is not None and (len(pname) > 15 or not IANA_SVC_NAME.match(pname)):
            report.fail(path, f"port name {pname!r} is not a valid IANA service name")
        if p.get("protocol", "TCP") not in ("TCP", "UDP", "SCTP"):
            report.fail(path, f"port protocol {p.get('protocol')!r}")
        ports[number] = pname
    if GRPC_PORT not in ports:
        report.fail(path, f"no containerPort {GRPC_PORT}")

    check_probe(path, "readinessProbe", container.get("readinessProbe"), API_SERVICE, ports, report)
    check_probe(path, "livenessProbe", container.get("livenessProbe"), "", ports, report)
    check_probe(path, "startupProbe", container.get("startupProbe"), "", ports, report)

    for bound in ("requests", "limits"):
        for resource in ("cpu", "memory"):
            value = dig(container, "resources", bound, resource)
            if parse_quantity(value) is None:
                report.fail(path, f"resources.{bound}.{resource} {value!r} is not a quantity")
    for resource in ("cpu", "memory"):
        request = parse_quantity(dig(container, "resources", "requests", resource))
        limit = parse_quantity(dig(container, "resources", "limits", resource))
        if request is not None and limit is not None and request > limit:
            report.fail(path, f"resources: {resource} request exceeds its limit")

    pod_sc, sc = pod.get("securityContext") or {}, container.get("securityContext") or {}
    if not (sc.get("runAsNonRoot") or pod_sc.get("runAsNonRoot")):
        report.fail(path, "runAsNonRoot must be true")
    if (sc.get("runAsUser", pod_sc.get("runAsUser")) or 0) == 0:
        report.fail(path, "runAsUser must be a non-zero uid")
    if sc.get("readOnlyRootFilesystem") is not True:
        report.fail(path, "container securityContext.readOnlyRootFilesystem must be true")
    if sc.get("allowPrivilegeEscalation") is not False:
        report.fail(path, "container securityContext.allowPrivilegeEscalation must be false")
    if "ALL" not in (dig(sc, "capabilities", "drop") or []):
        report.fail(path, "container securityContext.capabilities.drop must contain ALL")

    grace = pod.get("terminationGracePeriodSeconds")
    if not isinstance(grace, int) or grace <= shutdown_grace_s(values):
        report.fail(path, f"terminationGracePeriodSeconds {grace!r} must exceed "
                          f"--shutdown_grace_s ({shutdown_grace_s(values):g})")

    volumes = {v.get("name"): v for v in pod.get("volumes") or []}
    data_mount = None
    for mount in container.get("volumeMounts") or []:
        if mount.get("name") not in volumes:
            report.fail(path, f"volumeMount {mount.get('name')!r} has no volume")
        if mount.get("mountPath") == DATA_DIR:
            data_mount = mount
    check_token_mount(path, values, container, volumes, report)
    if data_mount is None:
        report.fail(path, f"nothing is mounted at {DATA_DIR}")
    else:
        claim = dig(volumes.get(data_mount.get("name")), "persistentVolumeClaim", "claimName")
        if claim not in pvc_names:
            report.fail(path, f"{DATA_DIR} must come from the manifests' PVC, got claim {claim!r}")
    return labels, ports


def check_token_mount(path, values, container, volumes, report):
    """--token_file is read from a read-only Secret volume that others may not read."""
    token_file = values.get("token_file")
    if not token_file:
        report.fail(path, "container args: no --token_file (the API would be open to the "
                          "whole cluster)")
        return
    mounts = [m for m in container.get("volumeMounts") or []
              if token_file.startswith(str(m.get("mountPath", "")).rstrip("/") + "/")]
    if len(mounts) != 1:
        report.fail(path, f"--token_file={token_file} is not under exactly one volumeMount")
        return
    mount = mounts[0]
    if mount.get("readOnly") is not True:
        report.fail(path, f"volumeMount {mount.get('name')!r} of the token file must be "
                          "readOnly")
    secret = dig(volumes.get(mount.get("name")), "secret")
    if not isinstance(secret, dict):
        report.fail(path, f"the token file's volume {mount.get('name')!r} must be a Secret")
        return
    mode = secret.get("defaultMode", 0o644)
    if not isinstance(mode, int) or mode & 0o007:
        report.fail(path, f"Secret volume defaultMode {oct(mode) if isinstance(mode, int) else mode!r}: others may read the tokens "
                          "(the server refuses such a file); use 0440 or 0400")
    key = token_file[len(str(mount["mountPath"]).rstrip("/")) + 1:]
    TOKEN_SECRETS.append((path, secret.get("secretName"), key))


# (deployment path, secretName, key) of the token file, checked against the kustomization.
TOKEN_SECRETS = []


def check_token_secret(path, doc, k8s_dir, report):
    """The Secret of --token_file comes from a secretGenerator file kept out of git."""
    generated = {}
    for generator in doc.get("secretGenerator") or []:
        for entry in generator.get("files") or []:
            key, _, source = str(entry).partition("=")
            generated.setdefault(generator.get("name"), {})[key] = source or key
    for deployment, name, key in TOKEN_SECRETS:
        if name not in generated:
            report.fail(path, f"no secretGenerator named {name!r} (the token file's Secret in "
                              f"{os.path.relpath(deployment, k8s_dir)})")
            continue
        if key not in generated[name]:
            report.fail(path, f"secretGenerator {name!r} has no file key {key!r} "
                              "(the --token_file name)")
            continue
        source = generated[name][key]
        ignore = os.path.join(k8s_dir, ".gitignore")
        try:
            with open(ignore, encoding="utf-8") as f:
                ignored = {line.strip().lstrip("/") for line in f}
        except OSError:
            ignored = set()
        if source not in ignored:
            report.fail(path, f"the token file {source!r} is not in deploy/k8s/.gitignore: "
                              "tokens must never be committed")
        if not os.path.isfile(os.path.join(k8s_dir, source + ".example")):
            report.fail(path, f"no {source}.example showing the token file's format")
    TOKEN_SECRETS.clear()


def check_service(path, doc, pod_labels, container_ports, report):
    name = dig(doc, "metadata", "name")
    if not isinstance(name, str) or len(name) > 63 or not DNS1035_LABEL.match(name):
        report.fail(path, f"Service name {name!r} is not a DNS-1035 label")
    spec = doc.get("spec") or {}
    if spec.get("type", "ClusterIP") != "ClusterIP":
        report.fail(path, f"Service type {spec.get('type')!r}, expected ClusterIP")
    selector = spec.get("selector") or {}
    if not selector or any(pod_labels.get(k) != v for k, v in selector.items()):
        report.fail(path, f"Service selector {selector} does not select the Deployment's pods")
    ports = spec.get("ports") or []
    for p in ports:
        number = p.get("port")
        if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= 65535:
            report.fail(path, f"Service port {number!r} must be a number in 1..65535")
        if len(ports) > 1 and not p.get("name"):
            report.fail(path, "a Service with several ports must name each of them")
    grpc = [p for p in ports if p.get("name") == "grpc"]
    if len(grpc) != 1:
        report.fail(path, "Service needs exactly one port named grpc")
        return
    port, target = grpc[0].get("port"), grpc[0].get("targetPort", grpc[0].get("port"))
    if port != GRPC_PORT:
        report.fail(path, f"Service port grpc is {port!r}, expected {GRPC_PORT}")
    if isinstance(target, int):
        if target not in container_ports:
            report.fail(path, f"Service targetPort {target} is not a containerPort")
    elif target not in container_ports.values():
        report.fail(path, f"Service targetPort {target!r} names no container port")


def check_kustomization(path, doc, k8s_dir, by_kind, report):
    if doc.get("apiVersion") != "kustomize.config.k8s.io/v1beta1":
        report.fail(path, f"apiVersion {doc.get('apiVersion')!r}")
    if "namespace" in doc:
        report.fail(path, "sets namespace; choose it at apply time")
    listed = doc.get("resources") or []
    for resource in listed:
        if not os.path.isfile(os.path.join(k8s_dir, resource)):
            report.fail(path, f"resource {resource} does not exist")
    files = {os.path.relpath(p, k8s_dir) for docs in by_kind.values() for p, _ in docs}
    for missing in sorted(files - set(listed)):
        report.fail(path, f"{missing} is not listed in resources")
    images = {c.get("image", "").split(":")[0]
              for _, d in by_kind.get("Deployment", [])
              for c in dig(d, "spec", "template", "spec", "containers") or []}
    check_token_secret(path, doc, k8s_dir, report)
    for image in doc.get("images") or []:
        if image.get("name") not in images:
            report.fail(path, f"images entry {image.get('name')!r} matches no container image")
