"""The shipped stubs are what Debian's protoc makes of proto/greengate/v1/greengate.proto
today: a proto change without regenerated stubs fails here (docs/python.md has the command)."""

import os
import pathlib
import subprocess

import pytest

import greengate.v1

SOURCE_DIR = os.environ["GG_SOURCE_DIR"]
FILES = ["greengate_pb2.py", "greengate_pb2.pyi", "greengate_pb2_grpc.py"]


def test_shipped_stubs_match_the_proto(tmp_path):
    subprocess.run(
        ["protoc", f"-I{SOURCE_DIR}/proto", f"--python_out={tmp_path}", f"--pyi_out={tmp_path}",
         f"--grpc_python_out={tmp_path}",
         "--plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin",
         "greengate/v1/greengate.proto"], check=True)
    shipped = pathlib.Path(greengate.v1.__file__).parent
    for name in FILES:
        fresh = (tmp_path / "greengate" / "v1" / name).read_bytes()
        if (shipped / name).read_bytes() != fresh:
            pytest.fail(f"client/python/greengate/v1/{name} is stale: regenerate the stubs "
                        "(docs/python.md, 'Installing')")
