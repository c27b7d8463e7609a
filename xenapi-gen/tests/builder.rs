//! The one front door of a run: the single-file bindings for build
//! scripts (which sides of the API, what it tells Cargo, how it fails) and
//! the output tree the command line writes.

mod common;

use common::real_schema as schema;
use std::collections::BTreeSet;
use std::path::PathBuf;
use xenapi_gen::backend::Lang;
use xenapi_gen::{Builder, Error, Protocol};

/// The names a `use` tree brings in (globs bring none by name).
fn use_names(tree: &syn::UseTree, out: &mut Vec<String>) {
    match tree {
        syn::UseTree::Path(p) => use_names(&p.tree, out),
        syn::UseTree::Name(n) => out.push(n.ident.to_string()),
        syn::UseTree::Rename(r) => out.push(r.rename.to_string()),
        syn::UseTree::Group(g) => g.items.iter().for_each(|t| use_names(t, out)),
        syn::UseTree::Glob(_) => {}
    }
}

/// Names of the items of a generated single file, with the items of its
/// inline modules (and what they re-export) as `module::item`.
fn items(source: &str) -> BTreeSet<String> {
    fn name(item: &syn::Item) -> Option<String> {
        Some(match item {
            syn::Item::Struct(i) => i.ident.to_string(),
            syn::Item::Enum(i) => i.ident.to_string(),
            syn::Item::Trait(i) => i.ident.to_string(),
            syn::Item::Fn(i) => i.sig.ident.to_string(),
            syn::Item::Mod(i) => i.ident.to_string(),
            syn::Item::Type(i) => i.ident.to_string(),
            syn::Item::Const(i) => i.ident.to_string(),
            syn::Item::Static(i) => i.ident.to_string(),
            syn::Item::Macro(i) => i.ident.as_ref()?.to_string(),
            _ => return None,
        })
    }
    let file = syn::parse_file(source).expect("the generated file parses");
    let mut out = BTreeSet::new();
    for item in &file.items {
        if let Some(n) = name(item) {
            out.insert(n.clone());
            if let syn::Item::Mod(m) = item {
                for inner in m.content.iter().flat_map(|(_, items)| items) {
                    if let Some(i) = name(inner) {
                        out.insert(format!("{n}::{i}"));
                    }
                    if let syn::Item::Use(u) = inner {
                        if matches!(u.vis, syn::Visibility::Public(_)) {
                            let mut names = Vec::new();
                            use_names(&u.tree, &mut names);
                            out.extend(names.iter().map(|i| format!("{n}::{i}")));
                        }
                    }
                }
            }
        }
    }
    out
}

fn source(client: bool, server: bool) -> BTreeSet<String> {
    let b = Builder::new().schema(schema()).classes(["VM"]).client(client).server(server);
    items(&b.source().expect("bindings"))
}

#[test]
fn client_only_has_no_server_side() {
    let got = source(true, false);
    for want in ["client", "client::Session", "vm::VmClient", "vm::VmRecord", "errors::ApiError"] {
        assert!(got.contains(want), "{want} missing from a client-only build");
    }
    for absent in ["server", "routing", "roles", "Server", "RELATIONS", "vm::VmServer", "vm::dispatch"] {
        assert!(!got.contains(absent), "{absent} in a client-only build");
    }
}

#[test]
fn server_only_has_no_client() {
    let got = source(false, true);
    for want in
        ["server", "server::Store", "routing", "roles", "Server", "vm::VmServer", "vm::dispatch", "vm::VmRecord"]
    {
        assert!(got.contains(want), "{want} missing from a server-only build");
    }
    for absent in ["client", "vm::VmClient"] {
        assert!(!got.contains(absent), "{absent} in a server-only build");
    }
}

#[test]
fn neither_side_leaves_the_types() {
    let got = source(false, false);
    for want in ["vm::Vm", "vm::VmRecord", "vm::VmPowerState", "errors::ApiError", "EventBatch"] {
        assert!(got.contains(want), "{want} missing from a types-only build");
    }
    for absent in ["client", "server", "vm::VmClient", "vm::VmServer"] {
        assert!(!got.contains(absent), "{absent} in a types-only build");
    }
}

#[test]
fn both_sides_by_default() {
    let got = items(&Builder::new().schema(schema()).classes(["VM"]).source().expect("bindings"));
    assert!(got.contains("vm::VmClient") && got.contains("vm::VmServer"));
}

