"""Sessions: login, calls that log in again when the server forgets the
session, tasks for ``Async.`` calls. The generated ``Session`` and
``AsyncSession`` add one attribute per API class.

The blocking and the asyncio flavours differ only where they wait; what
they decide (how a call is encoded, which credentials to log in again
with, how a finished task is read) lives once in ``_SessionCore`` and
``_TaskCore``."""

from __future__ import annotations

import asyncio
import itertools
import ssl
import time
from abc import ABC, abstractmethod
from typing import Any, Callable, Generic, List, Optional, Sequence, Tuple, TypeVar

from . import _wire
from ._transport import AsyncTransport, Transport
from .errors import SessionInvalidError, TaskTimeoutError, XenAPIClientError, error_from_description

T = TypeVar("T")
_Tr = TypeVar("_Tr", Transport, AsyncTransport)

_PROTOCOLS = {"xmlrpc": None, "jsonrpc": "2.0", "jsonrpc2": "2.0", "jsonrpc1": "1.0"}

_Credentials = Tuple[str, str, str, str]


def _protocol(name: str) -> Optional[str]:
    try:
        return _PROTOCOLS[name]
    except KeyError:
        raise XenAPIClientError("unknown protocol %r; use one of %s" % (name, ", ".join(_PROTOCOLS))) from None


class _SessionCore(ABC, Generic[_Tr]):
    """What both flavours of session keep and decide without waiting: the
    transport, protocol, request ids, the session in use and the
    credentials to log in again with."""

    def __init__(
        self,
        url: str,
        *,
        protocol: str = "xmlrpc",
        timeout: Optional[float] = 60.0,
        ssl_context: Optional[ssl.SSLContext] = None,
    ) -> None:
        self._json = _protocol(protocol)
        self._transport: _Tr = self._connect(url, timeout, ssl_context)
        self._ids = itertools.count(1)
        self._ref = ""
        self._creds: Optional[_Credentials] = None

    @staticmethod
    @abstractmethod
    def _connect(url: str, timeout: Optional[float], ssl_context: Optional[ssl.SSLContext]) -> _Tr:
        """The transport of this flavour to ``url``."""

    @property
    def session_ref(self) -> str:
        """The session reference in use (empty before login)."""
        return self._ref

    def _request(self, method: str, params: Sequence[object]) -> Tuple[str, bytes, bool]:
        """The path, the body and whether it is JSON, for a call in this
        session's protocol."""
        if self._json is not None:
            return "/jsonrpc", _wire.json_call(method, params, next(self._ids), self._json), True
        return "/", _wire.xml_call(method, params), False

    @staticmethod
    def _result(reply: bytes, is_json: bool) -> Any:
        """The decoded ``Value`` of a reply; raises the typed error of a
        failure."""
        return _wire.json_result(reply) if is_json else _wire.xml_result(reply)

    def _with_session(self, params: List[object]) -> List[object]:
        return [self._ref, *params]

    def _login_again(self, error: SessionInvalidError) -> _Credentials:
        """The credentials to log in again with after ``error``, which is
        raised again when there are none (a session obtained elsewhere)."""
        if self._creds is None:
            raise error
        return self._creds

    def _logged_in(self, reply: object, creds: _Credentials) -> str:
        self._ref = _wire.to_str(reply)
        self._creds = creds
        return self._ref

    def _forget(self) -> None:
        self._ref = ""
        self._creds = None


class SessionBase(_SessionCore[Transport]):
    """A blocking connection and, once logged in, a session."""

    @staticmethod
    def _connect(url: str, timeout: Optional[float], ssl_context: Optional[ssl.SSLContext]) -> Transport:
        return Transport(url, timeout, ssl_context)

    def raw_call(self, method: str, params: Sequence[object]) -> Any:
        """Calls ``method`` with exactly ``params`` and returns the decoded
        ``Value``; raises the typed error of a failure."""
        path, body, is_json = self._request(method, params)
        return self._result(self._transport.post(path, body, is_json), is_json)

    def _call(self, method: str, params: List[object]) -> Any:
        try:
            return self.raw_call(method, self._with_session(params))
        except SessionInvalidError as e:
            self._login(*self._login_again(e))
            return self.raw_call(method, self._with_session(params))

    def _login(self, uname: str, pwd: str, version: str, originator: str) -> str:
        reply = self.raw_call("session.login_with_password", [uname, pwd, version, originator])
        return self._logged_in(reply, (uname, pwd, version, originator))

    def login_with_password(self, uname: str, pwd: str, version: str = "1.0", originator: str = "xenapi-client") -> str:
        """Logs in and keeps the credentials, so that the session logs in
        again by itself if the server forgets it. Returns the session ref."""
        return self._login(uname, pwd, version, originator)

    def logout(self) -> None:
        """Ends the session on the server."""
        try:
            if self._ref:
                self.raw_call("session.logout", [self._ref])
        finally:
            self._forget()

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


