//! Release targeting against the reference lifecycle data: the API at
//! `rio` holds exactly the classes and messages published by then.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use xenapi_gen::model::{Api, Type};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn api() -> Api {
    xenapi_gen::load_schema(&root().join("schema")).unwrap_or_else(|d| panic!("{d}"))
}

fn reference(name: &str) -> Value {
    let path = root().join("../shared/reference").join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The earliest release (in release order) an item was prototyped or
/// published in, per the reference export.
fn introduced(lifecycle: &Value, order: &[String]) -> Option<String> {
    lifecycle["transitions"]
        .as_array()?
        .iter()
        .filter(|t| t["transition"] == "published" || t["transition"] == "prototyped")
        .filter_map(|t| order.iter().position(|r| t["release"] == r.as_str()))
        .min()
        .map(|i| order[i].clone())
}

#[test]
fn rio_has_what_was_published_by_rio_and_nothing_newer() {
    let model = reference("xenapi-model.json");
    let order: Vec<String> = reference("xenapi-releases.json")["releases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_string())
        .collect();
    let mut want_classes = BTreeSet::new();
    let mut want_messages = Vec::new();
    for c in model["classes"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        if introduced(&c["lifecycle"], &order).as_deref() != Some("rio") {
            continue;
        }
        want_classes.insert(name.to_string());
        for m in c["messages"].as_array().unwrap() {
            if introduced(&m["lifecycle"], &order).as_deref() == Some("rio") {
                want_messages.push((format!("{name}.{}", m["name"].as_str().unwrap()), m.clone()));
            }
        }
    }
    // A few lifecycles are older than the classes their types name
    // (VM.VUSBs says rio; VUSB came in inverness): those cannot exist at
    // rio and are left out by design.
    let mut inexpressible = BTreeSet::new();
    let want_messages: BTreeSet<String> = want_messages
        .into_iter()
        .filter(|(full, m)| {
            let types = std::iter::once(m["result"].as_str().unwrap())
                .chain(m["params"].as_array().unwrap().iter().map(|p| p["type"].as_str().unwrap()));
            let mut ok = true;
            for t in types {
                Type::parse(t).unwrap().visit(&mut |p| {
                    if let Type::Ref(c) | Type::Record(c) = p {
                        ok &= want_classes.contains(c);
                    }
                });
            }
            if !ok {
                inexpressible.insert(full.clone());
            }
            ok
        })
        .map(|(full, _)| full)
        .collect();
    assert_eq!(
        inexpressible.iter().map(String::as_str).collect::<Vec<_>>(),
        ["VM.get_VTPMs", "VM.get_VUSBs", "VM.get_appliance"]
    );
    let rio = api().at_release("rio").expect("rio is a release");
    let got_classes: BTreeSet<String> = rio.classes.iter().map(|c| c.name.clone()).collect();
    // The reference export leaves internal messages out.
    let got_messages: BTreeSet<String> =
        rio.messages().filter(|(_, m)| !m.internal).map(|(c, m)| format!("{}.{}", c.name, m.name)).collect();
    assert_eq!(got_classes, want_classes);
    let missing: Vec<_> = want_messages.difference(&got_messages).collect();
    let extra: Vec<_> = got_messages.difference(&want_messages).collect();
    assert!(missing.is_empty() && extra.is_empty(), "missing {missing:?}\nextra {extra:?}");
    assert!(got_messages.len() > 500, "rio has {} messages", got_messages.len());
    // Nothing deprecated after rio shows as deprecated at rio.
    assert!(rio.classes.iter().flat_map(|c| &c.messages).all(|m| !m.lifecycle.is_deprecated()));
    assert_eq!(rio.releases.len(), 1);
}

#[test]
fn every_release_refers_only_to_what_exists_then() {
    let full = api();
    for release in &full.releases {
        let at = full.at_release(&release.code).unwrap();
        let classes: BTreeSet<&str> = at.classes.iter().map(|c| c.name.as_str()).collect();
        let enums: BTreeSet<&str> = at.enums().map(|e| e.name.as_str()).collect();
        let check = |t: &Type, what: &str| {
            t.visit(&mut |p| match p {
                Type::Ref(c) | Type::Record(c) => {
                    assert!(classes.contains(c.as_str()), "{}: {what} refers to class {c}", release.code)
                }
                Type::Enum(e) => assert!(enums.contains(e.as_str()), "{}: {what} refers to enum {e}", release.code),
                _ => {}
            })
        };
        for c in &at.classes {
            for f in &c.fields {
                check(&f.ty, &format!("{}.{}", c.name, f.name));
            }
            for m in &c.messages {
                check(&m.result, &format!("{}.{}", c.name, m.name));
                for p in &m.params {
                    check(&p.ty, &format!("{}.{} param {}", c.name, m.name, p.name));
                }
            }
        }
    }
}
