//! The committed schema against the reference facts of the real API: every
//! class, field, enum, error, release and message (explicit and derived)
//! must match exactly. On failure the test lists every difference.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn reference(name: &str) -> Value {
    let path = root().join("../shared/reference").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn load() -> xenapi_gen::model::Api {
    xenapi_gen::load_schema(&root().join("schema")).unwrap_or_else(|d| panic!("schema does not load:\n{d}"))
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
    let got = xenapi_gen::export::model_json(&api);
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
    let mut out = Vec::new();
    let want = reference("xenapi-errors.json");
    diff("errors", &want["errors"], &xenapi_gen::export::errors_json(&api)["errors"], &mut out);
    let want = reference("xenapi-releases.json");
    diff("releases", &want["releases"], &xenapi_gen::export::releases_json(&api)["releases"], &mut out);
    assert!(out.is_empty(), "{} differences:\n{}", out.len(), out.join("\n"));
    assert_eq!((api.errors.len(), api.releases.len()), (603, 68));
}
