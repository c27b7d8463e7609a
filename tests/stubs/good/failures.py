"""Handles refusals from the server: the error code and its parameters are
in Failure.details."""
from __future__ import annotations

import XenAPI


def code_of(e: XenAPI.Failure) -> str:
    return e.details[0]


def run(session: XenAPI.Session) -> None:
    x = session.xenapi
    try:
        x.VM.get_record(x.VM.get_by_uuid("00000000-0000-0000-0000-000000000000"))
    except XenAPI.Failure as e:
        assert code_of(e) == "UUID_INVALID", e.details
    else:
        raise AssertionError("no failure")
    template = x.VM.get_by_name_label("Debian Bookworm 12")[0]
    try:
        x.VM.start(template, False, False)
    except XenAPI.Failure as e:
        code, *params = e.details
        assert code == "VM_IS_TEMPLATE" and params == [template], e.details
    else:
        raise AssertionError("a template started")
