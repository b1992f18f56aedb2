"""A live greengate-server for the client and recipe tests.

Starts the built binary on 127.0.0.1 with a free port (--listen=127.0.0.1:0, --port_file) and
a database in a fresh temp dir, without /metrics (--metrics_listen=), and stops it with
SIGTERM. Used as a context manager:

    with LiveServer(build_dir) as server:
        subprocess.run([server.cli, "--server", server.address, "health"], check=True)
"""

import os
import shutil
import signal
import subprocess
import tempfile
import time


class LiveServer:
    """One greengate-server process; `address` is "127.0.0.1:PORT" once entered."""

    def __init__(self, build_dir, name="clients"):
        self.build_dir = os.path.abspath(build_dir)
        # ctest passes the targets' files; the build tree's layout otherwise.
        self.server_bin = os.environ.get(
            "GG_SERVER_BIN", os.path.join(self.build_dir, "server", "greengate-server"))
        self.cli = os.environ.get("GG_CLI_BIN", os.path.join(self.build_dir, "client", "greengate"))
        self.name = name
        self.dir = None
        self.address = None
        self._process = None
        self._log = None

    def __enter__(self):
        for binary in (self.server_bin, self.cli):
            if not os.access(binary, os.X_OK):
                raise RuntimeError(f"{binary} is not built")
        self.dir = tempfile.mkdtemp(prefix=f"greengate-{self.name}-")
        port_file = os.path.join(self.dir, "port")
        self._log = open(os.path.join(self.dir, "server.log"), "wb")
        self._process = subprocess.Popen(
            [self.server_bin, "--listen=127.0.0.1:0", f"--db={self.dir}/greengate.db",
             f"--port_file={port_file}", "--metrics_listen="],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while not os.path.exists(port_file):
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.__exit__(None, None, None)
                raise RuntimeError("greengate-server did not start: " + self.log())
            time.sleep(0.05)
        with open(port_file, encoding="ascii") as f:
            self.address = f"127.0.0.1:{int(f.read())}"
        return self

    def log(self):
        path = os.path.join(self.dir, "server.log")
        if not os.path.exists(path):
            return ""
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def env(self):
        """The environment for a CLI child: GREENGATE_SERVER points here."""
        env = dict(os.environ)
        env["GREENGATE_SERVER"] = self.address
        return env

    def run_cli(self, *args, check=True):
        """Runs `greengate ARGS...` against this server; returns the CompletedProcess."""
        result = subprocess.run([self.cli, *args], env=self.env(), capture_output=True,
                                text=True, check=False)
        if check and result.returncode != 0:
            raise AssertionError(f"greengate {' '.join(args)} exited {result.returncode}: "
                                 f"{result.stderr}")
        return result

    def __exit__(self, exc_type, exc, tb):
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._log is not None:
            self._log.close()
        if exc_type is not None and self.dir:
            print("--- server log ---\n" + self.log())
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
        return False
