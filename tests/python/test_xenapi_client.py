"""The generated typed package against the simulator, over XML-RPC and
JSON-RPC, blocking and asyncio; and against a canned server for values
and error codes newer than the package."""

from __future__ import annotations

import asyncio
import http.server
import sys
import threading
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "generated" / "python" / "src"))

from conftest import Simulator  # noqa: E402
from xenapi_client import AsyncSession, Session, UnknownXenAPIError  # noqa: E402
from xenapi_client import errors as E  # noqa: E402
from xenapi_client.enums import VmOperations, VmPowerState  # noqa: E402
from xenapi_client.records import VmRecord, snapshot_record  # noqa: E402

@pytest.fixture(scope="module")
def sim() -> Iterator[str]:
    """The URL of a simulator with its default user, root / xenroot."""
    s = Simulator()
    yield s.url.rstrip("/")
    s.stop()


PROTOCOLS = ["xmlrpc", "jsonrpc"]


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_scenario(sim: str, protocol: str) -> None:
    with Session(sim, protocol=protocol) as s:
        s.login_with_password("root", "xenroot", "1.0", "pytest")
        records = s.VM.get_all_records()
        assert records and all(isinstance(r, VmRecord) for r in records.values())
        templates = [ref for ref, r in records.items() if r.is_a_template]
        assert templates, "the default fixture has templates"

        vm = s.VM.clone(templates[0], "typed-%s" % protocol)
        s.VM.set_is_a_template(vm, False)
        rec = s.VM.get_record(vm)
        assert rec.name_label == "typed-%s" % protocol
        assert rec.power_state is VmPowerState.HALTED
        assert isinstance(rec.memory_static_max, int)

        token = s.event.from_(["vm"], "", 0.0).token
        s.VM.start(vm, False, False)
        assert s.VM.get_power_state(vm) is VmPowerState.RUNNING
        assert VmOperations.CLEAN_SHUTDOWN in s.VM.get_allowed_operations(vm)

        s.VM.add_to_blocked_operations(vm, VmOperations.CLONE, "reason")
        assert s.VM.get_blocked_operations(vm) == {VmOperations.CLONE: "reason"}
        with pytest.raises(E.MapDuplicateKeyError):
            s.VM.add_to_blocked_operations(vm, VmOperations.CLONE, "again")
        s.VM.remove_from_blocked_operations(vm, VmOperations.CLONE)

        task = s.VM.async_clean_shutdown(vm)
        assert task.wait(timeout=30) is None
        assert s.VM.get_power_state(vm) is VmPowerState.HALTED

        batch = s.event.from_(["vm"], token, 5.0)
        mine = [e for e in batch.events if e.ref == vm]
        assert mine, "event.from saw the changes to the VM"
        snap = snapshot_record(mine[-1])
        assert isinstance(snap, VmRecord) and snap.name_label == "typed-%s" % protocol

        with pytest.raises(E.HandleInvalidError) as bad:
            s.VM.get_record("OpaqueRef:no-such-vm")  # type: ignore[arg-type]
        assert bad.value.class_ == "VM" or bad.value.details[1] == "VM"

        # The server forgets the session; the next call logs in again.
        old = s.session_ref
        s.raw_call("session.logout", [old])
        assert s.VM.get_name_label(vm) == "typed-%s" % protocol
        assert s.session_ref != old

        s.VM.destroy(vm)


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_asyncio_scenario(sim: str, protocol: str) -> None:
    async def run() -> None:
        async with AsyncSession(sim, protocol=protocol) as s:
            await s.login_with_password("root", "xenroot")
            hosts = await s.host.get_all_records()
            assert hosts
            templates = [ref for ref, r in (await s.VM.get_all_records()).items() if r.is_a_template]
            task = await s.VM.async_clone(templates[0], "async-%s" % protocol)
            vm = await task.wait(timeout=30)
            assert (await s.VM.get_name_label(vm)) == "async-%s" % protocol
            await s.VM.destroy(vm)
            with pytest.raises(E.SessionAuthenticationFailedError):
                await AsyncSession(sim, protocol=protocol).login_with_password("root", "wrong")

    asyncio.run(run())


# --- values newer than the package -----------------------------------------

REPLIES: List[Tuple[str, bytes]] = []


class Canned(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        reply = b""
        for needle, answer in REPLIES:
            if needle.encode() in body:
                reply = answer
                break
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args: object) -> None:
        pass


def xml_reply(value: str) -> bytes:
    return (
        "<?xml version='1.0'?><methodResponse><params><param><value><struct>"
        "<member><name>Status</name><value>Success</value></member>"
        "<member><name>Value</name>%s</member></struct></value></param></params></methodResponse>" % value
    ).encode()


def xml_failure(*desc: str) -> bytes:
    items = "".join("<value>%s</value>" % d for d in desc)
    return (
        "<?xml version='1.0'?><methodResponse><params><param><value><struct>"
        "<member><name>Status</name><value>Failure</value></member>"
        "<member><name>ErrorDescription</name><value><array><data>%s</data></array></value></member>"
        "</struct></value></param></params></methodResponse>" % items
    ).encode()


@pytest.fixture()
def canned() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Canned)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield "http://127.0.0.1:%d" % server.server_address[1]
    server.shutdown()


def test_unknown_enum_values_and_error_codes(canned: str) -> None:
    REPLIES[:] = [
        ("session.login_with_password", xml_reply("<value>OpaqueRef:session</value>")),
        ("VM.get_power_state", xml_reply("<value>Crashed</value>")),
        ("VM.get_record", xml_reply(
            "<value><struct><member><name>power_state</name><value>Hibernating</value></member>"
            "<member><name>VCPUs_max</name><value>8</value></member>"
            "<member><name>a_field_from_the_future</name><value>42</value></member></struct></value>"
        )),
        ("VM.start", xml_failure("VM_NEEDS_A_NEWER_THING", "OpaqueRef:vm", "detail")),
        ("VM.clone", xml_failure("VM_BAD_POWER_STATE", "OpaqueRef:vm", "halted")),
        ("session.logout", xml_reply("<value></value>")),
    ]
    with Session(canned) as s:
        s.login_with_password("root", "x")
        state = s.VM.get_power_state("OpaqueRef:vm")  # type: ignore[arg-type]
        assert state == "Crashed" and not state.known and state.value == "Crashed"
        rec = s.VM.get_record("OpaqueRef:vm")  # type: ignore[arg-type]
        assert rec.power_state.value == "Hibernating" and rec.VCPUs_max == 8 and rec.name_label == ""
        with pytest.raises(UnknownXenAPIError) as unknown:
            s.VM.start("OpaqueRef:vm", False, False)  # type: ignore[arg-type]
        assert unknown.value.code == "VM_NEEDS_A_NEWER_THING"
        assert unknown.value.params == ["OpaqueRef:vm", "detail"]
        with pytest.raises(E.VmBadPowerStateError) as known:
            s.VM.clone("OpaqueRef:vm", "x")  # type: ignore[arg-type]
        assert (known.value.vm, known.value.expected, known.value.actual) == ("OpaqueRef:vm", "halted", "")
