"""Parameter defaults against the simulator: real clients log in with 2 or
3 parameters (the PyPI `XenAPI` module passes through whatever it is
given), over XML-RPC and, with a bare JSON-RPC client, JSON-RPC."""
import json
import urllib.request

import pytest
import XenAPI


def json_call(sim, method, params, version="2.0"):
    msg = {"method": method, "params": params, "id": 1}
    if version == "2.0":
        msg["jsonrpc"] = "2.0"
    req = urllib.request.Request(
        sim.json_url, data=json.dumps(msg).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


@pytest.mark.parametrize(
    "params,originator",
    [
        (("root", "xenroot"), ""),
        (("root", "xenroot", "1.0"), ""),
        (("root", "xenroot", "1.0", "pytest-defaults"), "pytest-defaults"),
    ],
)
def test_pypi_xenapi_logs_in_with_two_three_or_four_params(sim, params, originator):
    session = XenAPI.Session(sim.url)
    session.xenapi.login_with_password(*params)
    try:
        x = session.xenapi
        assert x.VM.get_all(), "the session works"
        # The defaults were filled in: the originator is the default one
        # unless it was given.
        assert x.session.get_originator(session._session) == originator
    finally:
        session.xenapi.session.logout()


def test_pypi_xenapi_login_with_one_param_is_a_count_mismatch(sim):
    session = XenAPI.Session(sim.url)
    with pytest.raises(XenAPI.Failure) as e:
        session.xenapi.login_with_password("root")
    # As xapi: expected counts the parameters without a default.
    assert e.value.details == ["MESSAGE_PARAMETER_COUNT_MISMATCH", "session.login_with_password", "2", "1"]


@pytest.mark.parametrize("version", ["2.0", "1.0"])
@pytest.mark.parametrize("count", [2, 3])
def test_json_rpc_login_with_fewer_params(sim, version, count):
    params = ["root", "xenroot", "1.0"][:count]
    reply = json_call(sim, "session.login_with_password", params, version)
    assert reply.get("error") is None, reply
    session = reply["result"]
    assert session.startswith("OpaqueRef:")
    vms = json_call(sim, "VM.get_all", [session], version)
    assert vms.get("error") is None and vms["result"], vms
    json_call(sim, "session.logout", [session], version)


def test_json_rpc_count_mismatch_counts_as_xapi(sim):
    reply = json_call(sim, "session.login_with_password", ["root"])
    assert reply["error"]["message"] == "MESSAGE_PARAMETER_COUNT_MISMATCH"
    assert reply["error"]["data"] == ["session.login_with_password", "2", "1"]
