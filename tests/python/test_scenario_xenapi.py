"""A day in a two-host pool, driven by the unmodified PyPI `XenAPI` module
over XML-RPC: install a VM from a template as `xe vm-install` does, use
its CD drive, migrate it, checkpoint and revert it, keep a blob on it,
and evacuate its host."""
import urllib.request

import pytest
import XenAPI


def failure(fn, *args):
    with pytest.raises(XenAPI.Failure) as e:
        fn(*args)
    return e.value.details


def http(method, url, data=None):
    req = urllib.request.Request(url, data=data, method=method)
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status, r.read()


def test_scenario_in_a_pool(sim):
    session = XenAPI.Session(sim.url)
    session.xenapi.login_with_password("root", "xenroot", "1.0", "xenapi-sim scenario")
    x = session.xenapi
    try:
        hosts = {x.host.get_name_label(h): h for h in x.host.get_all()}
        assert {"sim-host-1", "sim-host-2"} <= set(hosts)
        pool = x.pool.get_all()[0]
        assert x.pool.get_master(pool) == hosts["sim-host-1"]

        # vm-install: clone the template, provision the clone, start it.
        template = x.VM.get_by_name_label("Debian Bookworm 12")[0]
        vm = x.VM.clone(template, "scenario-vm")
        assert x.VM.get_is_a_template(vm) is True
        x.VM.provision(vm)
        rec = x.VM.get_record(vm)
        assert rec["is_a_template"] is False
        disks = [x.VBD.get_record(b) for b in rec["VBDs"]]
        assert [d["type"] for d in disks] == ["Disk"]
        assert x.VDI.get_SR(disks[0]["VDI"]) == x.pool.get_default_SR(pool)
        x.VM.start(vm, False, False)
        rec = x.VM.get_record(vm)
        assert rec["power_state"] == "Running"
        first = rec["resident_on"]
        assert vm in x.host.get_resident_VMs(first)

        # A CD drive: add one, insert an ISO, eject it.
        iso = x.VDI.get_by_name_label("debian-12.5.0-amd64-netinst.iso")[0]
        free = x.VM.get_allowed_VBD_devices(vm)
        cd = x.VBD.create({
            "VM": vm, "VDI": "OpaqueRef:NULL", "userdevice": free[0], "bootable": False, "mode": "RO",
            "type": "CD", "unpluggable": True, "empty": True, "other_config": {}, "qos_algorithm_type": "",
            "qos_algorithm_params": {}, "device": "", "currently_attached": False,
        })
        assert free[0] not in x.VM.get_allowed_VBD_devices(vm)
        x.VBD.insert(cd, iso)
        cdrec = x.VBD.get_record(cd)
        assert cdrec["VDI"] == iso and cdrec["empty"] is False
        x.VBD.eject(cd)
        cdrec = x.VBD.get_record(cd)
        assert cdrec["empty"] is True and cdrec["VDI"] == "OpaqueRef:NULL"

        # Migrate the running VM to the other host.
        other = hosts["sim-host-2"] if first == hosts["sim-host-1"] else hosts["sim-host-1"]
        x.VM.pool_migrate(vm, other, {})
        assert x.VM.get_resident_on(vm) == other
        assert vm in x.host.get_resident_VMs(other) and vm not in x.host.get_resident_VMs(first)

        # Checkpoint, then revert: the VM comes back suspended, and resumes.
        cp = x.VM.checkpoint(vm, "before the change")
        cprec = x.VM.get_record(cp)
        assert cprec["is_a_snapshot"] and cprec["snapshot_of"] == vm and cprec["power_state"] == "Suspended"
        x.VM.set_name_description(vm, "changed after the checkpoint")
        x.VM.hard_shutdown(vm)
        x.VM.revert(cp)
        assert x.VM.get_power_state(vm) == "Suspended"
        x.VM.resume_on(vm, other, False, False)
        assert x.VM.get_power_state(vm) == "Running" and x.VM.get_resident_on(vm) == other

        # A blob: made through the API, its data over HTTP.
        blob = x.VM.create_new_blob(vm, "notes", "text/plain", False)
        assert x.VM.get_blobs(vm) == {"notes": blob}
        url = "http://%s/blob?ref=%s&session_id=%s" % (sim.addr, blob, session._session)
        status, _ = http("PUT", url, b"hello from the scenario")
        assert status == 200
        status, body = http("GET", url)
        assert (status, body) == (200, b"hello from the scenario")
        # XML-RPC carries ints as strings.
        assert int(x.blob.get_size(blob)) == len(b"hello from the scenario")

        # Evacuate the VM's host: everything it runs moves to the other.
        blocking = x.host.get_vms_which_prevent_evacuation(other)
        assert blocking == {}, blocking
        x.host.disable(other)
        assert x.host.get_enabled(other) is False
        assert failure(x.host.reboot, first) == ["HOST_NOT_DISABLED"]
        x.host.evacuate(other, "OpaqueRef:NULL", 0)
        assert x.VM.get_resident_on(vm) == first
        guests = [v for v in x.host.get_resident_VMs(other) if not x.VM.get_is_control_domain(v)]
        assert guests == []
        x.host.enable(other)
        assert x.host.get_enabled(other) is True
        assert "vm_start" in x.host.get_allowed_operations(other)
    finally:
        session.xenapi.session.logout()
