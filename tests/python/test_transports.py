"""The generated package's other transports against the simulator: a Unix
domain socket (the simulator's --unix, as xapi answers locally) and HTTPS
through a TLS front end with a certificate made for the test, blocking
and asyncio, in both protocols."""

from __future__ import annotations

import asyncio
import select
import socket
import ssl
import subprocess
import sys
import threading
from pathlib import Path
from typing import Iterator, Tuple

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "generated" / "python" / "src"))

from conftest import Simulator  # noqa: E402
from xenapi_client import AsyncSession, Session  # noqa: E402
from xenapi_client.errors import TransportError  # noqa: E402

PROTOCOLS = ["xmlrpc", "jsonrpc"]


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tuple[int, str]]:
    """(TCP port, Unix socket path) of a simulator answering on both."""
    sock = str(tmp_path_factory.mktemp("sim") / "xapi.sock")
    # The socket is bound before the simulator prints where it listens.
    s = Simulator("--unix", sock)
    yield int(s.addr.rsplit(":", 1)[1]), sock
    s.stop()


def exercise(s: Session) -> None:
    me = s.login_with_password("root", "xenroot", "1.0", "pytest-transports")
    vms = s.VM.get_all_records()
    assert any(r.is_a_template for r in vms.values())
    host = s.session.get_this_host(me)
    assert s.host.get_record(host).name_label
    s.logout()


async def exercise_async(s: AsyncSession) -> None:
    await s.login_with_password("root", "xenroot", "1.0", "pytest-transports")
    vms = await s.VM.get_all_records()
    assert any(r.is_a_template for r in vms.values())
    await s.logout()


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_unix_socket(sim: Tuple[int, str], protocol: str) -> None:
    with Session("unix://" + sim[1], protocol=protocol) as s:
        exercise(s)


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_unix_socket_asyncio(sim: Tuple[int, str], protocol: str) -> None:
    async def run() -> None:
        async with AsyncSession("unix://" + sim[1], protocol=protocol) as s:
            await exercise_async(s)

    asyncio.run(run())


def test_missing_unix_socket_is_a_transport_error(tmp_path: Path) -> None:
    with Session("unix://" + str(tmp_path / "none.sock")) as s:
        with pytest.raises(TransportError):
            s.login_with_password("root", "xenroot")


class TlsFrontEnd:
    """Accepts TLS on a loopback port and relays the plain bytes to the
    simulator, the way a TLS-terminating proxy sits before a server."""

    def __init__(self, backend_port: int, cert: str, key: str) -> None:
        self.backend_port = backend_port
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(cert, key)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.stopped = False
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self) -> None:
        while not self.stopped:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self.relay, args=(conn,), daemon=True).start()

    def relay(self, raw: socket.socket) -> None:
        try:
            client = self.ctx.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            raw.close()  # a client that does not trust the certificate
            return
        backend = socket.create_connection(("127.0.0.1", self.backend_port))
        ends = {client: backend, backend: client}
        try:
            while True:
                # TLS may hold decrypted bytes that select() cannot see.
                ready = [client] if client.pending() else select.select(list(ends), [], [], 30)[0]
                if not ready:
                    return
                for src in ready:
                    data = src.recv(65536)
                    if not data:
                        return
                    ends[src].sendall(data)
        except OSError:
            return
        finally:
            client.close()
            backend.close()

    def close(self) -> None:
        self.stopped = True
        self.listener.close()


@pytest.fixture(scope="module")
def tls(sim: Tuple[int, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tuple[str, str]]:
    """(https URL, CA file) of a TLS front end to the simulator."""
    d = tmp_path_factory.mktemp("tls")
    cert, key = str(d / "cert.pem"), str(d / "key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", key, "-out", cert],
        check=True,
        capture_output=True,
    )
    front = TlsFrontEnd(sim[0], cert, key)
    yield "https://127.0.0.1:%d" % front.port, cert
    front.close()


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_https_with_a_trusted_certificate(tls: Tuple[str, str], protocol: str) -> None:
    ctx = ssl.create_default_context(cafile=tls[1])
    with Session(tls[0], protocol=protocol, ssl_context=ctx) as s:
        exercise(s)


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_https_asyncio(tls: Tuple[str, str], protocol: str) -> None:
    async def run() -> None:
        ctx = ssl.create_default_context(cafile=tls[1])
        async with AsyncSession(tls[0], protocol=protocol, ssl_context=ctx) as s:
            await exercise_async(s)

    asyncio.run(run())


def test_https_refuses_an_unknown_certificate(tls: Tuple[str, str]) -> None:
    # The refusal is told from a timeout by its message, not by timing the
    # call: a handshake that timed out would not name a failed
    # verification. The 10 s timeout only keeps a broken test from hanging.
    with Session(tls[0], timeout=10) as s:
        with pytest.raises(TransportError, match="CERTIFICATE_VERIFY_FAILED|certificate verify failed") as refused:
            s.login_with_password("root", "xenroot")
    assert "timed out" not in str(refused.value)
