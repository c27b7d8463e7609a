#!/usr/bin/env python3
"""Adds to schema/ what xapi's data model has and the schema lacks.

A one-off helper for taking in a batch of upstream releases at once; for
day-to-day tracking, `xenapi-gen upstream-check` lists the differences and
a maintainer edits the YAML it points at.

Inputs:
  HEAD      facts of the newest upstream source (`xenapi-gen upstream-export DIR`)
  TAGS      a directory with one facts file per release (`<release>.json`),
            used to find the first release that carried an enum value, an
            error code or an error entry of a message (xapi records no
            lifecycle for those)
  DESC      a YAML file of descriptions for new items, keyed by item
  SCHEMA    the schema directory to edit in place

Only additions are made (new releases, error codes, classes, enums, enum
values, fields, messages, trailing parameters, error entries, and lifecycle
transitions appended to existing items). Every other difference is printed
for a human to resolve.
"""

import json
import os
import re
import sys

import yaml


def vkey(code):
    return tuple(int(x) for x in code.split("."))


def load(path):
    with open(path) as f:
        return json.load(f)


def q(s):
    """A YAML scalar: plain when safe, else JSON-quoted."""
    if s == "":
        return '""'
    plain = re.fullmatch(r"[A-Za-z_][A-Za-z0-9 _\-./()'`=<>+*?!;]*", s)
    words = {"true", "false", "null", "yes", "no", "on", "off", "y", "n"}
    if plain and s.lower() not in words and not s.endswith(" ") and ": " not in s and " #" not in s:
        return s
    return json.dumps(s)


def flow(items):
    return "[" + ", ".join(q(i) for i in items) + "]"


def lifecycle(l):
    return "[" + ", ".join(f"{t['transition']} {t['release']}" for t in l["transitions"]) + "]"


def split_top(body):
    out, depth, quoted, start = [], 0, False, 0
    for i, ch in enumerate(body):
        if ch == '"':
            quoted = not quoted
        elif ch in "{(" and not quoted:
            depth += 1
        elif ch in "})" and not quoted:
            depth -= 1
        elif ch == "," and not quoted and depth == 0:
            out.append(body[start:i].strip())
            start = i + 1
    if body.strip():
        out.append(body[start:].strip())
    return out


def scalar_notation(d, ty):
    if ty == "string" or ty == "datetime":
        return q(d[1:-1] if len(d) >= 2 and d[0] == '"' and d[-1] == '"' else d)
    if ty.endswith(" ref"):
        d = d.strip('"')
        return json.dumps("OpaqueRef:NULL" if d in ("", "Null") else d)
    if ty.startswith("enum "):
        return q(d.strip('"'))
    if ty == "int":
        return d.rstrip(".")
    if ty == "float":
        return d + "0" if d.endswith(".") else d
    if ty == "bool":
        return d
    raise ValueError(f"default {d!r} for {ty}")


def notation_to_yaml(d, ty):
    """A default in the export's notation as the schema spells it."""
    if d is None:
        return None
    m = re.fullmatch(r"\((.*) -> (.*)\) map", ty)
    if m:
        body = d.strip()[1:-1]
        pairs = [x.split(" -> ", 1) for x in split_top(body)]
        return "{" + ", ".join(f"{scalar_notation(a, m.group(1))}: {scalar_notation(b, m.group(2))}" for a, b in pairs) + "}"
    if ty.endswith(" set"):
        body = d.strip()[1:-1]
        return "[" + ", ".join(scalar_notation(x, ty[:-4]) for x in split_top(body)) + "]"
    return scalar_notation(d, ty)


