#!/usr/bin/env python3
"""How many explicit messages the simulator gives behaviour, measured on the wire.

Starts the xenapi-sim binary and calls every explicit (not derived) message
of the reference model once over XML-RPC, with arguments of the right types
(null references, empty strings and collections, zeros). A message without
behaviour answers NOT_IMPLEMENTED before it looks at its arguments; any
other answer, success or a failure such as HANDLE_INVALID, means the
simulator has code for it. Prints two figures:

  * explicit messages of client-messages.json implemented / present in the
    schema (the target is all of them), and
  * explicit messages implemented / all explicit messages,
  * the messages clients call that xapi's published model leaves out
    (`not_in_model` of client-messages.json: newer or internal ones)
    implemented / now in the schema. Their parameters come from the
    generated Python client (generated/python), read with `ast`: the
    wire name and argument types of every call it makes.

and exits 1 when the first or the third is short, listing what is missing.

    python3 tests/sim_coverage.py [--sim PATH] [--list]   (needs pytest, as the Python tests do)
"""

import argparse
import ast
import json
import os
import sys
import xmlrpc.client

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "python"))
from conftest import Simulator  # noqa: E402 - the simulator as the Python tests start it

REFERENCE = os.path.join(ROOT, "..", "shared", "reference")
CLIENT = os.path.join(ROOT, "generated", "python", "src", "xenapi_client")


def sample(ty, enums):
    """A value of the API type `ty` that decodes, for probing."""
    ty = ty.strip()
    if ty.endswith(" ref"):
        return "OpaqueRef:NULL"
    if ty.endswith(" set"):
        return []
    if ty.endswith(" map") or ty.endswith(" record"):
        return {}
    if ty.endswith(" option"):
        return sample(ty[: -len(" option")], enums)
    if ty.startswith("enum "):
        values = enums.get(ty[5:], [])
        return values[0] if values else ""
    return {"string": "", "int": "0", "float": 0.0, "bool": False,
            "datetime": xmlrpc.client.DateTime("19700101T00:00:00Z")}.get(ty, "")


def enum_values(path):
    """Every enum class of the generated client and its first value."""
    with open(path) as f:
        tree = ast.parse(f.read(), path)
    first = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            for stmt in node.body:
                if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str):
                    first[node.name] = stmt.value.value
                    break
    return first


def schema_messages(path, enums):
    """Wire name -> probe arguments of every synchronous call of the generated
    client: `self._session._call("CLASS.name", [args])` in a method whose
    parameters are annotated with the API types."""
    with open(path) as f:
        tree = ast.parse(f.read(), path)
    found = {}
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef):
            continue
        types = {a.arg: ast.unparse(a.annotation) for a in fn.args.args if a.annotation is not None}
        for call in ast.walk(fn):
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "_call"):
                continue
            if len(call.args) != 2 or not isinstance(call.args[0], ast.Constant) or not isinstance(call.args[1], ast.List):
                continue
            name = call.args[0].value
            if name.startswith("Async."):
                continue
            values = []
            for arg in call.args[1].elts:
                values.append(probe(types.get(arg.id, "str") if isinstance(arg, ast.Name) else "str", enums))
            found[name] = values
    return found


def probe(annotation, enums):
    """A value of the Python annotation `annotation` that decodes."""
    if annotation.endswith("Ref"):
        return "OpaqueRef:NULL"
    if annotation.startswith(("Dict", "Mapping")) or annotation.endswith("Record"):
        return {}
    if annotation.startswith(("List", "Sequence")):
        return []
    if annotation.startswith("Optional["):
        return probe(annotation[len("Optional["):-1], enums)
    if annotation in enums:
        return enums[annotation]
    return {"int": "0", "float": 0.0, "bool": False,
            "datetime": xmlrpc.client.DateTime("19700101T00:00:00Z")}.get(annotation, "")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sim", default=os.environ.get("XENAPI_SIM"))
    ap.add_argument("--list", action="store_true", help="list every missing message")
    args = ap.parse_args()
    if args.sim:
        os.environ["XENAPI_SIM"] = args.sim
    with open(os.path.join(REFERENCE, "xenapi-model.json")) as f:
        model = json.load(f)
    with open(os.path.join(REFERENCE, "client-messages.json")) as f:
        clients = json.load(f)
    wanted = {m["name"] for m in clients["messages"] if m["explicit"]}
    beyond = {m["name"] for m in clients["not_in_model"]}
    schema = schema_messages(os.path.join(CLIENT, "api.py"), enum_values(os.path.join(CLIENT, "enums.py")))
    enums = {e["name"]: [v if isinstance(v, str) else v["name"] for v in e["values"]] for c in model["classes"] for e in c["enums"]}
    explicit = {"%s.%s" % (c["name"], m["name"]): m for c in model["classes"] for m in c["messages"] if not m["implicit"]}

    sim = Simulator("--task-delay-ms", "1")
    try:
        server = xmlrpc.client.ServerProxy(sim.url, allow_none=True)

        def login():
            return server.session.login_with_password("root", "xenroot", "1.0", "coverage")["Value"]

        session = login()
        implemented, missing = set(), set()
        for name, msg in sorted(explicit.items()):
            params = [p for p in msg["params"]]
            values = []
            for p in params:
                values.append(session if p["type"] == "session ref" and p["name"] == "session_id" else sample(p["type"], enums))
            reply = getattr(server, name)(*values)
            error = reply.get("ErrorDescription") or [""]
            if error[0] == "SESSION_INVALID":
                session = login()
            (missing if error[0] == "NOT_IMPLEMENTED" else implemented).add(name)
            if name.startswith("session.") or error[0] == "SESSION_INVALID":
                session = login()
        for name in sorted((beyond & set(schema)) - set(explicit)):
            reply = getattr(server, name)(session, *schema[name])
            error = reply.get("ErrorDescription") or [""]
            (missing if error[0] == "NOT_IMPLEMENTED" else implemented).add(name)
            if error[0] == "SESSION_INVALID":
                session = login()
    finally:
        sim.stop()
    if sim.panics():
        sys.exit("the simulator panicked:\n" + "".join(sim.log))

    present = wanted & set(explicit)
    got = present & implemented
    print("explicit messages of client-messages.json: %d implemented / %d present in the schema (%d listed)"
          % (len(got), len(present), len(wanted)))
    print("explicit messages of the whole API: %d implemented / %d" % (len(implemented), len(explicit)))
    newer = beyond & set(schema)
    print("messages clients call beyond the published model: %d implemented / %d now in the schema (%d listed)"
          % (len(newer & implemented), len(newer), len(beyond)))
    short = sorted((present | newer) - implemented)
    if short:
        print("not implemented although real clients call them (%d):" % len(short))
        for name in short if args.list else short[:40]:
            print("  " + name)
    return 1 if short else 0


if __name__ == "__main__":
    sys.exit(main())
