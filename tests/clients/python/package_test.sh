#!/usr/bin/env bash
# The greengate Python package (client/python) as a user installs it: a venv over Debian's
# Python packages (--system-site-packages: python3-grpcio, -protobuf, -numpy, -pandas, -dask,
# -distributed, -pytest), `pip install --no-build-isolation --no-index` of the package (its
# extension built in BUILD_DIR by setup.py), then its pytest suite against live servers.
# Usage: package_test.sh SOURCE_DIR BUILD_DIR   (ctest sets GG_SERVER_BIN and GG_CLI_BIN)
set -euo pipefail
source_dir=$(cd "$1" && pwd)
build_dir=$(cd "$2" && pwd)
work=$build_dir/clients/python-package
venv=$work/venv
rm -rf "$work"
mkdir -p "$work"
/usr/bin/python3 -m venv --system-site-packages "$venv"
GREENGATE_BUILD_DIR=$build_dir "$venv/bin/pip" install --quiet --no-build-isolation --no-index \
  --no-cache-dir "$source_dir/client/python"
# From the work dir, so `import greengate` is the installed package, not the source folder.
cd "$work"
GG_SOURCE_DIR=$source_dir PYTHONDONTWRITEBYTECODE=1 \
  "$venv/bin/python" -m pytest -q -p no:cacheprovider "$source_dir/client/python/tests"
