"""Follows changes with event.from: records what happened to each VM
until a name change shows up, carrying the token from call to call."""
from __future__ import annotations

from typing import TYPE_CHECKING

import XenAPI

if TYPE_CHECKING:
    from XenAPI import EventOperation


def run(session: XenAPI.Session) -> None:
    x = session.xenapi
    vm = x.VM.get_all()[0]
    batch = x.event_from(["vm"], "", 0.0)
    token = batch["token"]
    assert int(batch["valid_ref_counts"]["vm"]) >= 1
    x.VM.set_name_description(vm, "seen by the event loop")
    seen: list[tuple[EventOperation, str]] = []
    for _ in range(20):
        batch = x.event_from(["vm"], token, 5.0)
        token = batch["token"]
        for event in batch["events"]:
            seen.append((event["operation"], event["ref"]))
            if event["operation"] == "mod" and event["snapshot"].get("name_description") == "seen by the event loop":
                return
    raise AssertionError(f"no change seen: {seen}")