#[test]
fn tells_cargo_about_every_schema_file() {
    let out = tempfile::tempdir().unwrap();
    let mut lines = Vec::new();
    let path = Builder::new().schema(schema()).classes(["VM"]).out_dir(out.path()).generate_to(&mut lines).unwrap();
    assert!(path.starts_with(out.path()) && path.is_file());
    let text = String::from_utf8(lines).unwrap();
    let rerun: BTreeSet<PathBuf> =
        text.lines().filter_map(|l| l.strip_prefix("cargo:rerun-if-changed=")).map(PathBuf::from).collect();
    let files = Builder::new().schema(schema()).schema_files();
    assert_eq!(files.len(), 3 + std::fs::read_dir(schema().join("classes")).unwrap().count());
    for f in files.iter().chain([&schema(), &schema().join("classes")]) {
        assert!(rerun.contains(f), "no rerun-if-changed for {}", f.display());
    }
    // A run that succeeds says nothing else: no `cargo:warning`, which
    // Cargo would show on every build.
    let other: Vec<&str> = text.lines().filter(|l| !l.starts_with("cargo:rerun-if-changed=")).collect();
    assert!(other.is_empty(), "a successful run printed more than rerun-if-changed lines: {other:?}");
}

/// Every diagnostic of the loader is an error (there is no warning level),
/// so `cargo:warning` lines come only from a schema that does not load:
/// one line per problem, its help on the same line, and the rerun lines
/// still there so that fixing the schema reruns the build.
#[test]
fn a_broken_schema_warns_once_per_problem_and_fails() {
    let dir = common::mini_copy();
    common::apply(dir.path(), common::Edit::Replace("classes/VM.yaml", "type: int\n", "type: integer\n"));
    common::apply(dir.path(), common::Edit::Replace("classes/VM.yaml", "type: host ref", "type: hots ref"));
    let out = tempfile::tempdir().unwrap();
    let mut lines = Vec::new();
    let err = Builder::new().schema(dir.path()).out_dir(out.path()).generate_to(&mut lines).unwrap_err();
    let Error::Schema(diags) = err else { panic!("not a schema error: {err}") };
    assert_eq!(diags.len(), 2, "{diags}");
    let text = String::from_utf8(lines).unwrap();
    let warnings: Vec<&str> = text.lines().filter_map(|l| l.strip_prefix("cargo:warning=")).collect();
    assert_eq!(warnings.len(), diags.len(), "one warning per diagnostic:\n{text}");
    for (w, d) in warnings.iter().zip(diags.iter()) {
        assert!(w.contains(&d.message), "`{w}` does not hold `{}`", d.message);
    }
    assert!(
        warnings.iter().any(|w| w.contains("unknown type `integer`") && w.contains("help: did you mean `int`?")),
        "{warnings:?}"
    );
    assert!(warnings.iter().any(|w| w.contains("unknown class `hots`")), "{warnings:?}");
    assert!(text
        .lines()
        .any(|l| l == format!("cargo:rerun-if-changed={}", dir.path().join("classes/VM.yaml").display())));
    assert!(
        text.lines().all(|l| l.starts_with("cargo:warning=") || l.starts_with("cargo:rerun-if-changed=")),
        "{text}"
    );
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0, "nothing is written for a broken schema");
}

#[test]
fn unknown_class_and_release_are_errors() {
    let e = Builder::new().schema(schema()).classes(["VN"]).source().unwrap_err();
    assert!(matches!(&e, Error::UnknownClasses(c) if c.contains("VN")), "{e}");
    let e = Builder::new().schema(schema()).release("stockholn").source().unwrap_err();
    assert!(matches!(&e, Error::UnknownRelease(r, hint) if r == "stockholn" && hint.contains("stockholm")), "{e}");
}

/// The `Connection` constructors, the `speaks` test and the runtime items
/// a build for `xml_rpc`/`json_rpc` names.
fn protocol_source(xml_rpc: bool, json_rpc: bool) -> Result<String, Error> {
    Builder::new().schema(schema()).classes(["VM"]).xml_rpc(xml_rpc).json_rpc(json_rpc).source()
}

#[test]
fn protocol_choice_shapes_the_bindings() {
    let compact = |s: String| s.split_whitespace().collect::<String>();
    let xml = compact(protocol_source(true, false).unwrap());
    let json = compact(protocol_source(false, true).unwrap());
    let both = compact(protocol_source(true, true).unwrap());
    let xml_guard = "usexenapi_rt::xmlrpc::CallWriteras_;";
    let json_guard = "usexenapi_rt::jsonrpc::CallWriteras_;";
    let xml_new = "pubfnxml_rpc(transport:T)->Self";
    let json_new = "pubfnjson_rpc(transport:T)->Self";
    for (name, text, want, unwanted) in [
        ("xml", &xml, [xml_guard, xml_new, "matches!(protocol,Protocol::XmlRpc)"], [json_guard, json_new]),
        ("json", &json, [json_guard, json_new, "matches!(protocol,Protocol::JsonRpc(_))"], [xml_guard, xml_new]),
    ] {
        for w in want {
            assert!(text.contains(w), "{name}: {w} missing");
        }
        for u in unwanted {
            assert!(!text.contains(u), "{name}: {u} present");
        }
    }
    for w in [xml_guard, json_guard, xml_new, json_new, "let_=protocol;true"] {
        assert!(both.contains(w), "both: {w} missing");
    }
    // The runtime's dispatcher asks `speaks`, through the crate's routes,
    // whichever protocols were chosen.
    assert!(xml.contains("fnspeaks(protocol:xenapi_rt::Protocol)->bool{crate::speaks(protocol)}"));
}

