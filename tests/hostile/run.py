#!/usr/bin/env python3
"""A hostile-input run against the xenapi-sim binary, over both endpoints.

It starts the simulator on a loopback port with a state file and two users
(root, and a read-only `viewer`), then sends it requests in categories:

  json-id        JSON-RPC calls whose `id` is odd (1e400, 400 digits, nested)
  xml-malformed  XML-RPC bodies that are empty, cut short, not UTF-8, laden
                 with entities or DOCTYPEs, nested deeply, or random bytes
  json-malformed JSON-RPC bodies of the same kinds
  control-chars  strings with every character XML 1.0 cannot carry, sent as
                 values, map keys, originators and method names, after which
                 every record and event must still read back over XML-RPC
  half-close     a whole request, then shutdown(SHUT_WR), on a fresh socket
  mutation       valid calls with random bytes flipped, cut or inserted
  secrecy        the viewer looking for other sessions' references
  forbidden      the viewer trying writes its role does not allow
  memory         logins never logged out and task.create in a loop
  state-file     restarts on damaged, empty and non-regular state files

Every HTTP reply is checked: no 5xx, and every 200 body must parse with
Python's own `xmlrpc.client` or `json`. The simulator's log must show no
panic and its resident memory must stay under a bound. The run prints its
counts per category and a closing line; it exits 1 on any failure.

    python3 tests/hostile/run.py [--sim PATH] [--scale 1.0] [--seed N]
"""

import argparse
import http.client
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import xmlrpc.client

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "python"))
import conftest  # noqa: E402 - how the Python tests find the simulator binary

# Characters XML 1.0 cannot carry (the NUL is included: no XML can hold it).
FORBIDDEN = [c for c in range(0x20) if c not in (0x9, 0xA, 0xD)] + [0xFFFE, 0xFFFF]
RSS_BOUND_MIB = 256


class Counts:
    """Per-category tallies; `bad` holds the first few offending samples."""

    def __init__(self):
        self.rows = {}
        self.bad = []

    def row(self, cat):
        return self.rows.setdefault(cat, {"requests": 0, "ok": 0, "4xx": 0, "5xx": 0,
                                           "ill-formed": 0, "unanswered": 0, "wrong": 0})

    def add(self, cat, key, sample=None):
        self.row(cat)[key] += 1
        if key in ("5xx", "ill-formed", "unanswered", "wrong") and sample is not None and len(self.bad) < 40:
            self.bad.append((cat, key, sample))

    def failures(self):
        return sum(r[k] for r in self.rows.values() for k in ("5xx", "ill-formed", "unanswered", "wrong"))

    def requests(self):
        return sum(r["requests"] for r in self.rows.values())


class Simulator:
    """The simulator binary on a free loopback port, its stderr in a file."""

    def __init__(self, binary, workdir, state, extra=()):
        self.binary, self.workdir, self.state = binary, workdir, state
        self.log_path = os.path.join(workdir, "sim.log")
        self.extra = list(extra)
        self.proc = None

    def args(self):
        return [self.binary, "--listen", "127.0.0.1:0", "--state", self.state,
                "--user", "root:xenroot", "--user", "viewer:secret:read-only",
                "--task-delay-ms", "5", *self.extra]

    def start(self):
        log = open(self.log_path, "a")
        self.proc = subprocess.Popen(self.args(), stdout=subprocess.PIPE, stderr=log, text=True)
        for line in self.proc.stdout:
            m = re.search(r"listening on http://([0-9.]+):([0-9]+)/", line)
            if m:
                self.port = int(m.group(2))
                break
        else:
            raise RuntimeError("the simulator did not start; log:\n" + self.log())
        self.drain = self.proc.stdout

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def rss_mib(self):
        try:
            with open("/proc/%d/status" % self.proc.pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""


class Wire:
    """Keep-alive HTTP to the simulator; every reply is checked."""

    def __init__(self, sim, counts):
        self.sim, self.counts = sim, counts
        self.conn = None
        self.rss_max = 0.0
        self.sent = 0

    def _conn(self):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.sim.port, timeout=30)
        return self.conn

    def post(self, cat, path, body, expect_ok=None):
        """Posts `body`; returns the parsed reply (dict) or None."""
        self.counts.add(cat, "requests")
        self.sent += 1
        if self.sent % 500 == 0:
            self.rss_max = max(self.rss_max, self.sim.rss_mib())
        ctype = "application/json" if path == "/jsonrpc" else "text/xml"
        try:
            c = self._conn()
            c.request("POST", path, body=body, headers={"Content-Type": ctype})
            resp = c.getresponse()
            data = resp.read()
            status = resp.status
            if resp.will_close:
                self.close()
        except (OSError, http.client.HTTPException) as e:
            self.close()
            self.counts.add(cat, "unanswered", (path, repr(body[:120]), repr(e)))
            return None
        return self.check(cat, path, status, data, body)

    def check(self, cat, path, status, data, body):
        if status >= 500:
            self.counts.add(cat, "5xx", (path, status, repr(body[:120]), data[:200]))
            return None
        if status != 200:
            self.counts.add(cat, "4xx")
            return None
        parsed = parse_reply(path, data)
        if parsed is None:
            self.counts.add(cat, "ill-formed", (path, repr(body[:120]), data[:300]))
            return None
        self.counts.add(cat, "ok")
        return parsed

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    # Convenience calls with well-formed bodies.
    def xml(self, cat, method, params):
        body = xmlrpc.client.dumps(tuple(params), method, allow_none=False).encode()
        return self.post(cat, "/", body)

    def json(self, cat, method, params, rid=1, v2=True):
        req = {"method": method, "params": params, "id": rid}
        if v2:
            req["jsonrpc"] = "2.0"
        return self.post(cat, "/jsonrpc", json.dumps(req).encode())


