"""Sessions: login, calls that log in again when the server forgets the
session, tasks for ``Async.`` calls. The generated ``Session`` and
``AsyncSession`` add one attribute per API class."""

from __future__ import annotations

import asyncio
import itertools
import ssl
import time
from typing import Any, Callable, Generic, List, Optional, Sequence, Tuple, TypeVar

from . import _wire
from ._transport import AsyncTransport, Transport
from .errors import SessionInvalidError, TaskTimeoutError, XenAPIClientError, error_from_description

T = TypeVar("T")

_PROTOCOLS = {"xmlrpc": None, "jsonrpc": "2.0", "jsonrpc2": "2.0", "jsonrpc1": "1.0"}


def _protocol(name: str) -> Optional[str]:
    try:
        return _PROTOCOLS[name]
    except KeyError:
        raise XenAPIClientError("unknown protocol %r; use one of %s" % (name, ", ".join(_PROTOCOLS))) from None


class SessionBase:
    """A blocking connection and, once logged in, a session."""

    def __init__(
        self,
        url: str,
        *,
        protocol: str = "xmlrpc",
        timeout: Optional[float] = 60.0,
        ssl_context: Optional[ssl.SSLContext] = None,
    ) -> None:
        self._json = _protocol(protocol)
        self._transport = Transport(url, timeout, ssl_context)
        self._ids = itertools.count(1)
        self._ref = ""
        self._creds: Optional[Tuple[str, str, str, str]] = None

    @property
    def session_ref(self) -> str:
        """The session reference in use (empty before login)."""
        return self._ref

    def raw_call(self, method: str, params: Sequence[object]) -> Any:
        """Calls ``method`` with exactly ``params`` and returns the decoded
        ``Value``; raises the typed error of a failure."""
        if self._json is not None:
            body = _wire.json_call(method, params, next(self._ids), self._json)
            return _wire.json_result(self._transport.post("/jsonrpc", body, True))
        return _wire.xml_result(self._transport.post("/", _wire.xml_call(method, params), False))

    def _call(self, method: str, params: List[object]) -> Any:
        try:
            return self.raw_call(method, [self._ref, *params])
        except SessionInvalidError:
            if self._creds is None:
                raise
            self._login(*self._creds)
            return self.raw_call(method, [self._ref, *params])

    def _login(self, uname: str, pwd: str, version: str, originator: str) -> str:
        self._ref = _wire.to_str(self.raw_call("session.login_with_password", [uname, pwd, version, originator]))
        return self._ref

    def login_with_password(self, uname: str, pwd: str, version: str = "1.0", originator: str = "xenapi-client") -> str:
        """Logs in and keeps the credentials, so that the session logs in
        again by itself if the server forgets it. Returns the session ref."""
        ref = self._login(uname, pwd, version, originator)
        self._creds = (uname, pwd, version, originator)
        return ref

    def logout(self) -> None:
        """Ends the session on the server."""
        try:
            if self._ref:
                self.raw_call("session.logout", [self._ref])
        finally:
            self._ref = ""
            self._creds = None

    def close(self) -> None:
        """Closes the connection (without logging out)."""
        self._transport.close()

    def __enter__(self: T) -> T:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self._ref:
                self.logout()
        finally:
            self.close()


class Task(Generic[T]):
    """A server task started by an ``Async.`` call."""

    def __init__(self, session: SessionBase, ref: str, convert: Callable[[object], T]) -> None:
        self._session = session
        self.ref = ref
        self._convert = convert

    def status(self) -> str:
        """pending, success, failure, cancelling or cancelled."""
        return _wire.to_str(self._session._call("task.get_status", [self.ref]))

    def cancel(self) -> None:
        self._session._call("task.cancel", [self.ref])

    def wait(self, timeout: Optional[float] = None, poll: float = 0.02) -> T:
        """Waits for the task to end and returns the message's result, or
        raises the error the task ended with."""
        deadline = None if timeout is None else time.monotonic() + timeout
        delay = poll
        while True:
            status = self.status()
            if status != "pending":
                return self._finish(status)
            if deadline is not None and time.monotonic() > deadline:
                raise TaskTimeoutError("task %s did not finish within %s s" % (self.ref, timeout))
            time.sleep(delay)
            delay = min(delay * 2, 0.5)

    def _finish(self, status: str) -> T:
        if status == "success":
            text = _wire.to_str(self._session._call("task.get_result", [self.ref]))
            return self._convert(_wire.xml_decode_value(text))
        if status in ("cancelling", "cancelled"):
            raise error_from_description(["TASK_CANCELLED", self.ref])
        info = _wire.to_strs(self._session._call("task.get_error_info", [self.ref]))
        raise error_from_description(info or ["INTERNAL_ERROR", "task %s failed without error_info" % self.ref])


