"""Lists the VMs of a pool with their power state and memory, from one
get_all_records call, and the hosts they run on."""
from __future__ import annotations

from typing import TYPE_CHECKING

import XenAPI

if TYPE_CHECKING:
    from XenAPI import VmPowerState, VmRecord, VmRef


def guests(session: XenAPI.Session) -> dict[VmRef, VmRecord]:
    """Every VM that is neither a template, a snapshot nor a control domain."""
    records = session.xenapi.VM.get_all_records()
    return {
        ref: rec
        for ref, rec in records.items()
        if not rec["is_a_template"] and not rec["is_a_snapshot"] and not rec["is_control_domain"]
    }


def report(session: XenAPI.Session) -> list[str]:
    x = session.xenapi
    lines: list[str] = []
    for ref, rec in sorted(guests(session).items(), key=lambda kv: kv[1]["name_label"]):
        state: VmPowerState = rec["power_state"]
        # Ints travel as decimal strings.
        mib = int(rec["memory_static_max"]) // (1024 * 1024)
        where = "-"
        if state == "Running":
            where = x.host.get_name_label(rec["resident_on"])
        lines.append(f"{rec['name_label']}: {state}, {mib} MiB, {rec['VCPUs_max']} vCPUs, on {where}")
        assert x.VM.get_power_state(ref) == state
    return lines


def run(session: XenAPI.Session) -> None:
    x = session.xenapi
    template = x.VM.get_by_name_label("Debian Bookworm 12")[0]
    vm = x.VM.clone(template, "inventory-vm")
    x.VM.provision(vm)
    lines = report(session)
    assert any(line.startswith("inventory-vm: Halted") for line in lines), lines
    x.VM.destroy(vm)