#[test]
fn no_protocol_at_all_is_an_error() {
    match protocol_source(false, false) {
        Err(e @ Error::NoProtocol) => assert!(e.to_string().contains("XML-RPC or JSON-RPC")),
        other => panic!("expected NoProtocol, got {:?}", other.map(|s| s.len())),
    }
}

#[test]
fn the_tree_is_written_then_checked_clean_and_stale_files_are_found() {
    let out = tempfile::tempdir().unwrap();
    let b = Builder::new().schema(schema()).langs([Lang::Docs]);
    let written = b.generate_tree(out.path()).unwrap();
    assert!(written.changed.is_empty() && written.stale.is_empty() && written.added.len() > 60, "{written:?}");
    let clean = b.check_tree(out.path()).unwrap();
    assert!(clean.is_clean() && clean.unchanged == written.added.len(), "{clean:?}");

    let page = out.path().join("docs/classes/VM.md");
    std::fs::write(&page, "edited by hand\n").unwrap();
    let stray = out.path().join("docs/old.md");
    std::fs::write(&stray, "left over\n").unwrap();
    let beside = out.path().join("notes.txt");
    std::fs::write(&beside, "not generated\n").unwrap();
    // The HTML site `mdbook build generated/docs` writes is not stale.
    let site = out.path().join("docs/book/index.html");
    std::fs::create_dir_all(site.parent().unwrap()).unwrap();
    std::fs::write(&site, "<html></html>\n").unwrap();
    let stale = b.check_tree(out.path()).unwrap();
    assert_eq!((stale.changed, stale.stale), (vec![page.clone()], vec![stray.clone()]));
    assert_eq!(std::fs::read_to_string(&page).unwrap(), "edited by hand\n", "a check writes nothing");

    b.generate_tree(out.path()).unwrap();
    assert!(b.check_tree(out.path()).unwrap().is_clean());
    assert!(!stray.exists(), "a file the docs no longer have is removed");
    assert!(beside.exists(), "files outside the languages' folders are left alone");
    assert!(site.exists(), "the built docs site is left alone");
}

#[test]
fn the_tree_follows_the_class_subset_and_the_languages_chosen() {
    let files = Builder::new().schema(schema()).classes(["VM"]).langs([Lang::Docs, Lang::Docs]).files().unwrap();
    let paths: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths.len(), files.len(), "a language named twice is written once");
    assert!(paths.iter().all(|p| p.starts_with("docs/")), "{paths:?}");
    for want in ["docs/classes/VM.md", "docs/classes/session.md", "docs/classes/task.md", "docs/classes/event.md"] {
        assert!(paths.contains(want), "{want} missing");
    }
    assert!(!paths.contains("docs/classes/host.md"), "a class left out has no page");
}

#[test]
fn sides_of_the_api_are_for_the_single_file_only() {
    let out = tempfile::tempdir().unwrap();
    let e = Builder::new().schema(schema()).langs([Lang::Docs]).server(false).generate_tree(out.path()).unwrap_err();
    assert!(matches!(e, Error::PartsInTree), "{e}");
    assert!(std::fs::read_dir(out.path()).unwrap().next().is_none(), "nothing is written");
}

#[test]
fn the_protocol_list_replaces_the_defaults() {
    let xml = protocol_source(true, false).unwrap();
    let listed = Builder::new().schema(schema()).classes(["VM"]).protocols([Protocol::XmlRpc]).source().unwrap();
    assert_eq!(xml, listed);
    let e = Builder::new().schema(schema()).classes(["VM"]).protocols([]).source().unwrap_err();
    assert!(matches!(e, Error::NoProtocol), "{e}");
}

#[test]
fn the_tree_comes_out_the_same_on_every_run_in_the_order_of_the_languages() {
    let b = Builder::new().schema(schema()).classes(["VM"]).langs([Lang::Python, Lang::Rust, Lang::Docs, Lang::C]);
    let first = b.files().unwrap();
    for _ in 0..3 {
        assert!(b.files().unwrap() == first, "a run gave other files or another order");
    }
    let mut dirs: Vec<&str> = first.iter().map(|f| f.path.split('/').next().unwrap()).collect();
    dirs.dedup();
    assert_eq!(dirs, ["python", "rust", "docs", "c"]);
}