def parse_reply(path, data):
    """The reply as Python's own parsers read it, or None if they cannot."""
    if path == "/jsonrpc":
        try:
            v = json.loads(data)
        except ValueError:
            return None
        return v if isinstance(v, dict) and "id" in v else None
    try:
        (v,), _ = xmlrpc.client.loads(data)
    except Exception:  # noqa: BLE001 - any parser complaint means ill-formed
        return None
    return v if isinstance(v, dict) and v.get("Status") in ("Success", "Failure") else None


def value_of(reply):
    """The success value of an XML-RPC or JSON-RPC reply, else None."""
    if reply is None:
        return None
    if reply.get("Status") == "Success":
        return reply.get("Value")
    if "result" in reply and reply.get("error") is None:
        return reply["result"]
    return None


def error_of(reply):
    if reply is None:
        return None
    if reply.get("Status") == "Failure":
        return reply.get("ErrorDescription")
    err = reply.get("error")
    if isinstance(err, dict):
        return [err.get("message")] + list(err.get("data") or [])
    return err


def login(w, user, pwd, cat="setup"):
    v = value_of(w.xml(cat, "session.login_with_password", [user, pwd, "1.0", "hostile"]))
    if not isinstance(v, str):
        raise RuntimeError("cannot log in as %s" % user)
    return v


# ------------------------------------------------------------------ categories

ODD_IDS = ["1e400", "-1e400", "9" * 400, "-" + "7" * 400, "[1e400]", "{\"a\":1e999}", "1.5e-400",
           "-0", "0", "1E+2", "true", "false", "\"\"", "\"id\\u00e9\\n\"", "[]", "{}", "[[[[[1]]]]]",
           "123456789012345678901234567890.5e10", "\"OpaqueRef:abc\"", "[\"a\",{\"b\":[null]}]"]


