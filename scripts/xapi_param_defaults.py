#!/usr/bin/env python3
"""Copies the parameter defaults of xapi's data model into schema/.

xapi's data model (ocaml/idl/datamodel*.ml in xapi-project/xen-api) gives
some message parameters a `param_default`. This script finds each of them,
works out which schema message it belongs to (by message and parameter
name, checked against the schema), turns the OCaml value into the YAML
notation the schema uses, and writes it as `default:` on the parameter.

    xapi_param_defaults.py XAPI_GIT_DIR [--schema schema] [--check]

XAPI_GIT_DIR is a clone (or bare git dir) of xen-api; its HEAD is read.
With --check nothing is written: the script exits 1 when the schema
lacks or disagrees with a default. Only values are copied.
"""

import argparse
import json
import os
import re
import subprocess
import sys

import yaml

FILES_GLOB = "ocaml/idl/datamodel*.ml"


def git(gitdir, *args):
    return subprocess.run(["git", "--git-dir", gitdir, *args], check=True, capture_output=True, text=True).stdout


def ocaml_constants(gitdir):
    """`let NAME = VALUE` of xapi's Constants module, for simple values."""
    text = git(gitdir, "show", "HEAD:ocaml/xapi-consts/constants.ml")
    out = {}
    for m in re.finditer(r"^let (\w+) = ([^\n]+)$", text, re.M):
        out[m.group(1)] = m.group(2).strip()
    return out


def balanced(text, start):
    """The text of the parenthesised expression that opens at `start`."""
    depth = 0
    for i in range(start, len(text)):
        c = text[i]
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return text[start + 1 : i]
        elif c == '"':
            j = i + 1
            while text[j] != '"':
                j += 2 if text[j] == "\\" else 1
    raise ValueError("unbalanced expression at %d" % start)


def scalar(word, consts):
    word = word.strip()
    if word.startswith("Constants."):
        return scalar(consts[word[len("Constants.") :]], consts)
    if word.startswith('"'):
        return json.loads(word)
    if word in ("true", "false"):
        return word == "true"
    if word == "null_ref":
        return "OpaqueRef:NULL"
    if word == "Date.epoch":
        return "19700101T00:00:00Z"
    if re.fullmatch(r"-?\d+L?", word):
        return int(word.rstrip("L"))
    if re.fullmatch(r"-?\d+\.\d*", word):
        return float(word)
    raise ValueError("cannot read OCaml value %r" % word)


def value(expr, consts):
    """An OCaml `api_value` (Datamodel_types) as a Python value."""
    expr = " ".join(expr.split())
    m = re.fullmatch(r"(V\w+) (.*)", expr)
    if not m:
        raise ValueError("cannot read %r" % expr)
    kind, rest = m.groups()
    if kind in ("VString", "VBool", "VInt", "VFloat", "VDateTime", "VEnum"):
        return scalar(rest, consts)
    if kind == "VRef":
        v = scalar(rest, consts)
        return "OpaqueRef:NULL" if v == "" else v
    if kind == "VSet":
        inner = rest.strip()[1:-1].strip()
        return [value(x, consts) for x in split_items(inner)] if inner else []
    if kind == "VMap":
        inner = rest.strip()[1:-1].strip()
        out = {}
        for item in split_items(inner) if inner else []:
            k, v = split_pair(item.strip()[1:-1])
            out[value(k, consts)] = value(v, consts)
        return out
    raise ValueError("unknown api_value %s" % kind)


def split_items(text, sep=";"):
    items, depth, cur, in_str = [], 0, "", False
    for c in text:
        if c == '"':
            in_str = not in_str
        if not in_str:
            if c in "([":
                depth += 1
            elif c in ")]":
                depth -= 1
            elif c == sep and depth == 0:
                items.append(cur)
                cur = ""
                continue
        cur += c
    if cur.strip():
        items.append(cur)
    return items


def split_pair(text):
    parts = split_items(text, ",")
    if len(parts) != 2:
        raise ValueError("not a pair: %r" % text)
    return parts


def class_names(gitdir):
    """`_vm` -> `VM`: the class name constants of datamodel_common.ml."""
    text = git(gitdir, "show", "HEAD:ocaml/idl/datamodel_common.ml")
    return dict(re.findall(r'^let (_\w+) = "(\w+)"', text, re.M))


