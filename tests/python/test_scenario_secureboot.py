"""What Xen Orchestra does on a VM's advanced tab and a host's PCI list,
driven by the unmodified PyPI `XenAPI` module over XML-RPC: put a UEFI VM
into setup and then user mode and read its Secure Boot readiness and the
pool's, save and restore its vTPM state, put it in a VM group, and hide a
PCI device from the control domain and give it back."""
import base64

import pytest
import XenAPI


def failure(fn, *args):
    with pytest.raises(XenAPI.Failure) as e:
        fn(*args)
    return e.value.details


def test_secure_boot_vtpm_groups_and_pci(sim):
    session = XenAPI.Session(sim.url)
    session.xenapi.login_with_password("root", "xenroot", "1.0", "xenapi-sim secure boot")
    x = session.xenapi
    try:
        pool = x.pool.get_all()[0]
        assert x.pool.get_guest_secureboot_readiness(pool) == "ready"

        # A UEFI VM with Secure Boot on that has never booted.
        vm = x.VM.get_by_name_label("win-01")[0]
        rec = x.VM.get_record(vm)
        assert rec["HVM_boot_params"]["firmware"] == "uefi"
        assert rec["platform"]["secureboot"] == "true"
        assert x.VM.get_secureboot_readiness(vm) == "first_boot"
        assert "setup mode" in x.VM.set_uefi_mode(vm, "setup")
        assert x.VM.get_secureboot_readiness(vm) == "setup_mode"
        assert "user mode" in x.VM.set_uefi_mode(vm, "user")
        assert x.VM.get_secureboot_readiness(vm) == "ready"
        # A BIOS VM has no UEFI variables to reset.
        bios = x.VM.get_by_name_label("db-01")[0]
        assert x.VM.get_secureboot_readiness(bios) == "not_supported"
        assert failure(x.VM.set_uefi_mode, bios, "user")[0] == "INTERNAL_ERROR"

        # The vTPM's state: saved, read back; text that is not base64 refused.
        vtpm = rec["VTPMs"][0]
        assert x.VTPM.get_VM(vtpm) == vm
        state = base64.b64encode(b"\x00\x01tpm state\xff").decode()
        x.VTPM.set_contents(vtpm, state)
        assert x.VTPM.get_contents(vtpm) == state
        assert failure(x.VTPM.set_contents, vtpm, "%%%")[0] == "INTERNAL_ERROR"
        assert base64.b64decode(x.VTPM.get_contents(vtpm)) == b"\x00\x01tpm state\xff"

        # A VM group, as the Terraform provider makes one.
        group = x.VM_group.create({"name_label": "tier", "name_description": "", "placement": "anti_affinity"})
        uuid = x.VM_group.get_uuid(group)
        x.VM.set_groups(vm, [group])
        grec = x.VM_group.get_record(x.VM_group.get_by_uuid(uuid))
        assert grec["VMs"] == [vm] and grec["placement"] == "anti_affinity"
        assert x.VM.get_groups(vm) == [group]
        spread = x.VM_group.get_by_name_label("spread")[0]
        assert x.VM_group.get_VMs(spread) == []
        assert failure(x.VM.set_groups, vm, [group, spread]) == ["TOO_MANY_GROUPS"]
        x.VM_group.destroy(group)
        assert x.VM.get_groups(vm) == []

        # PCI: hide the master's GPU from dom0 for passthrough, then give it back.
        master = x.pool.get_master(pool)
        devices = [(r, p) for r, p in x.PCI.get_all_records().items() if p["host"] == master]
        gpu, grec = next((r, p) for r, p in devices if p["class_id"] == "0302")
        assert (grec["vendor_id"], grec["device_id"]) == ("10de", "1eb8")
        assert x.PCI.get_dom0_access_status(gpu) == "enabled"
        assert x.PCI.disable_dom0_access(gpu) == "disable_on_reboot"
        assert x.PCI.get_dom0_access_status(gpu) == "disable_on_reboot"
        assert x.PCI.enable_dom0_access(gpu) == "enabled"
        boot = next(r for r, p in devices if p["class_id"] == "0108")
        assert failure(x.PCI.disable_dom0_access, boot) == ["BOOT_DEVICE_PASSTHROUGH_DISALLOWED", "/dev/nvme0n1p1"]
    finally:
        session.xenapi.session.logout()
