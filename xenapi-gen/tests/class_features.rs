//! The generated crate has one cargo feature per class: what each feature
//! turns on, what stays on without it, and what a class brings along. (That
//! the crate compiles warning-free with only a few classes on is checked by
//! `scripts/test.sh`, which runs clippy over it with small feature sets.)

mod common;

use common::real_schema as schema;
use quote::ToTokens;
use std::collections::BTreeMap;
use std::sync::OnceLock;
use xenapi_gen::backend::{GeneratedFile, Lang};
use xenapi_gen::model::Type;
use xenapi_gen::Builder;

/// The files of the generated crate, made once for every test here.
fn crate_files() -> &'static [GeneratedFile] {
    static FILES: OnceLock<Vec<GeneratedFile>> = OnceLock::new();
    FILES
        .get_or_init(|| Builder::new().schema(schema()).langs([Lang::Rust]).files().expect("the real schema generates"))
}

fn text<'f>(files: &'f [GeneratedFile], path: &str) -> &'f str {
    let f = files.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("no {path}"));
    std::str::from_utf8(&f.contents).expect("UTF-8")
}

/// The `[features]` table of the crate's Cargo.toml: each feature with the
/// features it turns on (the `default` list spread over several lines).
fn features(cargo_toml: &str) -> BTreeMap<String, Vec<String>> {
    let table = cargo_toml.split("\n[features]\n").nth(1).expect("a [features] table");
    let body: String = table.lines().filter(|l| !l.starts_with('#')).map(|l| format!("{}\n", l.trim())).collect();
    let mut out = BTreeMap::new();
    // Entries end at a `]`; names inside are quoted and never hold one.
    for entry in body.split_inclusive(']') {
        let Some((name, list)) = entry.split_once('=') else { continue };
        let list = list.trim().trim_start_matches('[').trim_end_matches(']');
        let items = list.split(',').map(|s| s.trim().trim_matches('"').to_string()).filter(|s| !s.is_empty()).collect();
        out.insert(name.trim().to_string(), items);
    }
    out
}

/// The `cfg` predicates on each top-level item of a module, by the name
/// of the item (impls as `impl Type` and `impl Trait for Type`), as
/// written (`feature = "VM"`).
fn cfgs(source: &str) -> BTreeMap<String, Vec<String>> {
    let file = syn::parse_file(source).expect("generated code parses");
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for item in &file.items {
        let (name, attrs) = match item {
            syn::Item::Struct(i) => (i.ident.to_string(), &i.attrs),
            syn::Item::Enum(i) => (i.ident.to_string(), &i.attrs),
            syn::Item::Trait(i) => (i.ident.to_string(), &i.attrs),
            syn::Item::Type(i) => (i.ident.to_string(), &i.attrs),
            syn::Item::Fn(i) => (i.sig.ident.to_string(), &i.attrs),
            syn::Item::Impl(i) => {
                let ty = i.self_ty.to_token_stream().to_string();
                let name = match &i.trait_ {
                    Some((_, t, _)) => format!("impl {} for {ty}", t.to_token_stream()),
                    None => format!("impl {ty}"),
                };
                (name, &i.attrs)
            }
            _ => continue,
        };
        let preds = attrs
            .iter()
            .filter(|a| a.path().is_ident("cfg"))
            .map(|a| a.parse_args::<proc_macro2::TokenStream>().expect("cfg args").to_string())
            .collect();
        // Several items may share a name (a trait defined under a feature
        // and its opposite): keep every predicate.
        out.entry(name).or_default().extend::<Vec<String>>(preds);
    }
    out
}

#[test]
fn every_class_has_a_feature_named_as_the_api_spells_it_and_all_and_the_server_side_are_default() {
    let api = Builder::new().schema(schema()).load().unwrap();
    let files = crate_files();
    let features = features(text(files, "rust/Cargo.toml"));
    let classes: Vec<String> = api.classes.iter().map(|c| c.name.clone()).collect();
    assert_eq!(features["default"][0], "server");
    assert_eq!(features["default"][1..], classes);
    for c in &classes {
        assert!(features.contains_key(c), "no feature {c}");
    }
    assert_eq!(features["server"], Vec::<String>::new());
    assert_eq!(features.len(), classes.len() + 2, "features other than the classes, server and default");
    assert!(features.contains_key("VM") && features.contains_key("host") && features.contains_key("PIF_metrics"));
}