def run_json_ids(w, s, vm, counts, n):
    calls = [("VM.get_record", [s, "OpaqueRef:nope"]), ("VM.get_name_label", [s, vm]),
             ("no.such_method", [s]), ("VM.get_record", [s]), ("session.login_with_password", ["root", "bad", "1.0", ""])]
    for i in range(n):
        rid = ODD_IDS[i % len(ODD_IDS)]
        method, params = calls[(i // len(ODD_IDS)) % len(calls)]
        head = '{"jsonrpc":"2.0",' if i % 2 == 0 else "{"
        body = ('%s"method":%s,"params":%s,"id":%s}' % (head, json.dumps(method), json.dumps(params), rid)).encode()
        counts.add("json-id", "requests")
        w.counts.rows["json-id"]["requests"] -= 1  # post() counts it
        reply_raw = raw_post(w, "json-id", "/jsonrpc", body)
        if reply_raw is None:
            continue
        # The id must come back as the very text that was sent.
        if not re.search(rb'"id":\s*' + re.escape(rid.encode()) + rb"\s*[,}]", reply_raw):
            counts.add("json-id", "wrong", ("id not echoed", rid, reply_raw[:200]))


def raw_post(w, cat, path, body):
    """post(), but returns the raw body of a well-formed 200 reply."""
    w.counts.add(cat, "requests")
    try:
        c = w._conn()
        c.request("POST", path, body=body, headers={"Content-Type": "application/json"})
        resp = c.getresponse()
        data = resp.read()
        if resp.will_close:
            w.close()
    except (OSError, http.client.HTTPException) as e:
        w.close()
        w.counts.add(cat, "unanswered", (path, repr(body[:120]), repr(e)))
        return None
    return data if w.check(cat, path, resp.status, data, body) is not None else None


def xml_call(method, params_xml):
    return ("<?xml version='1.0'?><methodCall><methodName>%s</methodName><params>%s</params></methodCall>"
            % (method, "".join("<param><value>%s</value></param>" % p for p in params_xml))).encode()


def bad_bodies(rnd, n, fixed, good, specials):
    """`n` bodies: the `fixed` ones, then in turn a cut-short `good`, random
    bytes, and `good` with one byte replaced by one of `specials`."""
    for i in range(n):
        if i < len(fixed):
            yield fixed[i]
        elif i % 3 == 0:
            yield good[: rnd.randrange(len(good))]
        elif i % 3 == 1:
            yield bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 200)))
        else:
            b = bytearray(good)
            b[rnd.randrange(len(b))] = rnd.choice(specials)
            yield bytes(b)


def malformed_xml_bodies(s, rnd, n):
    good = xml_call("VM.get_all", ["<string>%s</string>" % s])
    fixed = [
        b"", b" ", b"<", b"<methodCall>", b"<methodCall><methodName>VM.get_all</methodName>",
        b"<methodCall><methodName>VM.get_all</methodName></methodCall>",
        b"\xff\xfe<\x00m\x00", b"<methodCall><methodName>\xc3\x28</methodName><params/></methodCall>",
        b"<?xml version='1.0'?><!DOCTYPE a [<!ENTITY e 'x'>]><methodCall><methodName>&e;</methodName><params/></methodCall>",
        b"<!DOCTYPE l [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'><!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'>]><methodCall><methodName>&c;</methodName></methodCall>",
        b"<methodCall><methodName>VM.get_all</methodName><params><param><value><struct><member><name>a</name></member></struct></value></param></params></methodCall>",
        b"<methodCall><methodName>VM.get_all</methodName><params>" + b"<param><value><array><data>" * 3000 + b"</params></methodCall>",
        b"<methodCall><methodName>VM.get_all</methodName><params><param><value><i4>99999999999999999999</i4></value></param></params></methodCall>",
        b"<methodCall><methodName>VM.get_all</methodName><params><param><value><double>1e999</double></value></param></params></methodCall>",
        b"<methodCall><methodName>VM.get_all</methodName><params><param><value><dateTime.iso8601>x</dateTime.iso8601></value></param></params></methodCall>",
        b"<methodCall><methodName>VM.get_all</methodName><params><param><value><base64>!!!</base64></value></param></params></methodCall>",
        b"<methodCall><methodName>VM.get_all</methodName><params><param><value>&#0;</value></param></params></methodCall>",
        b"<methodCall><methodName>VM.get_all</methodName><params><param><value>&#xD800;</value></param></params></methodCall>",
        b"<methodCall><methodName>VM.get_all</methodName><params><param><value>&#99999999;</value></param></params></methodCall>",
        b"<methodCall><methodName>VM.get_all</methodName><params><param><value>&nope;</value></param></params></methodCall>",
        b"<methodCall><methodName>VM.get_all</methodName><params><param><value><![CDATA[x]]></value></param></params></methodCall>",
        b"<?xml version='1.0' encoding='EBCDIC'?><methodCall/>",
        b"<methodResponse><params><param><value>x</value></param></params></methodResponse>",
    ]
    return bad_bodies(rnd, n, fixed, good, b"<>&;\"'\x00\x01\xff/=")


