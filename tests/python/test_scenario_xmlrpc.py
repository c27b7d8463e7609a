"""The scenario of issue 4, driven by the unmodified PyPI `XenAPI` module
(xenapi==26.21.1) over XML-RPC."""
import time
import xmlrpc.client

import pytest
import XenAPI


def event_from(x, classes, token, timeout):
    # `from` is a Python keyword.
    return getattr(x.event, "from")(classes, token, timeout)


def failure(fn, *args):
    with pytest.raises(XenAPI.Failure) as e:
        fn(*args)
    return e.value.details


def test_scenario(sim):
    session = XenAPI.Session(sim.url)
    session.xenapi.login_with_password("root", "xenroot", "1.0", "xenapi-sim pytest")
    x = session.xenapi
    token = event_from(x, ["vm", "task"], "", 0.0)["token"]

    # Templates.
    records = x.VM.get_all_records()
    templates = {r: v for r, v in records.items() if v["is_a_template"] and not v["is_a_snapshot"]}
    assert len(templates) >= 10
    debian = [r for r, v in templates.items() if v["name_label"] == "Debian Bookworm 12"][0]

    # Clone, install and start a VM.
    vm = x.VM.clone(debian, "pytest-vm")
    x.VM.provision(vm)
    x.VM.set_is_a_template(vm, False)
    assert "start" in x.VM.get_allowed_operations(vm)
    x.VM.start(vm, False, False)
    assert x.VM.get_power_state(vm) == "Running"
    assert failure(x.VM.start, vm, False, False) == ["VM_BAD_POWER_STATE", vm, "halted", "running"]

    # Records.
    rec = x.VM.get_record(vm)
    assert rec["name_label"] == "pytest-vm"
    assert rec["is_a_template"] is False
    assert int(rec["domid"]) > 0
    assert isinstance(rec["memory_static_max"], str) and int(rec["memory_static_max"]) == 2 * 1024**3
    host = x.host.get_record(rec["resident_on"])
    assert vm in host["resident_VMs"]
    vbd = x.VBD.get_record(rec["VBDs"][0])
    assert vbd["VM"] == vm and vbd["currently_attached"] is True
    vdi = x.VDI.get_record(vbd["VDI"])
    assert rec["VBDs"][0] in vdi["VBDs"]
    sr = x.SR.get_record(vdi["SR"])
    assert vbd["VDI"] in sr["VDIs"]
    assert x.VM.get_by_uuid(rec["uuid"]) == vm
    metrics = x.VM_metrics.get_record(rec["metrics"])
    assert int(metrics["VCPUs_number"]) == int(rec["VCPUs_at_startup"])
    assert isinstance(metrics["start_time"], xmlrpc.client.DateTime)

    # Blocked operations.
    x.VM.add_to_blocked_operations(vm, "hard_reboot", "blocked by pytest")
    assert x.VM.get_blocked_operations(vm) == {"hard_reboot": "blocked by pytest"}
    assert "hard_reboot" not in x.VM.get_allowed_operations(vm)
    assert failure(x.VM.add_to_blocked_operations, vm, "hard_reboot", "again") == [
        "MAP_DUPLICATE_KEY", "VM", "blocked_operations", rec["uuid"], "hard_reboot"]
    assert failure(x.VM.hard_reboot, vm) == ["OPERATION_BLOCKED", vm, "blocked by pytest"]
    x.VM.remove_from_blocked_operations(vm, "hard_reboot")
    assert "hard_reboot" in x.VM.get_allowed_operations(vm)

    # Async.VM.clean_shutdown, followed through its task.
    task = x.Async.VM.clean_shutdown(vm)
    assert task.startswith("OpaqueRef:")
    seen = set()
    deadline = time.time() + 30
    while True:
        t = x.task.get_record(task)
        seen.add((t["status"], t["progress"]))
        if t["status"] != "pending":
            break
        assert time.time() < deadline, "the task was still pending after 30 s: it never finishes"
        time.sleep(0.02)
    assert t["status"] == "success", t
    assert t["progress"] == 1.0
    assert t["error_info"] == []
    assert t["name_label"] == "Async.VM.clean_shutdown"
    assert ("pending", 0.0) in seen
    assert x.VM.get_power_state(vm) == "Halted"
    # A task's result is the XML-RPC value of the call's result.
    clone_task = x.Async.VM.clone(vm, "pytest-clone")
    while x.task.get_status(clone_task) == "pending":
        time.sleep(0.02)
    result = x.task.get_result(clone_task)
    clone = xmlrpc.client.loads("<params><param>%s</param></params>" % result)[0][0]
    assert x.VM.get_name_label(clone) == "pytest-clone"
    assert result.replace("<value>", "").replace("</value>", "") == clone
    x.task.destroy(clone_task)

    # event.from sees all of it.
    batch = event_from(x, ["vm", "task"], token, 5.0)
    events = batch["events"]
    mine = [e for e in events if e["ref"] == vm]
    assert mine and mine[0]["class"] == "vm" and mine[0]["operation"] == "add"
    assert mine[-1]["snapshot"]["power_state"] == "Halted"
    assert mine[-1]["snapshot"]["blocked_operations"] == {}
    assert any(e["class"] == "task" and e["ref"] == task and e["snapshot"]["status"] == "success" for e in events)
    assert int(batch["valid_ref_counts"]["vm"]) == len(x.VM.get_all())
    quiet = event_from(x, ["vm"], batch["token"], 0.3)
    assert quiet["events"] == []

    # A wrong ref.
    assert failure(x.VM.get_record, "OpaqueRef:no-such-vm") == ["HANDLE_INVALID", "VM", "OpaqueRef:no-such-vm"]
    assert failure(x.VM.get_by_uuid, "00000000-0000-0000-0000-000000000000")[0] == "UUID_INVALID"

    # The session is logged out under the client: it logs in again.
    old = session._session
    other = xmlrpc.client.ServerProxy(sim.url)
    assert other.session.logout(old)["Status"] == "Success"
    assert other.VM.get_all(old)["ErrorDescription"] == ["SESSION_INVALID", old]
    assert vm in x.VM.get_all()
    assert session._session != old

    # Logout.
    current = session._session
    x.session.logout()
    assert other.VM.get_all(current)["ErrorDescription"] == ["SESSION_INVALID", current]


def test_read_only_user(sim):
    session = XenAPI.Session(sim.url)
    session.xenapi.login_with_password("viewer", "secret", "1.0", "xenapi-sim pytest")
    x = session.xenapi
    vm = x.VM.get_by_name_label("db-01")[0]
    assert x.VM.get_record(vm)["name_label"] == "db-01"
    assert failure(x.VM.start, vm, False, False) == [
        "RBAC_PERMISSION_DENIED", "vm.start", "No permission in user session"]
    assert failure(x.VM.set_name_label, vm, "nope")[0] == "RBAC_PERMISSION_DENIED"
    x.session.logout()


def test_bad_login(sim):
    session = XenAPI.Session(sim.url)
    with pytest.raises(XenAPI.Failure) as e:
        session.xenapi.login_with_password("root", "wrong", "1.0", "xenapi-sim pytest")
    assert e.value.details[0] == "SESSION_AUTHENTICATION_FAILED"
