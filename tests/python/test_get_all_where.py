"""The filtered listings xapi's own scripts use, `VM.get_all_records_where`
and `PIF.get_all_records_where`, through the unmodified PyPI `XenAPI`
module over XML-RPC. What each filter should select is worked out here
from `get_all_records`."""
import pytest
import XenAPI


@pytest.fixture
def x(sim):
    session = XenAPI.Session(sim.url)
    session.xenapi.login_with_password("root", "xenroot", "1.0", "xenapi-sim get_all_where")
    yield session.xenapi
    session.xenapi.session.logout()


def test_vms_by_power_state_and_template_flag(x):
    vms = x.VM.get_all_records()
    running = {r for r, v in vms.items() if v["power_state"] == "Running"}
    assert running
    got = x.VM.get_all_records_where('field "power_state" = "Running"')
    assert set(got) == running
    assert all(got[r] == vms[r] for r in got)
    assert set(x.VM.get_all_where('field "power_state" = "Running"')) == running

    plain = {r for r, v in vms.items() if not v["is_a_template"]}
    expr = 'not field "is_a_template" = "true"'
    assert set(x.VM.get_all_records_where(expr)) == plain
    halted_plain = {r for r in plain if vms[r]["power_state"] == "Halted"}
    expr = 'field "is_a_template" = "false" and (field "power_state" = "Halted" or false)'
    assert set(x.VM.get_all_records_where(expr)) == halted_plain
    assert set(x.VM.get_all_records_where("true")) == set(vms)


def test_pifs_by_device(x):
    pifs = x.PIF.get_all_records()
    eth0 = {r for r, v in pifs.items() if v["device"] == "eth0"}
    assert eth0
    assert set(x.PIF.get_all_records_where('field "device" = "eth0"')) == eth0


def test_malformed_expression_fails_as_in_xapi(x):
    with pytest.raises(XenAPI.Failure) as e:
        x.VM.get_all_records_where('field "power_state" = ')
    assert e.value.details == ["INVALID_VALUE", 'field "power_state" = ', "Xapi_database.Db_filter_parse.Error"]
    with pytest.raises(XenAPI.Failure) as e:
        x.VM.get_all_records_where('field "no_such" = "x"')
    assert e.value.details == ["INTERNAL_ERROR", "missing field", "no_such", ""]