class AsyncSessionBase:
    """An asyncio connection and, once logged in, a session."""

    def __init__(
        self,
        url: str,
        *,
        protocol: str = "xmlrpc",
        timeout: Optional[float] = 60.0,
        ssl_context: Optional[ssl.SSLContext] = None,
    ) -> None:
        self._json = _protocol(protocol)
        self._transport = AsyncTransport(url, timeout, ssl_context)
        self._ids = itertools.count(1)
        self._ref = ""
        self._creds: Optional[Tuple[str, str, str, str]] = None

    @property
    def session_ref(self) -> str:
        return self._ref

    async def raw_call(self, method: str, params: Sequence[object]) -> Any:
        if self._json is not None:
            body = _wire.json_call(method, params, next(self._ids), self._json)
            return _wire.json_result(await self._transport.post("/jsonrpc", body, True))
        return _wire.xml_result(await self._transport.post("/", _wire.xml_call(method, params), False))

    async def _call(self, method: str, params: List[object]) -> Any:
        try:
            return await self.raw_call(method, [self._ref, *params])
        except SessionInvalidError:
            if self._creds is None:
                raise
            await self._login(*self._creds)
            return await self.raw_call(method, [self._ref, *params])

    async def _login(self, uname: str, pwd: str, version: str, originator: str) -> str:
        self._ref = _wire.to_str(await self.raw_call("session.login_with_password", [uname, pwd, version, originator]))
        return self._ref

    async def login_with_password(
        self, uname: str, pwd: str, version: str = "1.0", originator: str = "xenapi-client"
    ) -> str:
        ref = await self._login(uname, pwd, version, originator)
        self._creds = (uname, pwd, version, originator)
        return ref

    async def logout(self) -> None:
        try:
            if self._ref:
                await self.raw_call("session.logout", [self._ref])
        finally:
            self._ref = ""
            self._creds = None

    async def close(self) -> None:
        await self._transport.close()

    async def __aenter__(self: T) -> T:
        return self

    async def __aexit__(self, *exc: object) -> None:
        try:
            if self._ref:
                await self.logout()
        finally:
            await self.close()


class AsyncTask(Generic[T]):
    """A server task started by an ``Async.`` call, awaited with asyncio."""

    def __init__(self, session: AsyncSessionBase, ref: str, convert: Callable[[object], T]) -> None:
        self._session = session
        self.ref = ref
        self._convert = convert

    async def status(self) -> str:
        return _wire.to_str(await self._session._call("task.get_status", [self.ref]))

    async def cancel(self) -> None:
        await self._session._call("task.cancel", [self.ref])

    async def wait(self, timeout: Optional[float] = None, poll: float = 0.02) -> T:
        deadline = None if timeout is None else time.monotonic() + timeout
        delay = poll
        while True:
            status = await self.status()
            if status != "pending":
                break
            if deadline is not None and time.monotonic() > deadline:
                raise TaskTimeoutError("task %s did not finish within %s s" % (self.ref, timeout))
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.5)
        if status == "success":
            text = _wire.to_str(await self._session._call("task.get_result", [self.ref]))
            return self._convert(_wire.xml_decode_value(text))
        if status in ("cancelling", "cancelled"):
            raise error_from_description(["TASK_CANCELLED", self.ref])
        info = _wire.to_strs(await self._session._call("task.get_error_info", [self.ref]))
        raise error_from_description(info or ["INTERNAL_ERROR", "task %s failed without error_info" % self.ref])
