//! Generated names never collide: the resolver checks every scope of every
//! target language (Rust, C, Python) when a schema loads, so the real
//! schema loading is the proof for it, and a collision planted in the real
//! schema is caught there. The located diagnostics on small schemas are
//! cases of `diagnostics.rs`.

mod common;

use common::Edit::Replace;

#[test]
fn the_real_schema_has_no_identifier_collisions() {
    if let Err(d) = xenapi_gen::load_schema(&common::real_schema()) {
        panic!("the real schema does not load:\n{d}");
    }
}

#[test]
fn a_collision_planted_in_the_real_schema_is_reported_once_and_located() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&common::real_schema(), dir.path());
    common::apply(dir.path(), Replace("classes/VM.yaml", "  - name: VCPUs_at_startup\n", "  - name: vcpus_max\n"));
    let d = xenapi_gen::load_schema(dir.path()).unwrap_err().relative_to(dir.path());
    let lines: Vec<String> = d.iter().map(ToString::to_string).collect();
    assert_eq!(lines.len(), 1, "{d}");
    assert_eq!(
        lines[0],
        "classes/VM.yaml:247:5: error: field `vcpus_max` of class `VM` and field `VCPUs_max` of class `VM` (line 242) both become `vcpus_max` in Rust and C\n  help: rename one of the two so that they stay apart in Rust and C"
    );
}

#[test]
fn hundreds_of_collisions_are_all_reported_in_one_run() {
    let dir = common::mini_copy();
    let mut fields = String::new();
    for i in 0..400 {
        for name in [format!("Item_{i}"), format!("item_{i}")] {
            fields.push_str(&format!(
                "  - name: {name}\n    description: One of a colliding pair.\n    type: int\n    qualifier: RO/runtime\n    lifecycle: [published rio]\n"
            ));
        }
    }
    let path = dir.path().join("classes/console.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("fields:\n", &format!("fields:\n{fields}"), 1)).unwrap();
    let d = xenapi_gen::load_schema(dir.path()).unwrap_err();
    // One diagnostic per pair, naming both languages, even where the
    // loader's budget for finding lines runs out on so large a file.
    assert_eq!(d.len(), 400, "{d}");
    assert!(d.iter().all(|d| d.message.ends_with("in Rust and C")), "{d}");
}
