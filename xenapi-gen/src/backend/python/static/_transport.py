"""HTTP transports: blocking (``http.client``) and asyncio, over TCP, TLS
or a Unix domain socket, keeping the connection alive between calls."""

from __future__ import annotations

import asyncio
import http.client
import socket
import ssl
import threading
import urllib.parse
from typing import Dict, Optional, Tuple

from .errors import TransportError

_HEADERS_XML = {"Content-Type": "text/xml", "User-Agent": "xenapi-client"}
_HEADERS_JSON = {"Content-Type": "application/json", "User-Agent": "xenapi-client"}

#: Largest reply accepted, so that a broken server cannot exhaust memory.
MAX_REPLY = 1 << 30


def _split(url: str) -> Tuple[str, str, int, str]:
    """(scheme, host, port, base path) of a server URL; ``unix:///path``
    names a socket."""
    u = urllib.parse.urlsplit(url)
    scheme = u.scheme or "http"
    if scheme == "unix":
        # Requests go to / and /jsonrpc on the socket.
        return scheme, u.path, 0, ""
    if scheme not in ("http", "https"):
        raise TransportError("unsupported URL scheme %r (use http, https or unix)" % scheme)
    port = u.port or (443 if scheme == "https" else 80)
    return scheme, u.hostname or "localhost", port, u.path.rstrip("/")


class _UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: Optional[float]) -> None:
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        if self.timeout is not None:
            s.settimeout(self.timeout)
        s.connect(self._path)
        self.sock = s


class Transport:
    """A blocking HTTP/1.1 connection to one server, safe to share between
    threads (calls are serialised)."""

    def __init__(self, url: str, timeout: Optional[float] = 60.0, ssl_context: Optional[ssl.SSLContext] = None) -> None:
        self.scheme, self.host, self.port, self.base = _split(url)
        self.timeout = timeout
        self.ssl_context = ssl_context
        self._conn: Optional[http.client.HTTPConnection] = None
        self._lock = threading.Lock()

    def _connect(self) -> http.client.HTTPConnection:
        if self.scheme == "unix":
            return _UnixHTTPConnection(self.host, self.timeout)
        if self.scheme == "https":
            ctx = self.ssl_context or ssl.create_default_context()
            return http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout, context=ctx)
        return http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)

    def post(self, path: str, body: bytes, json: bool) -> bytes:
        headers = _HEADERS_JSON if json else _HEADERS_XML
        with self._lock:
            # A kept-alive connection the server closed meanwhile fails on
            # first use; one fresh attempt covers that.
            for attempt in (0, 1):
                fresh = self._conn is None
                if self._conn is None:
                    self._conn = self._connect()
                try:
                    self._conn.request("POST", self.base + path, body=body, headers=headers)
                    resp = self._conn.getresponse()
                    data = resp.read(MAX_REPLY + 1)
                except (OSError, http.client.HTTPException) as e:
                    self.close_locked()
                    if attempt == 0 and not fresh:
                        continue
                    raise TransportError("%s: %s" % (type(e).__name__, e)) from None
                if resp.will_close:
                    self.close_locked()
                if len(data) > MAX_REPLY:
                    self.close_locked()
                    raise TransportError("the reply is larger than %d bytes" % MAX_REPLY)
                if resp.status != 200:
                    raise TransportError("HTTP %d %s" % (resp.status, resp.reason), status=resp.status)
                return data
        raise TransportError("unreachable")

    def close_locked(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def close(self) -> None:
        with self._lock:
            self.close_locked()


class AsyncTransport:
    """An asyncio HTTP/1.1 connection to one server (calls are serialised)."""

    def __init__(self, url: str, timeout: Optional[float] = 60.0, ssl_context: Optional[ssl.SSLContext] = None) -> None:
        self.scheme, self.host, self.port, self.base = _split(url)
        self.timeout = timeout
        self.ssl_context = ssl_context
        self._streams: Optional[Tuple[asyncio.StreamReader, asyncio.StreamWriter]] = None
        self._lock = asyncio.Lock()

    async def _open(self) -> Tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self.scheme == "unix":
            return await asyncio.open_unix_connection(self.host)
        ctx = (self.ssl_context or ssl.create_default_context()) if self.scheme == "https" else None
        return await asyncio.open_connection(self.host, self.port, ssl=ctx)

    async def post(self, path: str, body: bytes, json: bool) -> bytes:
        async with self._lock:
            for attempt in (0, 1):
                fresh = self._streams is None
                try:
                    return await asyncio.wait_for(self._exchange(path, body, json), self.timeout)
                except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError) as e:
                    await self._close_locked()
                    if attempt == 0 and not fresh and not isinstance(e, asyncio.TimeoutError):
                        continue
                    raise TransportError("%s: %s" % (type(e).__name__, e)) from None
        raise TransportError("unreachable")

    async def _exchange(self, path: str, body: bytes, json: bool) -> bytes:
        if self._streams is None:
            self._streams = await self._open()
        reader, writer = self._streams
        headers = _HEADERS_JSON if json else _HEADERS_XML
        host = "localhost" if self.scheme == "unix" else "%s:%d" % (self.host, self.port)
        head = "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n" % (self.base + path, host, len(body))
        head += "".join("%s: %s\r\n" % kv for kv in headers.items()) + "\r\n"
        writer.write(head.encode("latin-1") + body)
        await writer.drain()
        status_line = await reader.readline()
        parts = status_line.decode("latin-1").split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/"):
            raise ValueError("not an HTTP reply")
        status = int(parts[1])
        fields: Dict[str, str] = {}
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            k, _, v = line.decode("latin-1").partition(":")
            fields[k.strip().lower()] = v.strip()
        if fields.get("transfer-encoding", "").lower() == "chunked":
            data = await self._read_chunked(reader)
        elif "content-length" in fields:
            n = int(fields["content-length"])
            if n > MAX_REPLY:
                raise ValueError("the reply is larger than %d bytes" % MAX_REPLY)
            data = await reader.readexactly(n)
        else:
            data = await reader.read(MAX_REPLY)
            fields["connection"] = "close"
        if fields.get("connection", "").lower() == "close":
            await self._close_locked()
        if status != 200:
            raise TransportError("HTTP %d" % status, status=status)
        return data

    @staticmethod
    async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
        out = bytearray()
        while True:
            size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                await reader.readline()
                return bytes(out)
            out += await reader.readexactly(size)
            if len(out) > MAX_REPLY:
                raise ValueError("the reply is larger than %d bytes" % MAX_REPLY)
            await reader.readline()

    async def _close_locked(self) -> None:
        if self._streams is not None:
            _, writer = self._streams
            self._streams = None
            writer.close()
            try:
                await writer.wait_closed()
            except OSError:
                pass

    async def close(self) -> None:
        async with self._lock:
            await self._close_locked()