def settle_next(head, releases):
    """xapi's lifecycle tool writes `X-next` for what was merged after
    release X and before the next tag: the schema names the first release
    after X instead. A `-next` past the newest release is unreleased and
    left out (a parameter or transition alone; items are kept)."""
    order = [r["code"] for r in releases]

    def after(code):
        base = code[: -len("-next")]
        later = [r for r in order if re.fullmatch(r"[0-9.]+", r) and vkey(r) > vkey(base)]
        return later[0] if later else None

    def fix_lifecycle(l):
        out = []
        for t in l.get("transitions", []):
            if t["release"].endswith("-next"):
                r = after(t["release"])
                if r is None:
                    continue
                t = dict(t, release=r)
            out.append(t)
        l["transitions"] = out

    for c in head["classes"]:
        for x in [c] + c["fields"] + c["messages"]:
            fix_lifecycle(x.setdefault("lifecycle", {"transitions": []}))
        for m in c["messages"]:
            for p in m["params"]:
                if (p.get("since") or "").endswith("-next"):
                    p["since"] = after(p["since"])


class Desc:
    def __init__(self, path):
        self.d = {}
        self.missing = []
        for p in path.split(","):
            with open(p) as f:
                part = yaml.safe_load(f) or {}
            for sect, items in part.items():
                self.d.setdefault(sect, {}).update(items or {})

    def get(self, sect, key):
        v = self.d.get(sect, {}).get(key)
        if not v and sect == "fields" and key.endswith(("name_label", "name_description")):
            v = self.d.get(sect, {}).get(key.replace(".name_", ".name__"))
        if not v:
            self.missing.append(f"{sect} {key}")
            return "TODO describe"
        return " ".join(v.split())


class Firsts:
    """First release (of the new ones) whose facts carry a thing."""

    def __init__(self, tags_dir, releases):
        self.order = [r for r in releases if os.path.exists(os.path.join(tags_dir, r + ".json"))]
        self.facts = {r: load(os.path.join(tags_dir, r + ".json")) for r in self.order}

    def first(self, pred):
        for r in self.order:
            if pred(self.facts[r]):
                return r
        return None

    def enum_value(self, enum, value):
        def has(f):
            return any(e["name"] == enum and value in e["values"] for c in f["classes"] for e in c.get("enums", []))
        return self.first(has)

    def error(self, code):
        return self.first(lambda f: any(e["code"] == code for e in f["errors"]))

    def msg_error(self, cls, msg, code):
        def has(f):
            for c in f["classes"]:
                if c["name"] == cls:
                    for m in c["messages"]:
                        if m["name"] == msg and code in m.get("errors", []):
                            return True
            return False
        return self.first(has)


def derive_line(c):
    """The derive flags of a new class, by xapi's rules: every class in the
    database has field accessors and records; get_all and get_all_records
    are exposed for the classes xapi lists (all new ones so far); a
    name__label field gives get_by_name_label; gen_constructor_destructor
    gives create and destroy."""
    props = c.get("props") or {}
    flags = ["fields: true", "record: true", "all: true"]
    if any(f["name"] == "name_label" for f in c["fields"]):
        flags.append("by_name_label: true")
    if props.get("gen_constructor_destructor"):
        flags.append("create_destroy: true")
    return "derive: {" + ", ".join(flags) + "}"


def roles_yaml(roles, order):
    if not roles:
        return "[]"
    n = len(roles)
    if roles == order[:n]:
        return roles[-1]
    return flow(roles)


def param_yaml(p, since=None):
    parts = [f"name: {q(p['name'])}", f"type: {q(p['type'])}"]
    d = notation_to_yaml(p.get("default"), p["type"])
    if d is not None:
        parts.append(f"default: {d}")
    if since:
        parts.append(f"lifecycle: [published {since}]")
    return "      - {" + ", ".join(parts) + "}"


def field_block(cname, f, desc):
    out = [f"  - name: {q(f['name'])}", f"    description: {json.dumps(desc.get('fields', cname + '.' + f['name']))}",
           f"    type: {q(f['type'])}", f"    qualifier: {f['qualifier']}"]
    d = notation_to_yaml(f.get("default"), f["type"])
    if d is not None:
        out.append(f"    default: {d}")
    out.append(f"    lifecycle: {lifecycle(f['lifecycle'])}")
    return out


