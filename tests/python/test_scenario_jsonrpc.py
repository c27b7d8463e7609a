"""The same scenario over JSON-RPC with plain HTTP requests (no client
library): JSON-RPC 2.0, with a look at 1.0."""
import json
import time
import urllib.request

import pytest


class Failure(Exception):
    def __init__(self, details):
        super().__init__(details)
        self.details = details


class JsonRpc:
    """Posts JSON-RPC to the simulator; like the Python XenAPI module, logs
    in again and retries once when the session has gone."""

    def __init__(self, url, version="2.0"):
        self.url = url
        self.version = version
        self.next_id = 0
        self.session = None
        self.creds = None

    def post(self, method, params):
        self.next_id += 1
        body = {"method": method, "params": params, "id": self.next_id}
        if self.version == "2.0":
            body["jsonrpc"] = "2.0"
        req = urllib.request.Request(self.url, json.dumps(body).encode(), {"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as r:
            assert r.status == 200
            reply = json.load(r)
        assert reply["id"] == self.next_id
        if self.version == "2.0":
            assert reply["jsonrpc"] == "2.0"
            if "error" in reply:
                err = reply["error"]
                raise Failure([err["message"]] + list(err.get("data") or []))
            return reply["result"]
        if reply["error"] is not None:
            raise Failure(reply["error"])
        return reply["result"]

    def login(self, user, pwd):
        self.creds = (user, pwd)
        self.session = self.post("session.login_with_password", [user, pwd, "1.0", "xenapi-sim pytest"])

    def __call__(self, method, *params):
        try:
            return self.post(method, [self.session, *params])
        except Failure as e:
            if e.details[0] != "SESSION_INVALID" or not self.creds:
                raise
            self.login(*self.creds)
            return self.post(method, [self.session, *params])


def failure(c, method, *params):
    with pytest.raises(Failure) as e:
        c(method, *params)
    return e.value.details


def test_scenario(sim):
    c = JsonRpc(sim.json_url)
    c.login("root", "xenroot")
    token = c("event.from", ["vm", "task"], "", 0.0)["token"]

    records = c("VM.get_all_records")
    templates = {r: v for r, v in records.items() if v["is_a_template"] and not v["is_a_snapshot"]}
    assert len(templates) >= 10
    rocky = [r for r, v in templates.items() if v["name_label"] == "Rocky Linux 9"][0]

    vm = c("VM.clone", rocky, "json-vm")
    c("VM.provision", vm)
    c("VM.set_is_a_template", vm, False)
    c("VM.start", vm, False, False)
    assert c("VM.get_power_state", vm) == "Running"
    assert failure(c, "VM.start", vm, False, False) == ["VM_BAD_POWER_STATE", vm, "halted", "running"]

    rec = c("VM.get_record", vm)
    assert rec["name_label"] == "json-vm"
    assert rec["memory_static_max"] == 2 * 1024**3  # ints are JSON numbers here
    assert rec["HVM_shadow_multiplier"] == 1.0
    vbd = c("VBD.get_record", rec["VBDs"][0])
    vdi = c("VDI.get_record", vbd["VDI"])
    assert rec["VBDs"][0] in vdi["VBDs"]
    assert vm in c("host.get_resident_VMs", rec["resident_on"])

    c("VM.add_to_blocked_operations", vm, "clean_reboot", "json says no")
    assert c("VM.get_blocked_operations", vm) == {"clean_reboot": "json says no"}
    assert failure(c, "VM.add_to_blocked_operations", vm, "clean_reboot", "x") == [
        "MAP_DUPLICATE_KEY", "VM", "blocked_operations", rec["uuid"], "clean_reboot"]
    assert failure(c, "VM.clean_reboot", vm) == ["OPERATION_BLOCKED", vm, "json says no"]
    assert "clean_reboot" not in c("VM.get_allowed_operations", vm)
    c("VM.remove_from_blocked_operations", vm, "clean_reboot")

    task = c("Async.VM.clean_shutdown", vm)
    deadline = time.time() + 30
    while c("task.get_status", task) == "pending":
        assert time.time() < deadline, "the task was still pending after 30 s: it never finishes"
        time.sleep(0.02)
    t = c("task.get_record", task)
    assert (t["status"], t["progress"], t["error_info"]) == ("success", 1.0, [])
    assert c("VM.get_power_state", vm) == "Halted"
    failed = c("Async.VM.clean_shutdown", vm)
    while c("task.get_status", failed) == "pending":
        time.sleep(0.02)
    assert c("task.get_error_info", failed) == ["VM_BAD_POWER_STATE", vm, "running", "halted"]

    batch = c("event.from", ["vm", "task"], token, 5.0)
    mine = [e for e in batch["events"] if e["ref"] == vm]
    assert mine[0]["operation"] == "add" and mine[-1]["snapshot"]["power_state"] == "Halted"
    assert any(e["class"] == "task" and e["ref"] == task for e in batch["events"])
    started = time.time()
    quiet = c("event.from", ["vm"], batch["token"], 0.5)
    assert quiet["events"] == [] and time.time() - started >= 0.45

    assert failure(c, "VM.get_record", "OpaqueRef:nothing") == ["HANDLE_INVALID", "VM", "OpaqueRef:nothing"]

    # Logged out under the client: SESSION_INVALID, then a new login.
    old = c.session
    JsonRpc(sim.json_url).post("session.logout", [old])
    assert vm in c("VM.get_all")
    assert c.session != old

    current = c.session
    c("session.logout")
    bare = JsonRpc(sim.json_url)
    with pytest.raises(Failure) as e:
        bare.post("VM.get_all", [current])
    assert e.value.details == ["SESSION_INVALID", current]


def test_jsonrpc_1_0_and_shared_sessions(sim):
    import xmlrpc.client
    v1 = JsonRpc(sim.json_url, version="1.0")
    v1.login("root", "xenroot")
    vms = v1("VM.get_all")
    assert len(vms) >= 12
    assert failure(v1, "VM.get_record", "OpaqueRef:x")[0] == "HANDLE_INVALID"
    # A JSON-RPC session works over XML-RPC too.
    reply = xmlrpc.client.ServerProxy(sim.url).VM.get_all(v1.session)
    assert reply["Status"] == "Success" and sorted(reply["Value"]) == sorted(vms)
    v1("session.logout")


def test_malformed_json_gets_an_error_object(sim):
    req = urllib.request.Request(sim.json_url, b"{not json", {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        reply = json.load(r)
    assert reply["error"]["code"] == -32700 and reply["id"] is None
