"""The generated typed package against replies no server here sends, over
real HTTP from tests/c/broken_server.py: malformed error payloads are a
ProtocolError (never an API error with an invented code), the error
shapes real servers do send are API errors, and event batches whose
counts are spelt ``validRefCounts`` decode."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "generated" / "python" / "src"))

from xenapi_client import ProtocolError, Session, XenAPIError  # noqa: E402
from xenapi_client import errors as E  # noqa: E402

VM_REF = "OpaqueRef:1f5e2a90-0000-4000-8000-000000000001"


@pytest.fixture(scope="module")
def broken() -> Iterator[str]:
    """The base URL of a running broken server."""
    with tempfile.TemporaryDirectory() as tmp:
        port_file = os.path.join(tmp, "port")
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "c" / "broken_server.py"), "--port-file", port_file],
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 20
            while not os.path.exists(port_file):
                assert proc.poll() is None, "the broken server exited"
                assert time.monotonic() < deadline, "the broken server did not start"
                time.sleep(0.05)
            with open(port_file) as f:
                yield "http://127.0.0.1:%d" % int(f.read())
        finally:
            proc.terminate()
            proc.wait(timeout=10)


@pytest.mark.parametrize(
    "path",
    [
        "error-wrong-types",
        "error-no-message",
        "error-list-number-code",
        "error-list-empty",
        "error-number",
    ],
)
def test_malformed_json_errors_are_protocol_errors(broken: str, path: str) -> None:
    with Session("%s/json/%s" % (broken, path), protocol="jsonrpc") as s:
        with pytest.raises(ProtocolError) as e:
            s.VM.get_name_label(VM_REF)
    assert not isinstance(e.value, XenAPIError)


def test_json_error_shapes_that_real_servers_send(broken: str) -> None:
    # data as a single value counts as one parameter.
    with Session("%s/json/error-single-data" % broken, protocol="jsonrpc") as s:
        with pytest.raises(E.HandleInvalidError) as e:
            s.VM.get_name_label(VM_REF)
    assert e.value.params == ["VM"]
    # A 1.0 list with a parameter that is not a string keeps its JSON text.
    with Session("%s/json/error-mixed-data" % broken, protocol="jsonrpc1") as s:
        with pytest.raises(E.HandleInvalidError) as e:
            s.VM.get_name_label(VM_REF)
    assert e.value.params == ["VM", "42"]


@pytest.mark.parametrize("path", ["failure-empty", "failure-struct"])
def test_malformed_xml_error_descriptions_are_protocol_errors(broken: str, path: str) -> None:
    with Session("%s/%s" % (broken, path)) as s:
        with pytest.raises(ProtocolError) as e:
            s.VM.start(VM_REF, False, False)
    assert not isinstance(e.value, XenAPIError)


def test_a_single_string_error_description_is_its_code(broken: str) -> None:
    with Session("%s/failure-single" % broken) as s:
        with pytest.raises(E.SessionInvalidError):
            s.VM.start(VM_REF, False, False)


@pytest.mark.parametrize("url,protocol", [("%s/events-camel-case", "xmlrpc"), ("%s/json/events-camel-case", "jsonrpc")])
def test_event_batch_with_camel_case_counts(broken: str, url: str, protocol: str) -> None:
    with Session(url % broken, protocol=protocol) as s:
        batch = s.event.from_(["*"], "", 1.0)
    assert batch.valid_ref_counts == {"VM": 3, "host": 1}
    assert batch.token == "token-7"
    assert batch.events == []
