//! The committed schema against the reference facts of the real API: every
//! class, field, enum, error, release and message (explicit and derived)
//! must match exactly. The reference is xapi's export at release
//! [`REFERENCE_RELEASE`], so the schema is compared as of that release
//! (`Api::at_release`); what the projection leaves out must all have come
//! later, which the last tests check. On failure the tests list every
//! difference.

mod common;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use xenapi_gen::model::{Api, Lifecycle, Type};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn reference(name: &str) -> Value {
    let path = root().join("../shared/reference").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// The release xapi's reference export was made at.
const REFERENCE_RELEASE: &str = "24.16.0";

fn load_whole() -> Api {
    xenapi_gen::load_schema(&root().join("schema")).unwrap_or_else(|d| panic!("schema does not load:\n{d}"))
}

/// The schema as of the reference's release.
fn load() -> Api {
    load_whole()
        .at_release(REFERENCE_RELEASE)
        .unwrap_or_else(|| panic!("the schema has no release {REFERENCE_RELEASE}"))
}

/// The export without what xapi's own export cannot hold: messages xapi
/// keeps out of its published docs (`internal`), and the release a
/// parameter came in (`since`). Returns how many internal messages went.
fn published_only(export: &mut Value) -> usize {
    let mut internal = 0;
    for c in export["classes"].as_array_mut().unwrap() {
        let messages = c["messages"].as_array_mut().unwrap();
        let before = messages.len();
        messages.retain(|m| m.get("internal") != Some(&Value::Bool(true)));
        internal += before - messages.len();
        for m in messages {
            for p in m["params"].as_array_mut().unwrap() {
                p.as_object_mut().unwrap().remove("since");
            }
        }
    }
    internal
}

/// The schema as of the reference release, exported like the reference
/// (classes, errors, releases), published items only, with the known gaps
/// between xapi's sources and the reference undone
/// (`common::reference_gaps`); every gap must still apply.
fn corrected_export(api: &Api) -> Value {
    let mut got = xenapi_gen::export::model_json(api);
    published_only(&mut got);
    got["errors"] = xenapi_gen::export::errors_json(api)["errors"].take();
    got["releases"] = xenapi_gen::export::releases_json(api)["releases"].take();
    let stale = common::reference_gaps::undo(&mut got, true);
    assert!(stale.is_empty(), "known gaps that no longer apply:\n{}", stale.join("\n"));
    got
}

/// Compares two JSON values, recording a line per difference under `path`.
fn diff(path: &str, want: &Value, got: &Value, out: &mut Vec<String>) {
    match (want, got) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, va) in a {
                match b.get(k) {
                    Some(vb) => diff(&format!("{path}.{k}"), va, vb, out),
                    None => out.push(format!("{path}.{k}: missing (want {va})")),
                }
            }
            for k in b.keys().filter(|k| !a.contains_key(*k)) {
                out.push(format!("{path}.{k}: unexpected {}", b[k]));
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (va, vb)) in a.iter().zip(b).enumerate() {
                diff(&format!("{path}[{i}]"), va, vb, out);
            }
        }
        _ if want == got => {}
        _ => out.push(format!("{path}: want {want}, got {got}")),
    }
}

fn by_name(items: &Value) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for it in items.as_array().unwrap() {
        let name = it["name"].as_str().unwrap().to_string();
        assert!(out.insert(name.clone(), it.clone()).is_none(), "{name} appears twice");
    }
    out
}

#[test]
fn schema_matches_the_reference_model() {
    let api = load();
    let want = reference("xenapi-model.json");
    let got = corrected_export(&api);
    let want_classes = by_name(&want["classes"]);
    let got_classes = by_name(&got["classes"]);
    let mut out = Vec::new();
    for name in want_classes.keys().filter(|n| !got_classes.contains_key(*n)) {
        out.push(format!("class {name}: missing"));
    }
    for name in got_classes.keys().filter(|n| !want_classes.contains_key(*n)) {
        out.push(format!("class {name}: not in the reference"));
    }
    let (mut explicit, mut derived) = (0, 0);
    for (name, w) in &want_classes {
        let Some(g) = got_classes.get(name) else { continue };
        for key in ["lifecycle", "enums", "fields"] {
            diff(&format!("{name}.{key}"), &w[key], &g[key], &mut out);
        }
        // Messages are compared by name: their order is not a fact of the API.
        let wm = by_name(&w["messages"]);
        let gm = by_name(&g["messages"]);
        for (mn, wv) in &wm {
            match gm.get(mn) {
                Some(gv) => diff(&format!("{name}.{mn}"), wv, gv, &mut out),
                None => out.push(format!("{name}.{mn}: message missing (implicit: {})", wv["implicit"])),
            }
        }
        for mn in gm.keys().filter(|m| !wm.contains_key(*m)) {
            out.push(format!("{name}.{mn}: message not in the reference"));
        }
        for m in gm.values() {
            if m["implicit"] == Value::Bool(true) {
                derived += 1;
            } else {
                explicit += 1;
            }
        }
    }
    assert!(out.is_empty(), "{} differences:\n{}", out.len(), out.join("\n"));
    assert_eq!((want_classes.len(), explicit, derived), (67, 479, 1349));
}

