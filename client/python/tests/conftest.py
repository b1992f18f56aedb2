"""A live greengate-server for the package's tests, and the CLI to compare profiles with.

GG_SERVER_BIN and GG_CLI_BIN name the built binaries (ctest sets them; see
tests/clients/python/package_test.sh). The server listens on 127.0.0.1 with a port picked
here, so a test can stop it and start it again on the same address and database.
"""

import os
import signal
import socket
import subprocess
import time

import pytest
from google.protobuf import json_format

from greengate.v1 import greengate_pb2 as pb


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """greengate-server on 127.0.0.1:PORT with a database in `directory`."""

    def __init__(self, directory):
        self.binary = os.environ["GG_SERVER_BIN"]
        self.cli = os.environ["GG_CLI_BIN"]
        self.dir = str(directory)
        self.port = _free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.process = None

    def start(self):
        port_file = os.path.join(self.dir, "port")
        if os.path.exists(port_file):
            os.remove(port_file)
        log = open(os.path.join(self.dir, "server.log"), "ab")
        self.process = subprocess.Popen(
            [self.binary, f"--listen={self.address}", f"--db={self.dir}/greengate.db",
             f"--port_file={port_file}", "--metrics_listen="],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + 30
        while not os.path.exists(port_file):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("greengate-server did not start: " + self.log())
            time.sleep(0.05)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)
        self.process = None

    def log(self):
        with open(os.path.join(self.dir, "server.log"), encoding="utf-8", errors="replace") as f:
            return f.read()

    def cli_profile(self, *args) -> pb.DataProfile:
        """`greengate profile ARGS` against this server, parsed."""
        out = os.path.join(self.dir, f"cli-profile-{time.monotonic_ns()}.json")
        result = subprocess.run([self.cli, "--server", self.address, "profile", *args, "--out", out],
                                capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stderr
        with open(out, encoding="utf-8") as f:
            return json_format.Parse(f.read(), pb.DataProfile())


@pytest.fixture
def server(tmp_path):
    s = Server(tmp_path)
    s.start()
    yield s
    s.stop()
