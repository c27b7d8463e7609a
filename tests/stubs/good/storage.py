"""Creates a disk on the pool's default SR and plugs it into a VM, as a
provisioning script does."""
from __future__ import annotations

from typing import TYPE_CHECKING

import XenAPI

if TYPE_CHECKING:
    from XenAPI import VbdCreateArgs, VdiCreateArgs, VdiRef, VmRef

GiB = 1024**3


def new_disk(session: XenAPI.Session, name: str, size: int) -> VdiRef:
    x = session.xenapi
    pool = x.pool.get_all()[0]
    args: VdiCreateArgs = {
        "name_label": name,
        "name_description": "made by the storage script",
        "SR": x.pool.get_default_SR(pool),
        # Beyond 32 bits, an int goes as a string.
        "virtual_size": str(size),
        "type": "user",
        "sharable": False,
        "read_only": False,
        "other_config": {},
    }
    return x.VDI.create(args)


def attach(session: XenAPI.Session, vm: VmRef, vdi: VdiRef) -> None:
    x = session.xenapi
    args: VbdCreateArgs = {
        "VM": vm,
        "VDI": vdi,
        "userdevice": x.VM.get_allowed_VBD_devices(vm)[0],
        "bootable": False,
        "mode": "RW",
        "type": "Disk",
        "empty": False,
        "other_config": {},
        "qos_algorithm_type": "",
        "qos_algorithm_params": {},
    }
    vbd = x.VBD.create(args)
    assert x.VBD.get_VDI(vbd) == vdi


def run(session: XenAPI.Session) -> None:
    x = session.xenapi
    template = x.VM.get_by_name_label("Debian Bookworm 12")[0]
    vm = x.VM.clone(template, "storage-vm")
    vdi = new_disk(session, "scratch", 8 * GiB)
    record = x.VDI.get_record(vdi)
    assert int(record["virtual_size"]) == 8 * GiB and record["type"] == "user"
    attach(session, vm, vdi)
    assert vdi in [x.VBD.get_VDI(b) for b in x.VM.get_VBDs(vm)]