def malformed_json_bodies(s, rnd, n):
    good = json.dumps({"jsonrpc": "2.0", "method": "VM.get_all", "params": [s], "id": 5}).encode()
    fixed = [
        b"", b" ", b"{", b"[]", b"null", b"\"x\"", b"{\"method\":1,\"params\":[],\"id\":1}",
        b"{\"method\":\"VM.get_all\",\"params\":{},\"id\":1}", b"{\"method\":\"VM.get_all\",\"params\":[],\"id\":null}",
        b"{\"method\":\"VM.get_all\",\"params\":[]}", b"{\"jsonrpc\":\"3.0\",\"method\":\"VM.get_all\",\"params\":[],\"id\":1}",
        b"\xff\xfe{}", b"{\"method\":\"\xc3\x28\",\"params\":[],\"id\":1}",
        b"{\"method\":\"VM.get_all\",\"params\":[" + b"[" * 5000 + b"]" * 5000 + b"],\"id\":1}",
        b"{\"method\":\"VM.get_all\",\"params\":[\"\\ud800\"],\"id\":1}",
        b"{\"method\":\"VM.get_all\",\"params\":[NaN, Infinity],\"id\":1}",
        b"{\"method\":\"VM.get_all\",\"method\":\"VM.get_all\",\"params\":[],\"id\":1}",
    ]
    return bad_bodies(rnd, n, fixed, good, b"{}[]\",:\\\x00\xff0")


def run_control_chars(w, s_json, s_xml, vm, counts):
    cat = "control-chars"
    for cp in FORBIDDEN:
        ch = chr(cp)
        w.json(cat, "VM.set_name_label", [s_json, vm, "a%sb" % ch])
        w.json(cat, "VM.add_to_other_config", [s_json, vm, "k%s" % ch, "v"])
        w.json(cat, "VM.add_to_other_config", [s_json, vm, "k%d" % cp, "v%s" % ch])
        w.json(cat, "session.login_with_password", ["root", "xenroot", "1.0", "orig%s" % ch])
        w.json(cat, "VM.get_name%slabel" % ch, [s_json, vm])
        ref = "&#%d;" % cp
        w.post(cat, "/", xml_call("VM.set_name_label", ["<string>%s</string>" % s_xml, "<string>%s</string>" % vm,
                                                       "<string>x%sy</string>" % ref]))
        w.post(cat, "/", xml_call("VM.set_name_label", ["<string>%s</string>" % s_xml, "<string>%s</string>" % vm,
                                                       "<string>x&#x%X;y</string>" % cp]))
        raw = ch.encode("utf-8", "surrogatepass")
        w.post(cat, "/", xml_call("VM.set_name_label", ["<string>%s</string>" % s_xml, "<string>%s</string>" % vm,
                                                       "x"]).replace(b"<string>x</string>", b"<string>x" + raw + b"y</string>"))
        w.post(cat, "/", xml_call("VM.get_name" + ref + "label", ["<string>%s</string>" % s_xml, "<string>%s</string>" % vm]))
        w.post(cat, "/", xml_call("session.login_with_password", ["root", "xenroot", "1.0", "o" + ref]))
        # Whatever was accepted, everything must still read back over XML-RPC.
        for method, params in (("VM.get_all_records", [s_xml]), ("VM.get_record", [s_xml, vm]),
                               ("event.from", [s_xml, ["*"], "", 0.0]), ("session.get_record", [s_xml, s_xml])):
            r = w.xml(cat, method, params)
            if value_of(r) is None:
                counts.add(cat, "wrong", ("cannot read back after U+%04X" % cp, method, error_of(r)))


def run_half_close(sim, counts, n, s):
    cat = "half-close"
    xml_body = xmlrpc.client.dumps((s,), "VM.get_all").encode()
    json_body = json.dumps({"jsonrpc": "2.0", "method": "VM.get_all", "params": [s], "id": 1}).encode()
    for i in range(n):
        path, body = ("/", xml_body) if i % 2 == 0 else ("/jsonrpc", json_body)
        req = (b"POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n"
               % (path.encode(), len(body))) + body
        counts.add(cat, "requests")
        try:
            with socket.create_connection(("127.0.0.1", sim.port), timeout=10) as sock:
                sock.sendall(req)
                sock.shutdown(socket.SHUT_WR)
                data = b""
                while True:
                    chunk = sock.recv(65536)
                    if not chunk:
                        break
                    data += chunk
        except OSError as e:
            counts.add(cat, "unanswered", (path, repr(e)))
            continue
        head, _, payload = data.partition(b"\r\n\r\n")
        m = re.match(rb"HTTP/1\.[01] (\d+)", head)
        if not m:
            counts.add(cat, "unanswered", (path, data[:100]))
            continue
        status = int(m.group(1))
        if status >= 500:
            counts.add(cat, "5xx", (path, head[:100]))
        elif status != 200:
            counts.add(cat, "4xx")
        elif parse_reply(path, payload) is None:
            counts.add(cat, "ill-formed", (path, payload[:200]))
        else:
            counts.add(cat, "ok")