#[test]
fn a_class_brings_the_classes_whose_records_it_names_and_no_class_it_only_refers_to() {
    let api = Builder::new().schema(schema()).load().unwrap();
    let files = crate_files();
    let features = features(text(files, "rust/Cargo.toml"));
    // VM.get_data_sources returns data_source records; VM.resident_on is
    // a host ref, which needs no feature.
    assert_eq!(features["VM"], ["data_source"]);
    assert!(api.class("VM").unwrap().fields.iter().any(|f| f.ty == Type::Ref("host".into())));
    assert_eq!(features["pool"], Vec::<String>::new());
    assert_eq!(features["task"], Vec::<String>::new());
    assert_eq!(features["event"], Vec::<String>::new(), "the event record is always on");
    // Every record a class's messages or fields name is brought along
    // (the event record aside), and nothing else.
    for c in &api.classes {
        let mut named = std::collections::BTreeSet::new();
        let types = c
            .fields
            .iter()
            .map(|f| &f.ty)
            .chain(c.messages.iter().flat_map(|m| m.params.iter().map(|p| &p.ty).chain([&m.result])));
        for ty in types {
            ty.visit(&mut |t| {
                if let Type::Record(r) = t {
                    if *r != c.name && r != "event" {
                        named.insert(r.clone());
                    }
                }
            });
        }
        let got: std::collections::BTreeSet<String> = features[&c.name].iter().cloned().collect();
        assert_eq!(got, named, "the classes {} brings", c.name);
    }
}

#[test]
fn a_class_feature_gates_its_record_client_server_and_dispatcher_but_not_its_ref() {
    let files = crate_files();
    let vm = cfgs(text(files, "rust/src/vm.rs"));
    let on = vec!["feature = \"VM\"".to_string()];
    for item in ["VmRecord", "VmClient", "impl VmClient < 's , T >", "VmPowerState", "impl VmPowerState"] {
        assert_eq!(vm[item], on, "{item}");
    }
    // The server side also needs the `server` feature.
    let server = vec!["all (feature = \"server\" , feature = \"VM\")".to_string()];
    for item in [
        "VmServer",
        "dispatch",
        "impl crate :: server :: Record for VmRecord",
        "impl crate :: server :: HasRecord for Vm",
    ] {
        assert_eq!(vm[item], server, "{item}");
    }
    for item in ["Vm", "VmRef", "impl xenapi_rt :: types :: Class for Vm"] {
        assert!(vm[item].is_empty(), "{item} is gated: {:?}", vm[item]);
    }
    // The part of `Server` the class adds exists either way.
    assert_eq!(
        vm["VmServerPart"],
        ["all (feature = \"server\" , feature = \"VM\")", "all (feature = \"server\" , not (feature = \"VM\"))"]
    );
    // An enum two classes name is on with either.
    assert_eq!(vm["UpdateGuidances"], ["any (feature = \"VM\" , feature = \"host\")"]);
}

#[test]
fn what_the_runtime_schema_needs_stays_on_without_features() {
    let files = crate_files();
    let event = cfgs(text(files, "rust/src/event.rs"));
    assert!(event["EventRecord"].is_empty());
    assert!(event["EventOperation"].is_empty(), "the event record's field type");
    assert_eq!(event["EventServer"], ["all (feature = \"server\" , feature = \"event\")"]);
    assert_eq!(event["impl crate :: server :: Record for EventRecord"], ["feature = \"server\""]);
    let task = cfgs(text(files, "rust/src/task.rs"));
    assert!(task["TaskStatusType"].is_empty());
    assert_eq!(task["TaskRecord"], ["feature = \"task\""]);
}

/// Source without whitespace, so that checks do not depend on how the
/// formatter lays out attributes and macro bodies.
fn squash(s: &str) -> String {
    s.split_whitespace().collect()
}

#[test]
fn the_crate_root_client_and_router_list_classes_under_their_features() {
    let files = crate_files();
    let has = |path: &str, needle: &str| squash(text(files, path)).contains(&squash(needle));
    assert!(has("rust/src/lib.rs", "#[cfg(feature = \"VM\")] visitor.visit::<VmRecord>();"));
    let event = squash(text(files, "rust/src/lib.rs"))
        .find("visitor.visit::<EventRecord>();")
        .expect("the event record is visited");
    assert!(
        squash(text(files, "rust/src/lib.rs"))[..event].ends_with(';'),
        "the event record is visited whatever the features"
    );
    assert!(has("rust/src/lib.rs", "$crate::__xenapi_if_vm! { $m!(VmServer); }"));
    assert!(has(
        "rust/src/lib.rs",
        "#[cfg(feature = \"server\")] pub trait Server: server::Backend + BondServerPart +"
    ));
    assert!(has("rust/src/lib.rs", "#[cfg(feature = \"server\")] mod routing;"));
    assert!(has("rust/src/client.rs", "#[cfg(feature = \"VM\")] pub fn vm(&self)"));
    assert!(has("rust/src/routing.rs", "#[cfg(feature = \"VM\")] \"VM.start\","));
    assert!(has("rust/src/routing.rs", "#[cfg(feature = \"VM\")] Some((\"VM\", message)) =>"));
}

#[test]
fn bindings_for_including_into_another_crate_have_no_features_to_ask_about() {
    let source = Builder::new().schema(schema()).classes(["VM", "host"]).source().expect("bindings");
    assert!(!source.contains("feature ="), "a cfg on a feature of the including crate");
    assert!(!source.contains("__xenapi_if_"));
}
