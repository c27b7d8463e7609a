//! Every generated language words a lifecycle the same way: the history
//! of an item and its retirement name each release by its label and code,
//! with the model's phrases, whatever the backend. The mini fixture's
//! `VM.memory_target` was published in rio and deprecated in george.

mod common;

use common::generated_file as file;

use xenapi_gen::backend::Lang;

/// A C header as running text: the ` * ` that starts each comment line
/// dropped and the lines joined, so that wrapping does not matter.
fn c_prose(header: &str) -> String {
    fn text(l: &str) -> &str {
        let l = l.trim();
        if l.starts_with("*/") {
            l
        } else {
            l.trim_start_matches('*').trim_start()
        }
    }
    header.lines().map(text).collect::<Vec<_>>().join(" ")
}

#[test]
fn history_and_retirement_read_the_same_in_every_language() {
    let api = xenapi_gen::load_schema(&common::mini()).unwrap_or_else(|d| panic!("{d}"));
    let history = "published in First Release (rio); deprecated in Fourth Release (george)";
    let retired = "deprecated since Fourth Release (george)";

    let rust = file(Lang::Rust, &api, "src/vm.rs");
    assert!(rust.contains("/// Published in First Release (rio); deprecated in Fourth Release (george)."), "{rust}");
    assert!(rust.contains(&format!("#[deprecated(note = \"{retired}\")]")), "{rust}");

    let python = file(Lang::Python, &api, "xenapi_client/api.py");
    assert!(python.contains(&format!("\"VM.get_memory_target is {retired}\"")), "{python}");
    assert!(python.contains("Published in First Release (rio); deprecated in Fourth Release (george)."), "{python}");
    let records = file(Lang::Python, &api, "xenapi_client/records.py");
    assert!(records.contains(&format!("({history}; RO/constructor)")), "{records}");

    let docs = file(Lang::Docs, &api, "classes/VM.md");
    assert!(docs.contains(&format!("| {history} |")), "{docs}");
}

#[test]
fn a_removed_item_says_so_everywhere() {
    let dir = common::mini_copy();
    common::apply(
        dir.path(),
        common::Edit::Replace("classes/VM.yaml", "deprecated george", "deprecated orlando, removed george"),
    );
    let api = xenapi_gen::load_schema(dir.path()).unwrap_or_else(|d| panic!("{d}"));
    let removed = "removed in Fourth Release (george)";
    assert!(file(Lang::Rust, &api, "src/vm.rs").contains(&format!("#[deprecated(note = \"{removed}\")]")));
    assert!(
        file(Lang::Python, &api, "xenapi_client/api.py").contains(&format!("\"VM.get_memory_target is {removed}\""))
    );
}

/// The C backend needs the `task` class the mini fixture lacks, so its
/// wording is checked on the real schema: `VM.memory_target` was
/// deprecated in midnight-ride, `VM.is_snapshot_from_vmpp` removed in
/// clearwater.
#[test]
fn c_comments_use_the_same_wording() {
    let api = xenapi_gen::load_schema(&common::real_schema()).unwrap_or_else(|d| panic!("{d}"));
    let c = c_prose(&file(Lang::C, &api, "xen/api/xen_vm.h"));
    let deprecated = "Deprecated since XenServer 5.6 (midnight-ride). */ int64_t memory_target XEN_DEPRECATED;";
    assert!(c.contains(deprecated), "xen_vm.h lacks `{deprecated}`");
    let removed = "Removed in XenServer 6.2 (clearwater). Servers of that release and later no longer offer it. */ bool is_snapshot_from_vmpp";
    assert!(c.contains(removed), "xen_vm.h lacks `{removed}`");
}

#[test]
fn python_records_import_only_the_enums_fields_use() {
    // An enum that only a message parameter uses (as VM.set_uefi_mode's
    // mode in the real API) has nothing to do in records.py, where an
    // unused import fails the package's lint.
    let dir = common::mini_copy();
    common::apply(
        dir.path(),
        common::Edit::Replace(
            "classes/VM.yaml",
            "fields:\n",
            "  - name: boot_mode\n    description: How the VM boots.\n    values:\n      - {name: bios, description: Legacy firmware.}\nfields:\n",
        ),
    );
    common::apply(
        dir.path(),
        common::Edit::Replace(
            "classes/VM.yaml",
            "      - {name: start_paused, type: bool, description: Leave it paused once booted.}\n",
            "      - {name: start_paused, type: bool, description: Leave it paused once booted.}\n      - {name: mode, type: enum boot_mode, default: bios, lifecycle: [published miami]}\n",
        ),
    );
    let api = xenapi_gen::load_schema(dir.path()).unwrap_or_else(|d| panic!("{d}"));
    let records = common::generated_file(xenapi_gen::backend::Lang::Python, &api, "records.py");
    let enums = common::generated_file(xenapi_gen::backend::Lang::Python, &api, "enums.py");
    assert!(enums.contains("class BootMode"), "the enum is generated");
    assert!(!records.contains("BootMode"), "records.py does not import it");
    assert!(records.contains("VmPowerState"), "enums that fields use are still imported");
}
