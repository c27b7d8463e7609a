"""The scripts that tests/stubs type-checks against the generated stubs of
the `XenAPI` module, run for real against the simulator: the types the
checkers accepted must be the values the module really hands over."""
import importlib.util
import os

import pytest
import XenAPI
from conftest import Simulator

GOOD = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "stubs", "good")
SCRIPTS = sorted(f[:-3] for f in os.listdir(GOOD) if f.endswith(".py"))


def load(name):
    spec = importlib.util.spec_from_file_location("stubs_good_" + name, os.path.join(GOOD, name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_script_is_here():
    assert {"events", "failures", "host_metrics", "inventory", "local", "lifecycle", "storage"} <= set(SCRIPTS)


@pytest.mark.parametrize("name", SCRIPTS)
def test_script_runs_against_the_simulator(sim, name):
    session = XenAPI.Session(sim.url)
    session.login_with_password("root", "xenroot", "1.0", "stubs " + name)
    try:
        load(name).run(session)
    finally:
        session.xenapi.session.logout()
    assert session.handle is None


def test_login_spellings_and_void_results(sim):
    """What the stubs say of the module itself: logins return None, the
    session handle is the reference, a void call returns ""."""
    session = XenAPI.Session(sim.url)
    assert session.xenapi.login_with_password("root", "xenroot") is None
    handle = session.handle
    assert isinstance(handle, str) and handle.startswith("OpaqueRef:")
    vm = session.xenapi.VM.get_all()[0]
    assert session.xenapi.VM.set_name_description(vm, session.xenapi.VM.get_name_description(vm)) == ""
    assert session.xenapi.logout() is None
    assert session.login_with_password("root", "xenroot", "1.0") is None
    assert session.logout() is None


def test_unix_socket_transport():
    """The module's UDSTransport, as the stubs type it, against the
    simulator answering on a Unix socket (a path without `_`)."""
    path = "/tmp/xenapi-stubs-%d.sock" % os.getpid()
    s = Simulator("--unix", path)
    try:
        session = load("local").over_socket(path)
        session.login_with_password("root", "xenroot")
        assert session.xenapi.VM.get_all()
        session.logout()
    finally:
        s.stop()
        if os.path.exists(path):
            os.unlink(path)