class _Pauses:
    """The pauses between a task's status polls, doubling up to half a
    second, until its deadline (if any)."""

    def __init__(self, ref: str, timeout: Optional[float], poll: float) -> None:
        self._ref = ref
        self._timeout = timeout
        self._deadline = None if timeout is None else time.monotonic() + timeout
        self._delay = poll

    def next(self) -> float:
        """The next pause; raises ``TaskTimeoutError`` past the deadline."""
        if self._deadline is not None and time.monotonic() > self._deadline:
            raise TaskTimeoutError("task %s did not finish within %s s" % (self._ref, self._timeout))
        delay = self._delay
        self._delay = min(delay * 2, 0.5)
        return delay


class _TaskCore(Generic[T]):
    """What both flavours of task decide without waiting: which call reads
    a finished task, and what its answer means."""

    def __init__(self, ref: str, convert: Callable[[object], T]) -> None:
        self.ref = ref
        self._convert = convert

    def _reader(self, status: str) -> str:
        """The call that reads a task which ended in ``status``; a
        cancelled (or cancelling) task raises ``TASK_CANCELLED``."""
        if status == "success":
            return "task.get_result"
        if status in ("cancelling", "cancelled"):
            raise error_from_description(["TASK_CANCELLED", self.ref])
        return "task.get_error_info"

    def _outcome(self, status: str, reply: object) -> T:
        """The message's result, or the error the task ended with."""
        if status == "success":
            return self._convert(_wire.xml_decode_value(_wire.to_str(reply)))
        info = _wire.to_strs(reply)
        raise error_from_description(info or ["INTERNAL_ERROR", "task %s failed without error_info" % self.ref])


class Task(_TaskCore[T]):
    """A server task started by an ``Async.`` call."""

    def __init__(self, session: SessionBase, ref: str, convert: Callable[[object], T]) -> None:
        super().__init__(ref, convert)
        self._session = session

    def status(self) -> str:
        """pending, success, failure, cancelling or cancelled."""
        return _wire.to_str(self._session._call("task.get_status", [self.ref]))

    def cancel(self) -> None:
        self._session._call("task.cancel", [self.ref])

    def wait(self, timeout: Optional[float] = None, poll: float = 0.02) -> T:
        """Waits for the task to end and returns the message's result, or
        raises the error the task ended with."""
        pauses = _Pauses(self.ref, timeout, poll)
        while (status := self.status()) == "pending":
            time.sleep(pauses.next())
        return self._outcome(status, self._session._call(self._reader(status), [self.ref]))


class AsyncSessionBase(_SessionCore[AsyncTransport]):
    """An asyncio connection and, once logged in, a session."""

    @staticmethod
    def _connect(url: str, timeout: Optional[float], ssl_context: Optional[ssl.SSLContext]) -> AsyncTransport:
        return AsyncTransport(url, timeout, ssl_context)

    async def raw_call(self, method: str, params: Sequence[object]) -> Any:
        path, body, is_json = self._request(method, params)
        return self._result(await self._transport.post(path, body, is_json), is_json)

    async def _call(self, method: str, params: List[object]) -> Any:
        try:
            return await self.raw_call(method, self._with_session(params))
        except SessionInvalidError as e:
            await self._login(*self._login_again(e))
            return await self.raw_call(method, self._with_session(params))

    async def _login(self, uname: str, pwd: str, version: str, originator: str) -> str:
        reply = await self.raw_call("session.login_with_password", [uname, pwd, version, originator])
        return self._logged_in(reply, (uname, pwd, version, originator))

    async def login_with_password(
        self, uname: str, pwd: str, version: str = "1.0", originator: str = "xenapi-client"
    ) -> str:
        return await self._login(uname, pwd, version, originator)

    async def logout(self) -> None:
        try:
            if self._ref:
                await self.raw_call("session.logout", [self._ref])
        finally:
            self._forget()

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


class AsyncTask(_TaskCore[T]):
    """A server task started by an ``Async.`` call, awaited with asyncio."""

    def __init__(self, session: AsyncSessionBase, ref: str, convert: Callable[[object], T]) -> None:
        super().__init__(ref, convert)
        self._session = session

    async def status(self) -> str:
        return _wire.to_str(await self._session._call("task.get_status", [self.ref]))

    async def cancel(self) -> None:
        await self._session._call("task.cancel", [self.ref])

    async def wait(self, timeout: Optional[float] = None, poll: float = 0.02) -> T:
        pauses = _Pauses(self.ref, timeout, poll)
        while (status := await self.status()) == "pending":
            await asyncio.sleep(pauses.next())
        return self._outcome(status, await self._session._call(self._reader(status), [self.ref]))