def message_block(cname, m, desc, roles_order, default_roles):
    out = [f"  - name: {q(m['name'])}", f"    description: {json.dumps(desc.get('messages', cname + '.' + m['name']))}"]
    if m.get("internal"):
        out.append("    internal: true")
    out.append("    params:")
    out += [param_yaml(p) for p in m["params"]]
    out.append(f"    result: {q(m['result'])}")
    if m.get("errors"):
        out.append(f"    errors: {flow(m['errors'])}")
    r = roles_yaml(m.get("roles", []), roles_order)
    if r:
        out.append(f"    roles: {r}")
    out.append(f"    lifecycle: {lifecycle(m['lifecycle'])}")
    return out


def enum_block(e, desc, firsts=None, base_values=()):
    out = [f"  - name: {q(e['name'])}", f"    description: {json.dumps(desc.get('enums', e['name']))}", "    values:"]
    for v in e["values"]:
        out.append(value_line(e["name"], v, desc))
    return out


def value_line(enum, v, desc, since=None):
    parts = [f"name: {q(v)}", f"description: {json.dumps(desc.get('enum_values', enum + '.' + v))}"]
    if since:
        parts.append(f"lifecycle: [published {since}]")
    return "      - {" + ", ".join(parts) + "}"


# ---- text surgery on a class file ---------------------------------------

def sections(lines):
    """Top-level key -> (start, end) line ranges."""
    out = {}
    keys = [(i, l.split(":")[0]) for i, l in enumerate(lines) if l and not l[0].isspace() and not l.startswith("#")]
    for n, (i, k) in enumerate(keys):
        end = keys[n + 1][0] if n + 1 < len(keys) else len(lines)
        out[k] = (i, end)
    return out


def items(lines, start, end):
    """`  - name: X` blocks in [start, end): name -> (start, end)."""
    heads = [i for i in range(start, end) if lines[i].startswith("  - name:")]
    out = {}
    for n, i in enumerate(heads):
        e = heads[n + 1] if n + 1 < len(heads) else end
        while e > i + 1 and not lines[e - 1].strip():
            e -= 1
        name = yaml.safe_load(lines[i][len("  - name:"):].strip())
        out[str(name)] = (i, e)
    return out


