//! The command line's `generate --protocol`: the Rust crate it writes
//! speaks only the chosen protocols and asks `xenapi-rt` for only their
//! features; bad values are refused with the list of good ones.

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn generate(out: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xenapi-gen"))
        .arg("generate")
        .arg("--schema")
        .arg(common::real_schema())
        .arg("--out")
        .arg(out)
        .args(["--lang", "rust"])
        .args(extra)
        .output()
        .unwrap()
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
        assert!(
            rt.contains(&format!(r#"default-features = false, features = ["tls", "{flag}"]"#)),
            "{rt}"
        );
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
    let out = generate(dir.path(), &["--protocol", "soap"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("soap") && err.contains("xml-rpc") && err.contains("json-rpc"), "{err}");
    assert!(!dir.path().join("rust").exists(), "nothing is written");
}
