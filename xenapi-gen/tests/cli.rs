//! The command line's `generate`: with `--protocol`, the Rust crate it
//! writes speaks only the chosen protocols and asks `xenapi-rt` for only
//! their features; `--lang` picks the folders written; a bad value of
//! either is refused by the parser (exit status 2) with the list of good
//! ones, before anything is read or written.

mod common;

use std::path::Path;
use std::process::{Command, Output};

/// Runs `xenapi-gen generate` on the real schema into `out`, with `args`.
fn run(out: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xenapi-gen"))
        .arg("generate")
        .arg("--schema")
        .arg(common::real_schema())
        .arg("--out")
        .arg(out)
        .args(args)
        .output()
        .unwrap()
}

/// A run for the Rust crate alone.
fn generate(out: &Path, extra: &[&str]) -> Output {
    run(out, &[&["--lang", "rust"], extra].concat())
}

/// Asserts that a run was refused by the argument parser: status 2, the
/// bad value and every good one named, nothing written.
fn assert_refused(out: &Path, got: &Output, bad: &str, good: &[&str]) {
    assert_eq!(got.status.code(), Some(2), "{}", String::from_utf8_lossy(&got.stderr));
    let err = String::from_utf8_lossy(&got.stderr);
    assert!(err.contains(&format!("invalid value '{bad}'")), "{err}");
    for g in good {
        assert!(err.contains(g), "{g} not offered: {err}");
    }
    assert!(std::fs::read_dir(out).unwrap().next().is_none(), "nothing is written");
}

/// The crate's `Cargo.toml`, and its `src/lib.rs` followed by
/// `src/client.rs` (where the `Connection` constructors are), after a run
/// that must succeed.
fn crate_files(extra: &[&str]) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = generate(dir.path(), extra);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let read = |p: &str| std::fs::read_to_string(dir.path().join("rust").join(p)).unwrap();
    (read("Cargo.toml"), read("src/lib.rs") + &read("src/client.rs"))
}

#[test]
fn one_protocol_leaves_the_other_out_of_the_crate_and_its_features() {
    for (flag, kept, left) in [("xml-rpc", "xml_rpc", "json_rpc"), ("json-rpc", "json_rpc", "xml_rpc")] {
        let (toml, lib) = crate_files(&["--protocol", flag]);
        let rt = toml.lines().find(|l| l.starts_with("xenapi-rt")).unwrap();
        assert!(rt.contains(&format!(r#"default-features = false, features = ["tls", "{flag}"]"#)), "{rt}");
        assert!(lib.contains(&format!("pub fn {kept}(transport: T) -> Self")), "{flag}");
        assert!(!lib.contains(&format!("pub fn {left}(transport: T) -> Self")), "{flag}");
        let guard = if kept == "xml_rpc" { "xmlrpc" } else { "jsonrpc" };
        assert!(lib.contains(&format!("use xenapi_rt::{guard}::CallWriter as _;")), "{flag}");
    }
}

#[test]
fn both_protocols_are_the_default_and_the_committed_crate() {
    let (toml, lib) = crate_files(&[]);
    let (both_toml, both_lib) = crate_files(&["--protocol", "json-rpc,xml-rpc"]);
    assert_eq!((&toml, &lib), (&both_toml, &both_lib));
    let committed = common::real_schema().parent().unwrap().join("generated/rust/Cargo.toml");
    assert_eq!(toml, std::fs::read_to_string(committed).unwrap());
    assert!(lib.contains("pub fn xml_rpc(transport: T) -> Self"));
    assert!(lib.contains("pub fn json_rpc(transport: T) -> Self"));
}

#[test]
fn an_unknown_protocol_is_refused_with_the_known_ones() {
    let dir = tempfile::tempdir().unwrap();
    let got = generate(dir.path(), &["--protocol", "soap"]);
    assert_refused(dir.path(), &got, "soap", &["xml-rpc", "json-rpc"]);
    let got = generate(dir.path(), &["--protocol", "xml-rpc,soap"]);
    assert_refused(dir.path(), &got, "soap", &["xml-rpc", "json-rpc"]);
}

#[test]
fn an_unknown_language_is_refused_with_the_known_ones() {
    let dir = tempfile::tempdir().unwrap();
    let got = run(dir.path(), &["--lang", "nope"]);
    assert_refused(dir.path(), &got, "nope", &["rust", "c", "python", "docs"]);
    let got = run(dir.path(), &["--lang", "docs,nope"]);
    assert_refused(dir.path(), &got, "nope", &["rust", "c", "python", "docs"]);
}

#[test]
fn the_languages_listed_are_the_folders_written() {
    let dir = tempfile::tempdir().unwrap();
    let got = run(dir.path(), &["--lang", "docs,python"]);
    assert!(got.status.success(), "{}", String::from_utf8_lossy(&got.stderr));
    let mut written: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    written.sort();
    assert_eq!(written, ["docs", "python"]);
    let check = run(dir.path(), &["--lang", "python,docs", "--check"]);
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
}