#[test]
fn schema_matches_the_reference_errors_and_releases() {
    let api = load();
    let got = corrected_export(&api);
    let mut out = Vec::new();
    let want = reference("xenapi-errors.json");
    diff("errors", &want["errors"], &got["errors"], &mut out);
    let want = reference("xenapi-releases.json");
    diff("releases", &want["releases"], &got["releases"], &mut out);
    assert!(out.is_empty(), "{} differences:\n{}", out.len(), out.join("\n"));
    assert_eq!((got["errors"].as_array().unwrap().len(), got["releases"].as_array().unwrap().len()), (603, 68));
}

/// Every item of `whole` that `at` (its projection to release `idx`)
/// lacks, each with the release index it counts as introduced in: its own
/// lifecycle's, or its container's when that is later (a param of a
/// message that came later came with it). `None` for an item that has no
/// reason to be left out.
fn left_out(whole: &Api, at: &Api) -> Vec<(String, Option<usize>)> {
    let intro = |l: &Lifecycle| l.introduced().map(|t| t.release_index);
    let later = |a: Option<usize>, b: Option<usize>| a.max(b);
    // A class that came later makes every type naming it come later too.
    let type_intro = |t: &Type| {
        let mut out = None;
        t.visit(&mut |p| {
            if let Type::Ref(c) | Type::Record(c) = p {
                out = later(out, whole.class(c).and_then(|c| intro(&c.lifecycle)));
            }
        });
        out
    };
    // An enum type comes with the first item that uses it.
    let mut enum_intro: BTreeMap<String, Option<usize>> = BTreeMap::new();
    let mut used_by = |t: &Type, i: Option<usize>| {
        t.visit(&mut |p| {
            if let Type::Enum(e) = p {
                let slot = enum_intro.entry(e.clone()).or_insert(i);
                *slot = (*slot).min(i);
            }
        })
    };
    for c in &whole.classes {
        let ci = intro(&c.lifecycle);
        for f in &c.fields {
            used_by(&f.ty, later(ci, intro(&f.lifecycle)));
        }
        for m in &c.messages {
            let mi = later(ci, intro(&m.lifecycle));
            used_by(&m.result, mi);
            for p in &m.params {
                used_by(&p.ty, later(mi, intro(&p.lifecycle)));
            }
        }
    }
    let mut out = Vec::new();
    for r in whole.releases.iter().filter(|r| at.release_index(&r.code).is_none()) {
        out.push((format!("release {}", r.code), whole.release_index(&r.code)));
    }
    for e in whole.errors.iter().filter(|e| !at.errors.iter().any(|x| x.code == e.code)) {
        out.push((format!("error {}", e.code), intro(&e.lifecycle)));
    }
    for c in &whole.classes {
        let ci = intro(&c.lifecycle);
        let ac = at.class(&c.name);
        if ac.is_none() {
            out.push((format!("class {}", c.name), ci));
        }
        for e in &c.enums {
            let ae = ac.and_then(|ac| ac.enums.iter().find(|x| x.name == e.name));
            let ei = if ae.is_none() { enum_intro.get(&e.name).copied().flatten() } else { None };
            for v in e.values.iter().filter(|v| !ae.is_some_and(|ae| ae.values.iter().any(|x| x.name == v.name))) {
                out.push((
                    format!("value {}.{} (of class {})", e.name, v.name, c.name),
                    later(later(ci, ei), intro(&v.lifecycle)),
                ));
            }
        }
        for f in &c.fields {
            if !ac.is_some_and(|ac| ac.fields.iter().any(|x| x.name == f.name)) {
                let fi = later(later(ci, intro(&f.lifecycle)), type_intro(&f.ty));
                out.push((format!("field {}.{}", c.name, f.name), fi));
            }
        }
        for m in &c.messages {
            let mut mi = later(ci, intro(&m.lifecycle));
            let am = ac.and_then(|ac| ac.messages.iter().find(|x| x.name == m.name));
            if am.is_none() {
                let types = m.params.iter().map(|p| type_intro(&p.ty)).fold(type_intro(&m.result), later);
                out.push((format!("message {}.{}", c.name, m.name), later(mi, types)));
                mi = later(mi, types);
            }
            for p in m.params.iter().filter(|p| !am.is_some_and(|am| am.params.iter().any(|x| x.name == p.name))) {
                out.push((format!("param {}.{}.{}", c.name, m.name, p.name), later(mi, intro(&p.lifecycle))));
            }
            for id in &m.errors {
                let code = &whole.error(*id).code;
                if !am.is_some_and(|am| at.error_codes(&am.errors).any(|x| x == code)) {
                    let since = m.error_added(*id).map(|t| t.release_index);
                    let ei = later(later(mi, since), intro(&whole.error(*id).lifecycle));
                    out.push((format!("error entry {code} of {}.{}", c.name, m.name), ei));
                }
            }
        }
    }
    out
}

