"""The server runtime's entry points and its answers to hostile input, seen
by real Python clients: the PyPI `XenAPI` module with a URL that has no
path (it posts to /RPC2), `system.listMethods`, `event_from`, and, for
every character XML 1.0 cannot carry, replies that `xmlrpc.client` and
`json` can still read."""
import http.client
import json
import xmlrpc.client

import pytest
import XenAPI

# Every character a string can hold that XML 1.0 refuses.
FORBIDDEN = [c for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)] + [0xFFFE, 0xFFFF]


def post(sim, path, body):
    """POSTs raw bytes; returns (HTTP status, reply bytes)."""
    conn = http.client.HTTPConnection(sim.addr, timeout=30)
    try:
        conn.request("POST", path, body=body, headers={"Content-Type": "text/xml"})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def xml_call(method, text):
    return (
        "<methodCall><methodName>%s</methodName><params><param><value><string>%s"
        "</string></value></param></params></methodCall>" % (method, text)
    ).encode("utf-8")


def xml_failure(sim, body, path="/"):
    status, reply = post(sim, path, body)
    assert status == 200, reply
    (value,), _ = xmlrpc.client.loads(reply)
    assert value["Status"] == "Failure", value
    return value["ErrorDescription"]


def json_reply(sim, body):
    status, reply = post(sim, "/jsonrpc", body)
    assert status == 200, reply
    return json.loads(reply)


@pytest.fixture
def session(sim):
    # No path: xmlrpc.client posts to /RPC2.
    url = "http://%s" % sim.addr
    s = XenAPI.Session(url)
    s.xenapi.login_with_password("root", "xenroot", "1.0", "wire-hardening")
    yield s
    s.xenapi.session.logout()


def test_a_url_without_a_path_lists_methods_and_takes_event_from(session):
    names = session.xenapi.system.listMethods()
    assert "VM.start" in names and "Async.VM.start" in names and "system.listMethods" in names
    assert "event.from" in names
    # Without a session, as Xen Orchestra calls it.
    raw = session.system.listMethods()
    assert raw["Status"] == "Success" and raw["Value"] == names
    batch = session.xenapi.event_from(["vm"], "", 0.0)
    assert "token" in batch and isinstance(batch["events"], list)
    again = session.xenapi.event_from(["vm"], batch["token"], 0.0)
    assert "token" in again


def test_list_methods_over_json_rpc(sim):
    for version in ({}, {"jsonrpc": "2.0"}):
        body = dict(version, method="system.listMethods", params=[], id=7)
        reply = json_reply(sim, json.dumps(body).encode())
        assert "VM.get_record" in reply["result"] and reply["id"] == 7


def test_malformed_xml_rpc_gets_an_unmarshal_failure(sim):
    for bad in [b"", b"<methodCall><methodName>x", b"<methodCall>\xff</methodCall>",
                b'<!DOCTYPE x [<!ENTITY a "b">]><methodCall/>',
                b"<methodCall><methodName>VM.get_all</methodName></methodCall>"]:
        for path in ("/", "/RPC2"):
            desc = xml_failure(sim, bad, path)
            assert desc[0] == "XMLRPC_UNMARSHAL_FAILURE" and len(desc) == 3, desc


def test_huge_ids_are_echoed(sim):
    for raw_id in ["1e400", "-1e400", "9" * 400, "[1e400]"]:
        for head in ("", '"jsonrpc":"2.0",'):
            body = '{%s"method":"nowhere.at_all","params":[],"id":%s}' % (head, raw_id)
            status, reply = post(sim, "/jsonrpc", body.encode())
            assert status == 200
            assert reply.decode().endswith('"id":%s}' % raw_id), reply
            json.loads(reply)


def test_every_forbidden_character_is_refused_and_replies_stay_readable(sim, session):
    x = session.xenapi
    vm = x.VM.get_all()[0]
    ref = session._session
    for code in FORBIDDEN:
        # XML-RPC: a raw character and character references.
        texts = ["a&#%d;b" % code, "a&#x%x;b" % code]
        if code < 0x20:
            texts.append("a%sb" % chr(code))
        for text in texts:
            body = (
                "<methodCall><methodName>VM.set_name_label</methodName><params>"
                "<param><value>%s</value></param><param><value>%s</value></param>"
                "<param><value><string>%s</string></value></param></params></methodCall>"
                % (ref, vm, text)
            ).encode("utf-8", "surrogatepass")
            desc = xml_failure(sim, body)
            assert desc[0] == "XMLRPC_UNMARSHAL_FAILURE", (code, desc)
        # An unknown method named with the character, as a reference.
        desc = xml_failure(sim, xml_call("VM.&#%d;" % code, "x"))
        assert desc[0] == "XMLRPC_UNMARSHAL_FAILURE"
        # JSON-RPC: escaped (both cases) or raw, in a parameter, a method name
        # or the originator of a login.
        for escaped in ("\\u%04x" % code, "\\u%04X" % code):
            for version in ("", '"jsonrpc":"2.0",'):
                body = '{%s"method":"VM.set_name_label","params":["%s","%s","a%sb"],"id":1}' % (
                    version, ref, vm, escaped)
                reply = json_reply(sim, body.encode())
                error = reply["error"]
                desc = error if isinstance(error, list) else [error["message"]] + error["data"]
                assert desc[:2] == ["INVALID_VALUE", "params[2]"], desc
                assert ("U+%04X" % code) in desc[2]
            body = '{"method":"VM.%s","params":[],"id":1}' % escaped
            assert json_reply(sim, body.encode())["error"][0] == "INVALID_VALUE"
            body = '{"method":"session.login_with_password","params":["root","xenroot","1.0","o%s"],"id":1}' % escaped
            assert json_reply(sim, body.encode())["error"][:2] == ["INVALID_VALUE", "params[3]"]
        if code > 0xFF:
            body = '{"method":"VM.set_name_label","params":["%s","%s","%s"],"id":1}' % (ref, vm, chr(code))
            assert json_reply(sim, body.encode("utf-8"))["error"][0] == "INVALID_VALUE"
    # Nothing got in: every record still reads through the PyPI module.
    records = x.VM.get_all_records()
    assert vm in records
    for rec in records.values():
        assert not any(ord(c) in FORBIDDEN for c in rec["name_label"])
    x.event_from(["vm"], "", 0.0)
