"""Starts and shuts down a VM with the Async forms of the calls, waiting on
each task, as long-running operations are driven against a real pool."""
from __future__ import annotations

import time
from typing import TYPE_CHECKING

import XenAPI

if TYPE_CHECKING:
    from XenAPI import TaskRef, TaskStatusType


def wait(session: XenAPI.Session, task: TaskRef, timeout: float = 30.0) -> str:
    """The task's result once it is done; raises Failure if it failed."""
    x = session.xenapi
    deadline = time.monotonic() + timeout
    status: TaskStatusType = x.task.get_status(task)
    while status in ("pending", "cancelling"):
        if time.monotonic() > deadline:
            x.task.cancel(task)
            raise TimeoutError(x.task.get_name_label(task))
        time.sleep(0.05)
        status = x.task.get_status(task)
    try:
        if status != "success":
            raise XenAPI.Failure(x.task.get_error_info(task))
        return x.task.get_result(task)
    finally:
        x.task.destroy(task)


def run(session: XenAPI.Session) -> None:
    x = session.xenapi
    template = x.VM.get_by_name_label("Debian Bookworm 12")[0]
    vm = x.VM.clone(template, "lifecycle-vm")
    x.VM.provision(vm)
    wait(session, x.Async.VM.start(vm, False, False))
    assert x.VM.get_power_state(vm) == "Running"
    record = x.VM.get_record(vm)
    progress: float = x.task.get_progress(x.Async.VM.clean_shutdown(vm))
    assert 0.0 <= progress <= 1.0
    deadline = time.monotonic() + 30
    while x.VM.get_power_state(vm) != "Halted" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert x.VM.get_power_state(vm) == "Halted", record["power_state"]
    # The result of a task that returns a reference is the reference in
    # an XML-RPC value.
    result = wait(session, x.Async.VM.clone(vm, "lifecycle-clone"))
    clone = x.VM.get_by_name_label("lifecycle-clone")[0]
    assert clone in result
    for ref in (clone, vm):
        x.VM.destroy(ref)