def mutated(rnd, body):
    b = bytearray(body)
    for _ in range(rnd.randrange(1, 4)):
        k = rnd.randrange(3)
        pos = rnd.randrange(len(b)) if b else 0
        if k == 0 and b:
            b[pos] = rnd.randrange(256)
        elif k == 1 and b:
            del b[pos:pos + rnd.randrange(1, 8)]
        else:
            b[pos:pos] = bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 8)))
    return bytes(b)


def run_mutation(w, rnd, s, vm, n):
    seeds = [
        ("/", xmlrpc.client.dumps((s, vm, "mutant"), "VM.set_name_description").encode()),
        ("/", xmlrpc.client.dumps((s, ["VM", "task"], "", 0.0), "event.from").encode()),
        ("/", xmlrpc.client.dumps(("root", "xenroot", "1.0", "m"), "session.login_with_password").encode()),
        ("/", xmlrpc.client.dumps((s, vm, {"a": "b"}), "VM.set_other_config").encode()),
        ("/jsonrpc", json.dumps({"jsonrpc": "2.0", "method": "VM.set_name_description", "params": [s, vm, "m"], "id": 9}).encode()),
        ("/jsonrpc", json.dumps({"method": "VM.get_record", "params": [s, vm], "id": "x"}).encode()),
        ("/jsonrpc", json.dumps({"jsonrpc": "2.0", "method": "VM.set_VCPUs_max", "params": [s, vm, 4], "id": [1]}).encode()),
    ]
    for i in range(n):
        path, body = seeds[i % len(seeds)]
        w.post("mutation", path, mutated(rnd, body))


def run_secrecy(w, viewer, root_refs, counts, n):
    cat = "secrecy"
    probes = [
        ("event.from", [viewer, ["session"], "", 0.0]), ("event.from", [viewer, ["*"], "", 0.0]),
        ("session.get_all", [viewer]), ("session.get_all_records", [viewer]),
        ("task.get_all_records", [viewer]), ("user.get_all_records", [viewer]),
        ("subject.get_all_records", [viewer]), ("session.get_record", [viewer, viewer]),
        ("event.from", [viewer, ["task", "session/" + viewer], "", 0.0]),
    ]
    for i in range(n):
        method, params = probes[i % len(probes)]
        for path in ("/", "/jsonrpc"):
            counts.add(cat, "requests")
            counts.rows[cat]["requests"] -= 1
            if path == "/":
                body = xmlrpc.client.dumps(tuple(params), method).encode()
            else:
                body = json.dumps({"jsonrpc": "2.0", "method": method, "params": params, "id": 1}).encode()
            data = raw_post(w, cat, path, body)
            if data is None:
                continue
            for r in root_refs:
                if r.encode() in data:
                    counts.add(cat, "wrong", ("another session's ref leaked", method, path))
                    break
    # The uuid of root's session must not lead to its ref either.
    for r in root_refs[:3]:
        uuid = value_of(w.xml(cat, "session.get_uuid", [r, r]))
        if isinstance(uuid, str):
            got = w.xml(cat, "session.get_by_uuid", [viewer, uuid])
            if value_of(got) in root_refs:
                counts.add(cat, "wrong", ("get_by_uuid leaked a ref", uuid))


def run_forbidden(w, viewer, vm, counts, n):
    cat = "forbidden"
    writes = [
        ("VM.set_name_label", [viewer, vm, "pwned"]), ("VM.destroy", [viewer, vm]),
        ("VM.add_to_other_config", [viewer, vm, "pwned", "1"]), ("VM.hard_shutdown", [viewer, vm]),
        ("session.change_password", [viewer, "secret", "other"]),
        ("pool.set_name_label", [viewer, "OpaqueRef:NULL", "x"]),
        ("VM.clone", [viewer, vm, "copy"]), ("network.create", [viewer, {"name_label": "n"}]),
    ]
    for i in range(n):
        method, params = writes[i % len(writes)]
        r = w.xml(cat, method, params) if i % 2 == 0 else w.json(cat, method, params)
        err = error_of(r)
        if r is not None and not err:
            counts.add(cat, "wrong", ("a forbidden write succeeded", method))


