"""Calls the stubs must reject: each line marked `# wrong:` must be
reported by both type checkers, and no other line may be."""
from __future__ import annotations

from typing import TYPE_CHECKING

import XenAPI

if TYPE_CHECKING:
    from XenAPI import VdiCreateArgs, VmRef


def refs_of_the_wrong_class(session: XenAPI.Session, vm: VmRef) -> None:
    x = session.xenapi
    x.VM.start_on(vm, vm, False, False)  # wrong: a VM where the host belongs
    x.VM.get_record(x.Async.VM.clone(vm, "copy"))  # wrong: a task where the VM belongs
    x.VM.get_record("OpaqueRef:0123")  # wrong: a plain string is no reference
    # Python cannot write `x.VM.import`: the stubs type its second name.
    imported: list[VmRef] = x.VM_import("http://example.com/vm.xva", x.pool.get_default_SR(x.pool.get_all()[0]), False, False)
    x.VM_import("http://example.com/vm.xva", imported[0], False, False)  # wrong: a VM where the SR belongs


def records(session: XenAPI.Session, vm: VmRef) -> None:
    rec = session.xenapi.VM.get_record(vm)
    print(rec["power_sate"])  # wrong: misspelt field
    print(rec["VCPUs_max"] + 1)  # wrong: ints arrive as strings
    disk: VdiCreateArgs = {"name_label": "d", "virtual_size": "1", "type": "user"}  # wrong: no SR
    print(disk)


def enums(session: XenAPI.Session, vm: VmRef) -> None:
    x = session.xenapi
    x.VM.set_actions_after_crash(vm, "reboot")  # wrong: not an on_crash_behaviour
    x.VM.set_domain_type(vm, "HVM")  # wrong: values are case-sensitive


def calls(session: XenAPI.Session, vm: VmRef) -> None:
    x = session.xenapi
    x.VM.start(vm)  # wrong: start_paused and force are missing
    x.VM.strat(vm, False, False)  # wrong: no such message
    x.VM.start(vm=vm, start_paused=False, force=False)  # wrong: the module passes arguments by position only
    x.event_from("vm", "", 1.0)  # wrong: classes is a list
    x.Async.VM.get_record(vm)  # wrong: field getters have no Async form
    x.VM.start(vm, False, False, True)  # wrong: one argument too many
    x.VM.get_memory_target(vm)  # wrong: deprecated (pyright strict and mypy's `deprecated` code report it)


def failures(session: XenAPI.Session, vm: VmRef) -> None:
    try:
        session.xenapi.VM.clean_shutdown(vm)
    except XenAPI.Failure as e:
        print(e.detail)  # wrong: the attribute is `details`
        code: int = e.details[0]  # wrong: codes are strings
        print(code)
