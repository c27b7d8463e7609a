"""Starts the xenapi-sim binary on a free loopback port for each test module.

The binary is taken from $XENAPI_SIM if set, else built with
`cargo build -p xenapi-sim` (honouring $CARGO_TARGET_DIR).
"""
import os
import re
import subprocess
import threading

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def sim_binary():
    path = os.environ.get("XENAPI_SIM")
    if path:
        return path
    subprocess.run(["cargo", "build", "-q", "-p", "xenapi-sim"], cwd=ROOT, check=True)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    return os.path.join(target, "debug", "xenapi-sim")


class Simulator:
    """A running simulator: `url` (XML-RPC) and `json_url` (JSON-RPC)."""

    def __init__(self, *args):
        self.proc = subprocess.Popen(
            [sim_binary(), "--listen", "127.0.0.1:0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.banner = []
        for line in self.proc.stdout:
            self.banner.append(line)
            m = re.search(r"listening on http://([0-9.]+:[0-9]+)/", line)
            if m:
                self.addr = m.group(1)
                break
        else:
            raise RuntimeError("simulator did not start: %s %s" % (self.banner, self.proc.stderr.read()))
        self.url = "http://%s/" % self.addr
        self.json_url = "http://%s/jsonrpc" % self.addr
        # Keep the pipes drained; what the simulator logs is kept, to be
        # checked for panics.
        self.log = []
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()
        self._log_reader = threading.Thread(target=self._read_log, daemon=True)
        self._log_reader.start()

    def _read_log(self):
        for line in self.proc.stderr:
            self.log.append(line)

    def stop(self):
        alive = self.proc.poll() is None
        self.proc.terminate()
        code = self.proc.wait(timeout=30)
        self._log_reader.join(timeout=10)
        return alive, code

    def panics(self):
        """The lines of the simulator's log that report a panic."""
        return [line for line in self.log if "panicked at" in line]


@pytest.fixture(scope="module")
def sim():
    s = Simulator("--task-delay-ms", "200", "--user", "root:xenroot", "--user", "viewer:secret:read-only")
    yield s
    alive, code = s.stop()
    assert not s.panics(), "the simulator panicked:\n" + "".join(s.log)
    assert alive, "the simulator died during the tests"
    assert code == 0, "the simulator exited with %s" % code
