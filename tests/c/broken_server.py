#!/usr/bin/env python3
"""A deliberately broken XML-RPC server for the C SDK's robustness tests.

Each URL path answers every POST with one canned reply (XML-RPC, or
JSON-RPC for paths under /json/ that end in /jsonrpc): some well-formed
(to log in, or to check that records missing or adding fields still
decode), most broken in one way (not XML, cut short, the wrong types,
malformed error payloads, an HTTP error). The test program points its
session at one path after another.

    broken_server.py [--port N] [--port-file FILE]

Listens on 127.0.0.1 (port 0 picks a free one); writes the port to
--port-file once listening.
"""

import argparse
import http.server
import json
import os
import socketserver
import sys


def success(value):
    return (
        "<?xml version='1.0'?>\n<methodResponse><params><param><value><struct>"
        "<member><name>Status</name><value>Success</value></member>"
        "<member><name>Value</name>" + value + "</member>"
        "</struct></value></param></params></methodResponse>\n"
    )


def failure(desc_value):
    return (
        "<?xml version='1.0'?>\n<methodResponse><params><param><value><struct>"
        "<member><name>Status</name><value>Failure</value></member>"
        "<member><name>ErrorDescription</name>" + desc_value + "</member>"
        "</struct></value></param></params></methodResponse>\n"
    )


def response(value):
    """A methodResponse holding one value, whatever it is."""
    return "<?xml version='1.0'?><methodResponse><params><param>" + value + "</param></params></methodResponse>"


def string(s):
    return "<value><string>" + s + "</string></value>"


def member(name, value):
    return "<member><name>" + name + "</name>" + value + "</member>"


def struct(*members):
    return "<value><struct>" + "".join(members) + "</struct></value>"


def array(*values):
    return "<value><array><data>" + "".join(values) + "</data></array></value>"


VM_REF = "OpaqueRef:1f5e2a90-0000-4000-8000-000000000001"

# A VM record as a newer server might send it: every field the tests look
# at, pretty-printed, plus fields this client does not know.
GOOD_VM = struct(
    member("uuid", string("1f5e2a90-0000-4000-8000-000000000001")),
    member("name_label", string("good &amp; proper")),
    member("name_description", "<value>bare text</value>"),
    member("power_state", string("Running")),
    member("memory_target", "<value><i4>1024</i4></value>"),
    member("memory_static_max", string("17179869184")),
    member("VCPUs_max", "<value><i8>4</i8></value>"),
    member("is_a_template", "<value><boolean>0</boolean></value>"),
    member("HVM_shadow_multiplier", "<value><double>1.5</double></value>"),
    member("snapshot_time", "<value><dateTime.iso8601>2024-04-20T12:00:00Z</dateTime.iso8601></value>"),
    member("other_config", struct(member("a", string("1")), member("b", string("2")))),
    member("tags", array(string("x"), string("y"))),
    member("blocked_operations", struct(member("start", string("no")), member("future_op", string("?")))),
    member("allowed_operations", array(string("clone"), string("an_operation_from_the_future"))),
    member("resident_on", string("OpaqueRef:NULL")),
    member("VBDs", array(string("OpaqueRef:vbd1"), string("OpaqueRef:vbd2"))),
    member("field_from_the_future", struct(member("deep", array(string("ignored"))))),
)

# A VM record as an old server might send it: almost every field missing.
SPARSE_VM = struct(member("uuid", string("sparse")), member("name_label", string("old server")))

TRUNCATED = success(array(string(VM_REF), string("OpaqueRef:second")))[:-60]

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        '<!ENTITY lol%d "%s">' % (i, ("&lol%d;" % (i - 1) if i > 1 else "&lol;") * 10) for i in range(1, 10)
    )
    + "]>\n<methodResponse><params><param><value><struct>"
    "<member><name>Status</name><value>Success</value></member>"
    "<member><name>Value</name><value>&lol9;</value></member>"
    "</struct></value></param></params></methodResponse>"
)

DEEP = success("<value><array><data>" * 5000 + "</data></array></value>" * 5000)

# An event batch as some servers spell it: validRefCounts in camel case.
EVENTS_CAMEL_CASE = struct(
    member("events", array()),
    member("validRefCounts", struct(member("VM", string("3")), member("host", string("1")))),
    member("token", string("token-7")),
)