def run_memory(w, sim, counts, logins, tasks):
    cat = "memory"
    before = sim.rss_mib()
    s = login(w, "root", "xenroot", cat)
    for i in range(logins):
        w.xml(cat, "session.login_with_password", ["root", "xenroot", "1.0", "leak-%d" % (i % 7)])
    for i in range(tasks):
        w.xml(cat, "task.create", [s, "t%d" % i, "never destroyed"])
    after = sim.rss_mib()
    r = w.xml(cat, "task.get_all", [s])
    kept = value_of(r)
    # xapi keeps 200 tasks past which completed ones go; pending ones stay,
    # up to the simulator's cap of 1000 pending tasks.
    if isinstance(kept, list) and len(kept) > 200 + 1000:
        counts.add(cat, "wrong", ("tasks kept", len(kept)))
    return before, after


def run_state_files(binary, workdir, state, rnd, trials, counts):
    """Restarts on damaged copies of a real state file: each must either be
    refused with a message (exit 2, no panic) or start normally; an empty
    file, a FIFO and a directory must be refused without hanging."""
    cat = "state-file"
    outcomes = {"refused": 0, "started": 0}
    with open(state, "rb") as f:
        original = f.read()
    lines = original.split(b"\n")

    def attempt(path, what):
        counts.add(cat, "requests")
        out_path = os.path.join(workdir, "attempt.out")
        with open(out_path, "w") as out_file:
            proc = subprocess.Popen(Simulator(binary, workdir, path).args(), stdin=subprocess.DEVNULL,
                                    stdout=out_file, stderr=subprocess.STDOUT)
            deadline = time.time() + 5
            code = None
            while time.time() < deadline:
                code = proc.poll()
                with open(out_path, errors="replace") as f:
                    out = f.read()
                if code is not None or "listening on" in out:
                    break
                time.sleep(0.02)
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        with open(out_path, errors="replace") as f:
            out = f.read()
        if "panicked" in out:
            counts.add(cat, "wrong", (what, "panic", out[-300:]))
            return None
        if code is None:
            if "listening on" in out:
                outcomes["started"] += 1
                counts.add(cat, "ok")
                return "started"
            counts.add(cat, "wrong", (what, "hung", out[-300:]))
            return None
        if code != 0 and out.strip():
            outcomes["refused"] += 1
            counts.add(cat, "ok")
            return "refused"
        counts.add(cat, "wrong", (what, "exit %s without a message" % code, out[-300:]))
        return None

    # Byte flips in complete lines other than the last must be refused.
    body_len = len(original) - len(lines[-1]) - len((lines[-2] if len(lines) > 1 else b"")) - 1
    for t in range(trials):
        if body_len <= 0:
            break
        pos = rnd.randrange(body_len)
        damaged = bytearray(original)
        damaged[pos] ^= 1 << rnd.randrange(8)
        if damaged[pos] == ord("\n") or original[pos] == ord("\n"):
            continue
        path = os.path.join(workdir, "damaged-%d.state" % t)
        with open(path, "wb") as f:
            f.write(damaged)
        got = attempt(path, "flip at %d" % pos)
        if got == "started":
            counts.add(cat, "wrong", ("a flipped byte was accepted", pos))
            counts.rows[cat]["ok"] -= 1
        os.unlink(path)
    # A torn last line (a write cut short: the start of a record line) is
    # skipped and kept aside, not refused.
    torn = os.path.join(workdir, "torn.state")
    last = next(line for line in reversed(lines) if line)
    with open(torn, "wb") as f:
        f.write(original + last[: len(last) // 2])
    if attempt(torn, "torn last line") != "started":
        counts.add(cat, "wrong", ("a torn last line was refused",))
    empty = os.path.join(workdir, "empty.state")
    open(empty, "wb").close()
    if attempt(empty, "empty file") != "refused":
        counts.add(cat, "wrong", ("an empty state file was not refused",))
    fifo = os.path.join(workdir, "fifo.state")
    os.mkfifo(fifo)
    if attempt(fifo, "fifo") != "refused":
        counts.add(cat, "wrong", ("a FIFO state file was not refused",))
    d = os.path.join(workdir, "dir.state")
    os.mkdir(d)
    if attempt(d, "directory") != "refused":
        counts.add(cat, "wrong", ("a directory as state file was not refused",))
    return outcomes


def sim_binary(arg):
    """`arg`, else the binary the Python tests use ($XENAPI_SIM, else a debug build)."""
    return arg or conftest.sim_binary()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sim", help="the xenapi-sim binary (default: $XENAPI_SIM, else a debug build)")
    ap.add_argument("--scale", type=float, default=1.0, help="multiplies every request count")
    ap.add_argument("--seed", type=int, default=20261201)
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    n = lambda k: max(1, int(k * args.scale))  # noqa: E731
    binary = sim_binary(args.sim)
    workdir = tempfile.mkdtemp(prefix="xenapi-hostile-")
    state = os.path.join(workdir, "sim.state")
    counts = Counts()
    sim = Simulator(binary, workdir, state)
    sim.start()
    started = time.time()
    w = Wire(sim, counts)
    try:
        s_xml = login(w, "root", "xenroot")
        s_json = login(w, "root", "xenroot")
        viewer = login(w, "viewer", "secret")
        vm = next(r for r, rec in value_of(w.xml("setup", "VM.get_all_records", [s_xml])).items()
                  if not rec["is_a_template"])
        rss_start = sim.rss_mib()
        run_json_ids(w, s_json, vm, counts, n(2000))
        for body in malformed_xml_bodies(s_xml, rnd, n(4000)):
            w.post("xml-malformed", "/", body)
        for body in malformed_json_bodies(s_json, rnd, n(3000)):
            w.post("json-malformed", "/jsonrpc", body)
        run_control_chars(w, s_json, s_xml, vm, counts)
        run_half_close(sim, counts, n(800), s_xml)
        run_mutation(w, rnd, s_xml, vm, n(5000))
        run_secrecy(w, viewer, [s_xml, s_json], counts, n(300))
        run_forbidden(w, viewer, vm, counts, n(1000))
        mem_before, mem_after = run_memory(w, sim, counts, n(4000), n(1000))
        w.rss_max = max(w.rss_max, sim.rss_mib())
        alive = sim.alive()
        if alive and value_of(w.xml("setup", "VM.get_all", [login(w, "root", "xenroot")])) is None:
            counts.add("setup", "wrong", ("a normal call failed after the run",))
    finally:
        w.close()
        sim.stop()
    elapsed = time.time() - started
    log = sim.log()
    panics = log.count("panicked")
    outcomes = run_state_files(binary, workdir, state, rnd, n(60), counts)
    panics += sim.log().count("panicked") - log.count("panicked")

    print("%-15s %8s %8s %6s %5s %10s %10s %6s" % ("category", "requests", "ok", "4xx", "5xx", "ill-formed", "unanswered", "wrong"))
    for cat, r in counts.rows.items():
        print("%-15s %8d %8d %6d %5d %10d %10d %6d" % (cat, r["requests"], r["ok"], r["4xx"], r["5xx"],
                                                     r["ill-formed"], r["unanswered"], r["wrong"]))
    print("HTTP requests: %d in %.1f s; state-file restarts: %s" % (counts.requests() - counts.rows.get("state-file", {}).get("requests", 0), elapsed, outcomes))
    print("simulator alive at the end: %s; panics in its log: %d" % (alive, panics))
    print("RSS: %.1f MiB at start, %.1f MiB max, %.1f -> %.1f MiB over the memory phase (bound %d MiB)"
          % (rss_start, w.rss_max, mem_before, mem_after, RSS_BOUND_MIB))
    for sample in counts.bad:
        print("  failure:", sample)
    failed = counts.failures() + panics + (0 if alive else 1) + (1 if w.rss_max > RSS_BOUND_MIB else 0)
    if failed == 0:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print("kept for inspection:", workdir)
    # One check per category, plus: no panic, still alive, memory bounded.
    checks = [sum(r[k] for k in ("5xx", "ill-formed", "unanswered", "wrong")) == 0 for r in counts.rows.values()]
    checks += [panics == 0, alive, w.rss_max <= RSS_BOUND_MIB]
    print("%d passed, %d failed" % (checks.count(True), checks.count(False)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
