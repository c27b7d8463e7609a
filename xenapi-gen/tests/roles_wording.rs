//! An empty role list is worded once, by the model, and every output that
//! shows roles uses those words: the C comments, the docs pages and the
//! Rust role constants. (The C SDK used to call such a call "not subject
//! to role checks", the opposite of what it means.)

mod common;

use common::{generated_file as file, Edit};
use xenapi_gen::backend::Lang;
use xenapi_gen::model::Roles;

/// Comment text with the comment markers and line breaks taken out, and
/// every run of white space one space.
fn prose(text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(|l| l.trim().trim_start_matches("///").trim_start_matches('*')).collect();
    lines.join(" ").split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn a_call_no_role_grants_reads_the_same_in_every_output() {
    let dir = common::mini_copy();
    // VM.start: granted to no role.
    common::apply(
        dir.path(),
        Edit::Replace(
            "classes/VM.yaml",
            "    roles: vm-admin\n    lifecycle: [published rio]\n  - name: clean_shutdown",
            "    roles: []\n    lifecycle: [published rio]\n  - name: clean_shutdown",
        ),
    );
    let api = xenapi_gen::load_schema(dir.path()).unwrap_or_else(|d| panic!("{d}"));
    let sentence = Roles::none_sentence();
    assert_eq!(sentence, "Local root only: no role grants the call, so only a local superuser session may make it.");

    let c = prose(&file(Lang::C, &api, "include/xen/api/xen_vm.h"));
    let start = c.find("Boots a halted VM.").expect("xen_vm_start is documented");
    assert!(c[start..].starts_with(&format!("Boots a halted VM. {sentence}")), "{}", &c[start..start + 200]);
    assert!(!c.contains("role checks"), "{c}");

    let docs = file(Lang::Docs, &api, "classes/VM.md");
    assert!(docs.contains(&format!("- Roles: {}\n", Roles::NONE_LABEL)), "{docs}");

    let rust = file(Lang::Rust, &api, "src/roles.rs");
    assert!(prose(&rust).contains(&format!("{sentence} pub const LOCAL_ROOT_ONLY: &[&str] = &[];")), "{rust}");
}