REPLIES = {
    # Well-formed replies.
    "/login": success(string("OpaqueRef:broken-server-session")),
    "/void": success(string("")),
    "/good-record": success(GOOD_VM),
    "/sparse-record": success(SPARSE_VM),
    "/records": success(struct(member(VM_REF, GOOD_VM), member("OpaqueRef:2", SPARSE_VM))),
    "/unknown-enum": success(string("Levitating")),
    "/epoch-datetime": success("<value><string>1700000000</string></value>"),
    "/events-camel-case": success(EVENTS_CAMEL_CASE),
    "/failure": failure(array(string("VM_BAD_POWER_STATE"), string(VM_REF), string("halted"), string("running"))),
    # Broken ones.
    "/garbage": "this is not XML at all \x00\x01\xff",
    "/empty": "",
    "/truncated": TRUNCATED,
    "/html": "<html><body><h1>Welcome to nginx!</h1></body></html>",
    "/wrong-root": "<?xml version='1.0'?><methodCall><methodName>x</methodName></methodCall>",
    "/no-params": "<?xml version='1.0'?><methodResponse></methodResponse>",
    "/not-a-struct": response(string("Success")),
    "/no-status": response(struct(member("Value", string("x")))),
    "/odd-status": response(struct(member("Status", string("Maybe")), member("Value", string("x")))),
    "/no-value": response(struct(member("Status", string("Success")))),
    "/fault": "<?xml version='1.0'?><methodResponse><fault>"
    + struct(member("faultCode", "<value><int>-1</int></value>"), member("faultString", string("server exploded")))
    + "</fault></methodResponse>",
    "/fault-garbled": "<?xml version='1.0'?><methodResponse><fault><value>nope</value></fault></methodResponse>",
    "/failure-no-description": response(struct(member("Status", string("Failure")))),
    "/failure-single": failure(string("SESSION_INVALID")),
    "/failure-empty": failure(array()),
    "/failure-struct": failure(struct(member("code", string("X")))),
    "/failure-mixed": failure(array(string("HANDLE_INVALID"), "<value><int>42</int></value>", struct(), array())),
    "/wrong-string": success(array(string("a"))),
    "/wrong-int": success("<value><boolean>1</boolean></value>"),
    "/int-overflow": success(string("99999999999999999999999")),
    "/int-junk": success(string("12abc")),
    "/wrong-bool": success(string("perhaps")),
    "/wrong-float": success(string("one point five")),
    "/wrong-datetime": success("<value><dateTime.iso8601>yesterday</dateTime.iso8601></value>"),
    "/wrong-set": success(struct(member("a", string("b")))),
    "/wrong-map": success(array(string("a"))),
    "/wrong-record": success(string("a string where a record belongs")),
    "/wrong-field": success(
        struct(member("uuid", string("u")), member("memory_target", "<value><boolean>1</boolean></value>"))
    ),
    "/wrong-nested": success(struct(member(VM_REF, struct(member("tags", struct()))))),
    "/wrong-map-key": success(struct(member("not-a-number", "<value><double>0.5</double></value>"))),
    "/member-without-value": success("<value><struct><member><name>uuid</name></member></struct></value>"),
    "/billion-laughs": BILLION_LAUGHS,
    "/deep": DEEP,
    "/invalid-utf8": success(string("caf\xe9")),
    "/http-500": None,
}


# JSON-RPC replies, for clients whose URL is http://HOST:PORT/json/NAME
# (they post to /json/NAME/jsonrpc). Each is the reply object without its
# id, which is copied from the request.
JSON_REPLIES = {
    "/json/login": {"jsonrpc": "2.0", "result": "OpaqueRef:broken-server-session"},
    # Error objects without a usable code: not API errors.
    "/json/error-wrong-types": {"jsonrpc": "2.0", "error": {"code": "abcd", "message": 123456, "data": 2.0}},
    "/json/error-no-message": {"jsonrpc": "2.0", "error": {"code": 1, "data": ["x"]}},
    "/json/error-list-number-code": {"result": None, "error": [42, "x"]},
    "/json/error-list-empty": {"result": None, "error": []},
    "/json/error-number": {"result": None, "error": 7},
    # Well-formed errors in the less usual shapes.
    "/json/error-single-data": {"jsonrpc": "2.0", "error": {"code": 1, "message": "HANDLE_INVALID", "data": "VM"}},
    "/json/error-mixed-data": {"result": None, "error": ["HANDLE_INVALID", "VM", 42]},
    "/json/events-camel-case": {
        "jsonrpc": "2.0",
        "result": {"events": [], "validRefCounts": {"VM": 3, "host": 1}, "token": "token-7"},
    },
}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        request = self.rfile.read(length)
        if self.path.endswith("/jsonrpc"):
            return self.json_reply(self.path[: -len("/jsonrpc")], request)
        # Clients with a URL path post to PATH/ or to PATH itself.
        path = self.path.rstrip("/") or "/"
        body = REPLIES.get(path)
        if body is None:
            status = 500 if path == "/http-500" else 404
            payload = b"<html>server error</html>"
        else:
            status = 200
            payload = body.encode("latin-1")
        self.send_payload(status, "text/xml", payload)

    def json_reply(self, path, request):
        reply = JSON_REPLIES.get(path)
        if reply is None:
            return self.send_payload(404, "text/plain", b"no such reply")
        try:
            call_id = json.loads(request).get("id")
        except ValueError:
            call_id = None
        self.send_payload(200, "application/json", json.dumps(dict(reply, id=call_id)).encode())

    def send_payload(self, status, content_type, payload):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, fmt, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    args = parser.parse_args()
    server = Server(("127.0.0.1", args.port), Handler)
    port = server.server_address[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write("%d\n" % port)
        os.rename(args.port_file + ".tmp", args.port_file)
    print("broken server listening on 127.0.0.1:%d" % port, file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