def owners(text, pos, bindings, names, depth=0):
    """[(class, message)] of the calls whose parameter list holds `pos`:
    the call defined in the `let` around it, or else the calls that use
    the parameter (list) bound there."""
    starts = [b for b in bindings if b[0] <= pos]
    if not starts or depth > 3:
        return []
    start, name = starts[-1]
    nxt = [b[0] for b in bindings if b[0] > start]
    body = text[start : nxt[0] if nxt else len(text)]
    call = re.search(r'\bcall\b[^=]*?~name:"(\w+)"', body, re.S)
    if call:
        obj = re.search(r"create_obj\b.*?~name:(_\w+)", text[start:], re.S)
        return [(names.get(obj.group(1)) if obj else None, call.group(1))]
    out = []
    for b_start, b_name in bindings:
        if b_name == name or b_start <= start:
            continue
        b_nxt = [b[0] for b in bindings if b[0] > b_start]
        b_body = text[b_start : b_nxt[0] if b_nxt else len(text)]
        if re.search(r"\b%s\b" % re.escape(name), b_body):
            out.extend(owners(text, b_start, bindings, names, depth + 1))
    return out


def xapi_defaults(gitdir):
    """[(class, message, param, value, where)] in source order."""
    consts = ocaml_constants(gitdir)
    names = class_names(gitdir)
    files = git(gitdir, "ls-tree", "--name-only", "HEAD", "ocaml/idl/").split()
    out = []
    for path in files:
        if not re.fullmatch(r"ocaml/idl/datamodel\w*\.ml", path):
            continue
        text = git(gitdir, "show", "HEAD:" + path)
        bindings = [(m.start(), m.group(1)) for m in re.finditer(r"^\s*let (\w+)", text, re.M)]
        for m in re.finditer(r"param_default\s*=\s*Some\s*", text):
            expr = balanced(text, m.end())
            before = text[: m.start()]
            pname = re.findall(r'param_name\s*=\s*"(\w+)"', before)[-1]
            where = "%s:%d" % (path, before.count("\n") + 1)
            for cls, mname in owners(text, m.start(), bindings, names) or [(None, None)]:
                out.append((cls, mname, pname, value(expr, consts), where))
    return out


def schema_index(schema):
    """(message, param) -> [(file, class)] of the schema's explicit messages."""
    idx = {}
    cdir = os.path.join(schema, "classes")
    for name in sorted(os.listdir(cdir)):
        with open(os.path.join(cdir, name)) as f:
            doc = yaml.safe_load(f)
        for msg in doc.get("messages") or []:
            for p in msg.get("params") or []:
                idx.setdefault((msg["name"], p["name"]), []).append((os.path.join(cdir, name), doc["name"], p.get("default")))
    return idx


def yaml_scalar(v):
    """`v` in YAML flow notation, strings double-quoted where YAML needs it."""
    if isinstance(v, bool) or v is None or isinstance(v, (int, float)):
        return yaml.safe_dump(v, default_flow_style=True).strip().removesuffix("...").strip()
    if isinstance(v, str):
        plain = v != "" and not any(c in v for c in ":#{}[],&*!|>'\"%@`") and yaml.safe_load(v) == v
        return v if plain else json.dumps(v)
    if isinstance(v, list):
        return "[%s]" % ", ".join(yaml_scalar(x) for x in v)
    return "{%s}" % ", ".join("%s: %s" % (yaml_scalar(k), yaml_scalar(x)) for k, x in v.items())


def set_default(path, message, param, v):
    """Adds `default: v` to the flow mapping of `param` in `message`."""
    with open(path) as f:
        lines = f.read().split("\n")
    in_msg = False
    for i, line in enumerate(lines):
        m = re.match(r"  - name: (\S+)$", line)
        if m:
            in_msg = m.group(1) == message
            continue
        if in_msg and re.match(r"\s+- \{name: %s, " % re.escape(param), line):
            if "default:" in line:
                line = re.sub(r", default: .*\}$", "}", line)
            lines[i] = line[:-1] + ", default: %s}" % yaml_scalar(v)
            break
    else:
        raise ValueError("param %s of %s not found in %s" % (param, message, path))
    with open(path, "w") as f:
        f.write("\n".join(lines))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("gitdir")
    ap.add_argument("--schema", default="schema")
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    idx = schema_index(args.schema)
    wrong, skipped = 0, []
    for cls, mname, pname, v, where in xapi_defaults(args.gitdir):
        hits = [h for h in idx.get((mname, pname), []) if h[1] == cls]
        if not hits:
            skipped.append("%s.%s %s (%s)" % (cls, mname, pname, where))
            continue
        for path, hcls, have in hits:
            if have == v and type(have) is type(v):
                continue
            wrong += 1
            if args.check:
                print("%s.%s %s: schema has %r, xapi %r" % (cls, mname, pname, have, v))
            else:
                set_default(path, mname, pname, v)
                idx[(mname, pname)] = [h if h[1] != hcls else (path, hcls, v) for h in idx[(mname, pname)]]
                print("%s.%s %s = %s" % (cls, mname, pname, yaml_scalar(v)))
    for s in skipped:
        print("not in the schema: %s" % s, file=sys.stderr)
    if args.check and wrong:
        sys.exit(1)


if __name__ == "__main__":
    main()
