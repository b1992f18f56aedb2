#!/usr/bin/python3
"""Static checks of the deployment files under deploy/.

Usage: /usr/bin/python3 tests/deploy/check_deploy.py [REPO_ROOT]

No Docker engine or Kubernetes cluster is needed: the files are parsed and checked for the
fields their consumers require, and against each other and the server's real flags (a flag
the server does not define would stop it at start). Two checks need host tools and are
skipped with a note when they are missing: that every package the Dockerfile installs exists
in Debian bookworm (apt-cache), and the systemd unit (systemd-analyze).

Exits 1 listing every problem found, 0 otherwise.
"""

import importlib.util
import os
import sys

sys.dont_write_bytecode = True  # run from the source tree: leave no __pycache__ behind

# pylint: disable=wrong-import-position
if importlib.util.find_spec("yaml") is None:  # every module below needs it
    sys.exit("deploy checks: python3-yaml is missing (apt-get install python3-yaml)")

from checks_common import Report, load_yaml_files, server_flags
from compose_checks import check_compose
from docker_checks import check_consistency, check_dockerfile, check_packages_exist
from k8s_checks import check_k8s
from observability_checks import check_monitoring
from systemd_checks import check_systemd


def main(argv):
    root = os.path.abspath(argv[1] if len(argv) > 1 else
                           os.path.join(os.path.dirname(__file__), "..", ".."))
    report = Report(root)
    flags = server_flags(root, report)
    docs_by_path = load_yaml_files(root, report)
    k8s = check_k8s(root, docs_by_path, flags, report)
    check_compose(root, docs_by_path, flags, report)
    check_monitoring(root, docs_by_path, flags, k8s, report)
    packages, docker = check_dockerfile(root, flags, report)
    check_packages_exist(packages, report)
    check_systemd(root, flags, report)
    check_consistency(root, docker, k8s, report)
    if report.problems:
        print(f"deploy checks: {len(report.problems)} problem(s)")
        for problem in report.problems:
            print(f"  FAIL {problem}")
        return 1
    print(f"deploy checks: all passed ({len(docs_by_path)} YAML files, the Dockerfile, "
          "the systemd unit)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