/// The items left out at release `code` whose introduction is not after it.
fn wrongly_left_out(whole: &Api, code: &str) -> (usize, Vec<String>) {
    let idx = whole.release_index(code).unwrap();
    let at = whole.at_release(code).unwrap();
    let all = left_out(whole, &at);
    let wrong = all
        .iter()
        .filter(|(_, i)| !i.is_some_and(|i| i > idx))
        .map(|(what, i)| {
            format!(
                "{what}: introduced in {}",
                i.map_or("(no release)".to_string(), |i| whole.releases[i].code.clone())
            )
        })
        .collect();
    (all.len(), wrong)
}

#[test]
fn what_the_projection_leaves_out_came_after_the_reference_release() {
    let whole = load_whole();
    let (count, wrong) = wrongly_left_out(&whole, REFERENCE_RELEASE);
    assert!(
        wrong.is_empty(),
        "{} items left out at {REFERENCE_RELEASE} though not newer:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    // Today the schema stops at the reference release: nothing is left out.
    if whole.releases.last().is_some_and(|r| r.code == REFERENCE_RELEASE) {
        assert_eq!(count, 0);
    }
    // Internal messages that existed then are kept by the projection
    // (and left out of the comparison by `published_only`).
    let idx = whole.release_index(REFERENCE_RELEASE).unwrap();
    let name = |c: &xenapi_gen::model::Class, m: &xenapi_gen::model::Message| format!("{}.{}", c.name, m.name);
    let kept: BTreeSet<String> = load().messages().filter(|(_, m)| m.internal).map(|(c, m)| name(c, m)).collect();
    let then: BTreeSet<String> = whole
        .messages()
        .filter(|(c, m)| m.internal && c.lifecycle.exists_at(idx) && m.lifecycle.exists_at(idx))
        .map(|(c, m)| name(c, m))
        .collect();
    assert_eq!(then, kept);
}

/// The same check on a small schema that has one of every kind of item a
/// later release adds, so that it is meaningful however far the real
/// schema has grown: every such item is left out at the older release,
/// and the check finds nothing wrong.
#[test]
fn the_left_out_check_on_a_schema_with_later_items() {
    let dir = common::mini_copy();
    for e in [
        common::Edit::Replace("releases.yaml", "  - {code: george, label: Fourth Release}\n", "  - {code: george, label: Fourth Release}\n  - {code: later, label: Fifth Release}\n"),
        common::Edit::Replace(
            "errors.yaml",
            "  - code: OPERATION_NOT_ALLOWED\n",
            "  - code: VM_TOO_NEW\n    params: [vm]\n    description: The VM needs a newer host.\n    lifecycle: [published later]\n  - code: OPERATION_NOT_ALLOWED\n",
        ),
        common::Edit::Replace(
            "classes/VM.yaml",
            "      - {name: start_paused, type: bool, description: Leave it paused once booted.}\n    result: void\n    errors: [VM_BAD_POWER_STATE, OPERATION_NOT_ALLOWED]",
            "      - {name: start_paused, type: bool, description: Leave it paused once booted.}\n      - {name: force, type: bool, default: false, lifecycle: [published later]}\n    result: void\n    errors: [VM_BAD_POWER_STATE, OPERATION_NOT_ALLOWED, {code: HANDLE_INVALID, since: later}, {code: VM_TOO_NEW, since: later}]",
        ),
        common::Edit::Replace(
            "classes/VM.yaml",
            "      - {name: Suspended, description: Saved to disk.}",
            "      - {name: Suspended, description: Saved to disk.}\n      - {name: Crashed, description: Stopped by a fault., lifecycle: [published later]}",
        ),
        common::Edit::Replace("classes/VM.yaml", "  - name: consoles\n", "  - name: note\n    description: Free text.\n    type: string\n    qualifier: RW\n    default: \"\"\n    lifecycle: [published later]\n  - name: consoles\n"),
        common::Edit::Replace("classes/console.yaml", "line of a VM.\nlifecycle: [published rio]", "line of a VM.\nlifecycle: [published later]"),
    ] {
        common::apply(dir.path(), e);
    }
    let whole = xenapi_gen::load_schema(dir.path()).unwrap_or_else(|d| panic!("{d}"));
    let (count, wrong) = wrongly_left_out(&whole, "george");
    assert!(wrong.is_empty(), "{wrong:?}");
    let at = whole.at_release("george").unwrap();
    let items: BTreeSet<String> = left_out(&whole, &at).into_iter().map(|(w, _)| w).collect();
    for item in [
        "release later",
        "error VM_TOO_NEW",
        "class console",
        "field VM.note",
        "field VM.consoles",
        "value vm_power_state.Crashed (of class VM)",
        "param VM.start.force",
        "error entry HANDLE_INVALID of VM.start",
        "error entry VM_TOO_NEW of VM.start",
    ] {
        assert!(items.contains(item), "{item} not left out: {items:?}");
    }
    assert_eq!(count, items.len());
    // And the check does catch an item left out for no reason: compare
    // the whole schema with its projection to an earlier release, but
    // judge it as of the newest.
    let rio = whole.at_release("rio").unwrap();
    let newest = whole.releases.len() - 1;
    assert!(left_out(&whole, &rio).iter().any(|(_, i)| !i.is_some_and(|i| i > newest)));
}