def main():
    head_path, tags_dir, desc_path, schema = sys.argv[1:5]
    head = load(head_path)
    # Messages xapi keeps out of its published docs are taken in only when
    # widely used clients call them (client-messages.json, `not_in_model`).
    clients = load(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../shared/reference/client-messages.json"))
    wanted_internal = {m["name"] for m in clients["not_in_model"] if m["in_xapi_idl"]}
    head["classes"] = [c for c in head["classes"] if not c.get("internal")]
    for c in head["classes"]:
        c["fields"] = [f for f in c["fields"] if not f.get("internal_only")]
        c["messages"] = [m for m in c["messages"]
                         if not m.get("internal") or f"{c['name']}.{m['name']}" in wanted_internal]
    # Enums are kept where a kept field or message uses them.
    for c in head["classes"]:
        used = set()
        for f in c["fields"]:
            used.update(re.findall(r"enum (\w+)", f["type"]))
        for m in c["messages"]:
            used.update(re.findall(r"enum (\w+)", m["result"]))
            for p in m["params"]:
                used.update(re.findall(r"enum (\w+)", p["type"]))
        c["enums"] = [e for e in c.get("enums", []) if e["name"] in used]
    # The documented error codes are the ones declared with their parameters.
    head["errors"] = [e for e in head["errors"] if e.get("origin", {}).get("file", "").endswith("datamodel_errors.ml")]
    desc = Desc(desc_path)
    todo = []

    with open(os.path.join(schema, "api.yaml")) as f:
        roles_order = yaml.safe_load(f)["roles"]

    # releases
    with open(os.path.join(schema, "releases.yaml")) as f:
        rel_text = f.read()
    have = [r["code"] for r in yaml.safe_load(rel_text)["releases"]]
    new_rel = [r for r in head["releases"] if r["code"] not in have]
    want_order = [r["code"] for r in head["releases"]]
    if [c for c in want_order if c in have] != have:
        todo.append("releases: the schema's order differs from upstream's")
    for r in new_rel:
        rel_text += f"  - {{code: {json.dumps(r['code'])}, label: {q(r['label'])}}}\n"
    with open(os.path.join(schema, "releases.yaml"), "w") as f:
        f.write(rel_text)
    settle_next(head, head["releases"])
    new_codes = [r["code"] for r in new_rel]
    firsts = Firsts(tags_dir, new_codes)
    print(f"releases: +{len(new_rel)}; tag facts for {len(firsts.order)}")

    # errors
    with open(os.path.join(schema, "errors.yaml")) as f:
        err_text = f.read()
    have_err = {e["code"]: e for e in yaml.safe_load(err_text)["errors"]}
    head_err = {e["code"]: e for e in head["errors"]}
    added = 0
    for code, e in head_err.items():
        if code in have_err:
            if have_err[code].get("params", []) != e["params"]:
                todo.append(f"error {code}: params {have_err[code].get('params', [])} upstream {e['params']}")
            continue
        since = firsts.error(code)
        err_text += f"  - code: {code}\n"
        if e["params"]:
            err_text += f"    params: {flow(e['params'])}\n"
        err_text += f"    description: {json.dumps(desc.get('errors', code))}\n"
        if since:
            err_text += f"    lifecycle: [published {since}]\n"
        else:
            todo.append(f"error {code}: no first release found")
        added += 1
    gone = [c for c in have_err if c not in head_err]
    for code in gone:
        todo.append(f"error {code}: upstream no longer has it (mark removed by hand)")
    with open(os.path.join(schema, "errors.yaml"), "w") as f:
        f.write(err_text)
    print(f"errors: +{added}, gone upstream {len(gone)}")

    cdir = os.path.join(schema, "classes")
    files = {}
    for fn in os.listdir(cdir):
        with open(os.path.join(cdir, fn)) as f:
            y = yaml.safe_load(f)
        files[y["name"]] = fn
    all_enum_names = set()
    for fn in files.values():
        with open(os.path.join(cdir, fn)) as f:
            for e in yaml.safe_load(f).get("enums", []) or []:
                all_enum_names.add(e["name"])

    stats = dict(classes=0, fields=0, messages=0, enums=0, values=0, params=0, msg_errors=0, lifecycles=0)
    for c in head["classes"]:
        cname = c["name"]
        explicit = [m for m in c["messages"] if not m.get("implicit")]
        if cname not in files:
            stats["classes"] += 1
            out = [f"name: {q(cname)}", f"description: {json.dumps(desc.get('classes', cname))}",
                   f"lifecycle: {lifecycle(c['lifecycle'])}", derive_line(c)]
            enums = [e for e in c.get("enums", []) if e["name"] not in all_enum_names]
            if enums:
                out.append("enums:")
                for e in enums:
                    out += enum_block(e, desc)
                    all_enum_names.add(e["name"])
            out.append("fields:")
            for fl in c["fields"]:
                out += field_block(cname, fl, desc)
            if explicit:
                out.append("messages:")
                for m in explicit:
                    out += message_block(cname, m, desc, roles_order, None)
            stats["fields"] += len(c["fields"])
            stats["messages"] += len(explicit)
            todo.append(f"class {cname}: new file classes/{cname}.yaml: check derive and roles (props {c.get('props')})")
            with open(os.path.join(cdir, cname + ".yaml"), "w") as f:
                f.write("\n".join(out) + "\n")
            continue

        path = os.path.join(cdir, files[cname])
        with open(path) as f:
            text = f.read()
        lines = text.split("\n")
        y = yaml.safe_load(text)
        have_f = {x["name"]: x for x in y.get("fields", []) or []}
        have_m = {x["name"]: x for x in y.get("messages", []) or []}
        have_e = {x["name"]: x for x in y.get("enums", []) or []}
        # Edits are collected as (line index, kind, payload) and applied bottom-up.
        inserts = []  # (index, [lines])
        replaces = []  # (index, new line)
        sec = sections(lines)

        def section_end(key):
            return sec[key][1] if key in sec else None

        # class lifecycle
        if y.get("lifecycle") is not None:
            cur = " ".join(y["lifecycle"])
            want = [f"{t['transition']} {t['release']}" for t in c["lifecycle"]["transitions"]]
            if want[: len(y["lifecycle"])] == y["lifecycle"] and len(want) > len(y["lifecycle"]):
                i = next(i for i, l in enumerate(lines) if l.startswith("lifecycle:"))
                replaces.append((i, f"lifecycle: {lifecycle(c['lifecycle'])}"))
                stats["lifecycles"] += 1
            elif want != y["lifecycle"]:
                todo.append(f"class {cname}: lifecycle {cur} upstream {want}")

        # enums and their values
        new_enums = []
        for e in c.get("enums", []):
            if e["name"] in have_e:
                blk = items(lines, *sec["enums"])[e["name"]]
                have_vals = [v["name"] for v in have_e[e["name"]]["values"]]
                extra = [v for v in e["values"] if v not in have_vals]
                if [v for v in e["values"] if v in have_vals] != have_vals:
                    missing = [v for v in have_vals if v not in e["values"]]
                    if missing:
                        todo.append(f"enum {e['name']}: upstream lacks values {missing}")
                vl = []
                for v in extra:
                    since = firsts.enum_value(e["name"], v)
                    if not since:
                        todo.append(f"enum {e['name']}.{v}: no first release found")
                    vl.append(value_line(e["name"], v, desc, since))
                    stats["values"] += 1
                if vl:
                    inserts.append((blk[1], vl))
            elif e["name"] not in all_enum_names:
                new_enums.append(e)
                all_enum_names.add(e["name"])
        if new_enums:
            blk = []
            for e in new_enums:
                blk += enum_block(e, desc)
                stats["enums"] += 1
                firsts_missing = []
            if "enums" in sec:
                inserts.append((section_end("enums"), blk))
            else:
                at = sec["fields"][0] if "fields" in sec else len(lines)
                inserts.append((at, ["enums:"] + blk))

        # fields
        fitems = items(lines, *sec["fields"]) if "fields" in sec else {}
        new_f = []
        for fl in c["fields"]:
            if fl["name"] not in have_f:
                new_f += field_block(cname, fl, desc)
                stats["fields"] += 1
                continue
            hf = have_f[fl["name"]]
            for key, want in (("type", fl["type"]), ("qualifier", fl["qualifier"])):
                if str(hf.get(key)) != want:
                    todo.append(f"field {cname}.{fl['name']}: {key} {hf.get(key)} upstream {want}")
            want = [f"{t['transition']} {t['release']}" for t in fl["lifecycle"]["transitions"]]
            hl = hf.get("lifecycle", [])
            if want != hl:
                if want[: len(hl)] == hl:
                    s, e = fitems[fl["name"]]
                    i = next(i for i in range(s, e) if lines[i].startswith("    lifecycle:"))
                    replaces.append((i, f"    lifecycle: {lifecycle(fl['lifecycle'])}"))
                    stats["lifecycles"] += 1
                else:
                    todo.append(f"field {cname}.{fl['name']}: lifecycle {hl} upstream {want}")
        for name in have_f:
            if name not in {x["name"] for x in c["fields"]}:
                todo.append(f"field {cname}.{name}: upstream lacks it")
        if new_f:
            inserts.append((section_end("fields"), new_f))

        # messages
        mitems = items(lines, *sec["messages"]) if "messages" in sec else {}
        new_m = []
        rw = {n for n, x in have_f.items() if x.get("qualifier") == "RW"}
        for m in explicit:
            # Setters xapi now writes by hand for a field the schema keeps RW
            # are the schema's derived ones (same name and parameters).
            base = re.sub(r"^(set_|add_to_|remove_from_)", "", m["name"])
            if base != m["name"] and base in rw and m["name"] not in have_m:
                todo.append(f"message {cname}.{m['name']}: hand-written upstream, derived here (field {base} kept RW)")
                continue
            if m["name"] not in have_m:
                new_m += message_block(cname, m, desc, roles_order, None)
                stats["messages"] += 1
                continue
            hm = have_m[m["name"]]
            s, e = mitems[m["name"]]
            hp = hm.get("params", []) or []
            up = m["params"]
            if [(p["name"], p["type"]) for p in up[: len(hp)]] != [(p["name"], str(p["type"])) for p in hp]:
                todo.append(f"message {cname}.{m['name']}: params {[(p['name'], p['type']) for p in hp]} upstream {[(p['name'], p['type']) for p in up]}")
            elif len(up) > len(hp):
                last = max(i for i in range(s, e) if lines[i].startswith("      - {name:"))
                pl = []
                for p in up[len(hp):]:
                    if p.get("default") is None:
                        todo.append(f"message {cname}.{m['name']}: new param {p['name']} without default")
                    pl.append(param_yaml(p, p.get("since")))
                    stats["params"] += 1
                inserts.append((last + 1, pl))
            elif len(up) < len(hp):
                todo.append(f"message {cname}.{m['name']}: upstream has fewer params")
            herr = [x if isinstance(x, str) else x["code"] for x in (hm.get("errors") or [])]
            extra = [x for x in m.get("errors", []) if x not in herr]
            lost = [x for x in herr if x not in m.get("errors", [])]
            if lost:
                todo.append(f"message {cname}.{m['name']}: upstream dropped errors {lost}")
            if extra:
                ents = [x if isinstance(x, str) else "{code: %s, since: %s}" % (x["code"], x["since"]) for x in (hm.get("errors") or [])]
                for x in extra:
                    since = firsts.msg_error(cname, m["name"], x)
                    ents.append("{code: %s, since: %s}" % (x, since) if since else x)
                    if not since:
                        todo.append(f"message {cname}.{m['name']}: error {x}: no first release found")
                    stats["msg_errors"] += 1
                line = "    errors: [" + ", ".join(ents) + "]"
                idx = [i for i in range(s, e) if lines[i].startswith("    errors:")]
                if idx:
                    replaces.append((idx[0], line))
                else:
                    r = next(i for i in range(s, e) if lines[i].startswith("    result:"))
                    inserts.append((r + 1, [line]))
            want = [f"{t['transition']} {t['release']}" for t in m["lifecycle"]["transitions"]]
            hl = hm.get("lifecycle", [])
            if want != hl:
                if want[: len(hl)] == hl:
                    i = next(i for i in range(s, e) if lines[i].startswith("    lifecycle:"))
                    replaces.append((i, f"    lifecycle: {lifecycle(m['lifecycle'])}"))
                    stats["lifecycles"] += 1
                else:
                    todo.append(f"message {cname}.{m['name']}: lifecycle {hl} upstream {want}")
            if str(hm.get("result")) != m["result"]:
                todo.append(f"message {cname}.{m['name']}: result {hm.get('result')} upstream {m['result']}")
        if new_m:
            if "messages" in sec:
                inserts.append((section_end("messages"), new_m))
            else:
                inserts.append((len(lines), ["messages:"] + new_m))

        for i, l in replaces:
            lines[i] = l
        # Blocks go before any blank lines that end a section (measured on
        # the file as read), bottom-up; at one index, the block queued later
        # goes in first so that it ends up after.
        def settle(i):
            while i > 0 and not lines[i - 1].strip():
                i -= 1
            return i
        placed = [(settle(i), n, blk) for n, (i, blk) in enumerate(inserts)]
        for i, _, blk in sorted(placed, key=lambda x: (x[0], x[1]), reverse=True):
            lines[i:i] = blk
        with open(path, "w") as f:
            f.write("\n".join(lines).rstrip("\n") + "\n")

    print("added:", stats)
    print(f"descriptions missing: {len(desc.missing)}")
    for m in desc.missing:
        print("  no description:", m)
    print(f"to resolve by hand: {len(todo)}")
    for t in todo:
        print("  ", t)


if __name__ == "__main__":
    main()
