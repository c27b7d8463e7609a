//! The C backend against the reference facts and the official C SDK's
//! conventions: every class, message, enum value and error code of the real
//! API has its C name, key signatures and record layouts are those of
//! libxenserver, and generation is deterministic. (Building and running the
//! C is tests/c/run.sh.)

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use xenapi_gen::backend::{c, GeneratedFile};

mod common;

/// The name an enum of the reference goes by now, where xapi renamed it
/// (the official C SDK, generated from xapi's model, follows the rename).
fn enum_now(then: &str) -> String {
    for gap in common::reference_gaps::gaps() {
        for edit in gap.edits {
            if let common::reference_gaps::Edit::RenameEnum(_, now, old) = edit {
                if old == then {
                    return now.to_string();
                }
            }
        }
    }
    then.to_string()
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn load() -> xenapi_gen::model::Api {
    xenapi_gen::load_schema(&root().join("schema")).unwrap_or_else(|d| panic!("schema does not load:\n{d}"))
}

fn reference(name: &str) -> Value {
    let path = root().join("../shared/reference").join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).unwrap()
}

fn files() -> BTreeMap<String, String> {
    c::generate(&load())
        .into_iter()
        .map(|GeneratedFile { path, contents }| (path, String::from_utf8(contents).expect("C is UTF-8")))
        .collect()
}

fn lower(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect()
}

/// The parameter types of a function declared in `text`, without names:
/// `xen_vm_clone(xen_session *session, xen_vm *result, xen_vm vm, char *n)`
/// gives `["xen_session *", "xen_vm *", "xen_vm", "char *"]`.
fn signature(text: &str, function: &str) -> Option<Vec<String>> {
    let start = text.find(&format!("\n{function}("))? + function.len() + 2;
    let end = start + text[start..].find(')')?;
    Some(
        text[start..end]
            .split(',')
            .map(|p| {
                let p = p.trim();
                let cut = p.rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).map_or(0, |i| i + 1);
                p[..cut].trim_end().to_string()
            })
            .collect(),
    )
}

#[test]
fn every_message_enum_and_error_of_the_reference_has_its_c_name() {
    let files = files();
    let all_headers: String =
        files.iter().filter(|(p, _)| p.starts_with("c/include/")).map(|(_, t)| t.as_str()).collect();
    let model = reference("xenapi-model.json");
    let mut missing = Vec::new();
    for class in model["classes"].as_array().unwrap() {
        let cname = class["name"].as_str().unwrap();
        let header = format!("c/include/xen/api/xen_{}.h", lower(cname));
        let Some(text) = files.get(&header) else {
            missing.push(header);
            continue;
        };
        for m in class["messages"].as_array().unwrap() {
            let f = format!("xen_{}_{}", lower(cname), lower(m["name"].as_str().unwrap()));
            let hand_written = files["c/include/xen/api/xen_common.h"].contains(&format!("\n{f}("));
            if !text.contains(&format!("\n{f}(")) && !hand_written {
                missing.push(f.clone());
            }
            let explicit = !m["implicit"].as_bool().unwrap();
            let takes_session = m["params"].as_array().unwrap().first().is_some_and(|p| p["name"] == "session_id");
            if explicit && takes_session && !hand_written && !text.contains(&format!("\n{f}_async(")) {
                missing.push(format!("{f}_async"));
            }
        }
        for e in class["enums"].as_array().unwrap() {
            let ename = enum_now(e["name"].as_str().unwrap());
            let ename = ename.as_str();
            for v in e["values"].as_array().unwrap() {
                let name = format!("XEN_{}_{}", lower(ename).to_uppercase(), lower(v.as_str().unwrap()).to_uppercase());
                if !all_headers.contains(&format!(" {name},")) {
                    missing.push(name);
                }
            }
            let undefined = format!("XEN_{}_UNDEFINED", lower(ename).to_uppercase());
            if !all_headers.contains(&undefined) {
                missing.push(undefined);
            }
        }
    }
    let failure = &files["c/include/xen/api/xen_api_failure.h"];
    for e in reference("xenapi-errors.json")["errors"].as_array().unwrap() {
        let name = format!("XEN_API_FAILURE_{}", e["code"].as_str().unwrap().to_uppercase());
        if !failure.contains(&format!(" {name},")) {
            missing.push(name);
        }
    }
    assert!(missing.is_empty(), "{} names missing:\n{}", missing.len(), missing.join("\n"));
}

#[test]
fn signatures_follow_the_official_sdk() {
    let files = files();
    let header = |name: &str| &files[&format!("c/include/xen/api/{name}.h")];
    let cases: &[(&str, &str, &[&str])] = &[
        ("xen_vm", "xen_vm_get_record", &["xen_session *", "xen_vm_record **", "xen_vm"]),
        ("xen_vm", "xen_vm_get_by_uuid", &["xen_session *", "xen_vm *", "char *"]),
        ("xen_vm", "xen_vm_create", &["xen_session *", "xen_vm *", "xen_vm_record *"]),
        ("xen_vm", "xen_vm_create_async", &["xen_session *", "xen_task *", "xen_vm_record *"]),
        ("xen_vm", "xen_vm_destroy", &["xen_session *", "xen_vm"]),
        ("xen_vm", "xen_vm_destroy_async", &["xen_session *", "xen_task *", "xen_vm"]),
        ("xen_vm", "xen_vm_get_by_name_label", &["xen_session *", "struct xen_vm_set **", "char *"]),
        ("xen_vm", "xen_vm_get_all", &["xen_session *", "struct xen_vm_set **"]),
        ("xen_vm", "xen_vm_get_all_records", &["xen_session *", "xen_vm_xen_vm_record_map **"]),
        ("xen_vm", "xen_vm_get_allowed_operations", &["xen_session *", "struct xen_vm_operations_set **", "xen_vm"]),
        ("xen_vm", "xen_vm_get_current_operations", &["xen_session *", "xen_string_vm_operations_map **", "xen_vm"]),
        ("xen_vm", "xen_vm_get_power_state", &["xen_session *", "enum xen_vm_power_state *", "xen_vm"]),
        ("xen_vm", "xen_vm_get_resident_on", &["xen_session *", "xen_host *", "xen_vm"]),
        ("xen_vm", "xen_vm_get_vcpus_max", &["xen_session *", "int64_t *", "xen_vm"]),
        ("xen_vm", "xen_vm_get_snapshot_time", &["xen_session *", "time_t *", "xen_vm"]),
        ("xen_vm", "xen_vm_get_blobs", &["xen_session *", "xen_string_blob_map **", "xen_vm"]),
        ("xen_vm", "xen_vm_set_hvm_shadow_multiplier", &["xen_session *", "xen_vm", "double"]),
        ("xen_vm", "xen_vm_set_tags", &["xen_session *", "xen_vm", "struct xen_string_set *"]),
        ("xen_vm", "xen_vm_add_tags", &["xen_session *", "xen_vm", "char *"]),
        ("xen_vm", "xen_vm_add_to_other_config", &["xen_session *", "xen_vm", "char *", "char *"]),
        (
            "xen_vm",
            "xen_vm_add_to_blocked_operations",
            &["xen_session *", "xen_vm", "enum xen_vm_operations", "char *"],
        ),
        ("xen_vm", "xen_vm_set_blocked_operations", &["xen_session *", "xen_vm", "xen_vm_operations_string_map *"]),
        ("xen_vm", "xen_vm_clone", &["xen_session *", "xen_vm *", "xen_vm", "char *"]),
        ("xen_vm", "xen_vm_clone_async", &["xen_session *", "xen_task *", "xen_vm", "char *"]),
        ("xen_vm", "xen_vm_start", &["xen_session *", "xen_vm", "bool", "bool"]),
        ("xen_vm", "xen_vm_pool_migrate", &["xen_session *", "xen_vm", "xen_host", "xen_string_string_map *"]),
        ("xen_vm", "xen_vm_recover", &["xen_session *", "xen_vm", "xen_session *", "bool"]),
        ("xen_vdi", "xen_vdi_open_database", &["xen_session *", "xen_session **", "xen_vdi"]),
        (
            "xen_host",
            "xen_host_apply_updates",
            &["xen_session *", "struct xen_string_set_set **", "xen_host", "char *"],
        ),
        ("xen_host", "xen_host_get_software_version", &["xen_session *", "xen_string_string_map **", "xen_host"]),
        (
            "xen_event",
            "xen_event_from",
            &["xen_session *", "struct xen_event_batch **", "struct xen_string_set *", "char *", "double"],
        ),
        ("xen_event", "xen_event_next", &["xen_session *", "struct xen_event_record_set **"]),
        ("xen_event", "xen_event_register_async", &["xen_session *", "xen_task *", "struct xen_string_set *"]),
        ("xen_event", "xen_event_inject", &["xen_session *", "char **", "char *", "char *"]),
        ("xen_task", "xen_task_cancel_async", &["xen_session *", "xen_task *", "xen_task"]),
        ("xen_session", "xen_session_get_this_host", &["xen_session *", "xen_host *", "xen_session *"]),
        ("xen_session", "xen_session_get_this_user", &["xen_session *", "char **", "xen_session *"]),
        ("xen_session", "xen_session_get_last_active", &["xen_session *", "time_t *", "xen_session *"]),
        ("xen_session", "xen_session_get_record", &["xen_session *", "xen_session_record **", "xen_session *"]),
        ("xen_session", "xen_session_get_uuid", &["xen_session *", "char **", "xen_session *"]),
        ("xen_session", "xen_session_logout_subject_identifier", &["xen_session *", "const char *"]),
        (
            "xen_session",
            "xen_session_logout_subject_identifier_async",
            &["xen_session *", "xen_task *", "const char *"],
        ),
        ("xen_session", "xen_session_get_all_subject_identifiers", &["xen_session *", "struct xen_string_set **"]),
        ("xen_vm_power_state", "xen_vm_power_state_from_string", &["xen_session *", "const char *"]),
        ("xen_vm_power_state", "xen_vm_power_state_to_string", &["enum xen_vm_power_state"]),
        ("xen_vm_power_state", "xen_vm_power_state_set_alloc", &["size_t"]),
        ("xen_api_failure", "xen_api_failure_from_string", &["const char *"]),
        (
            "xen_common",
            "xen_session_login_with_password",
            &["xen_call_func", "void *", "const char *", "const char *", "xen_api_version"],
        ),
        ("xen_common", "xen_session_logout", &["xen_session *"]),
        ("xen_common", "xen_session_clear_error", &["xen_session *"]),
        ("xen_vm", "xen_vm_record_free", &["xen_vm_record *"]),
        ("xen_vm", "xen_vm_record_opt_free", &["xen_vm_record_opt *"]),
        ("xen_vm", "xen_vm_set_free", &["xen_vm_set *"]),
        ("xen_vm", "xen_vm_free", &["xen_vm"]),
        ("xen_string_string_map", "xen_string_string_map_alloc", &["size_t"]),
        ("xen_event_batch", "xen_event_batch_free", &["xen_event_batch *"]),
    ];
    let mut wrong = Vec::new();
    for (h, f, want) in cases {
        match signature(header(h), f) {
            Some(got) if got == *want => {}
            got => wrong.push(format!("{f}: want {want:?}, got {got:?}")),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn records_maps_and_sets_have_the_official_layout() {
    let files = files();
    let header = |name: &str| &files[&format!("c/include/xen/api/{name}.h")];
    let expect: &[(&str, &str)] = &[
        ("xen_vm", "    xen_vm handle;"),
        ("xen_vm", "    char *uuid;"),
        ("xen_vm", "    enum xen_vm_power_state power_state;"),
        ("xen_vm", "    int64_t vcpus_max;"),
        ("xen_vm", "    struct xen_host_record_opt *resident_on;"),
        ("xen_vm", "    struct xen_vbd_record_opt_set *vbds;"),
        ("xen_vm", "    struct xen_vm_operations_set *allowed_operations;"),
        ("xen_vm", "    xen_vm_operations_string_map *blocked_operations;"),
        ("xen_vm", "    xen_string_blob_map *blobs;"),
        ("xen_vm", "    struct xen_string_set *tags;"),
        ("xen_vm", "    double hvm_shadow_multiplier;"),
        ("xen_vm", "    time_t snapshot_time;"),
        ("xen_vm", "    xen_vm *contents[];\n} xen_vm_set;"),
        ("xen_vm", "    xen_vm_record *contents[];\n} xen_vm_record_set;"),
        ("xen_vm", "    xen_vm_record_opt *contents[];\n} xen_vm_record_opt_set;"),
        ("xen_vm", "    bool is_record;\n    union\n    {\n        xen_vm handle;\n        xen_vm_record *record;\n    } u;"),
        ("xen_host", "    struct xen_int_set *virtual_hardware_platform_versions;"),
        ("xen_blob", "    bool pubblic;"),
        ("xen_probe_result", "    struct xen_sr_stat_record *sr;"),
        ("xen_event", "    char *XEN_CLAZZ;"),
        ("xen_event", "    enum xen_event_operation operation;"),
        ("xen_session", "    struct xen_host_record_opt *this_host;"),
        ("xen_session", "    char *this_user;"),
        ("xen_common", "    const char *session_id;\n    bool ok;\n    char **error_description;\n    int error_description_count;\n    xen_api_version api_version;\n} xen_session;"),
        ("xen_event_batch", "    xen_event_record_set *events;\n    xen_string_int_map *valid_ref_counts;\n    char *token;"),
        ("xen_string_string_map", "    char *key;\n    char *val;\n} xen_string_string_map_contents;"),
        ("xen_string_string_map", "    size_t size;\n    xen_string_string_map_contents contents[];"),
        ("xen_vdi_sr_map", "    xen_vdi key;\n    struct xen_sr_record_opt *val;"),
        ("xen_vm_xen_vm_record_map", "    xen_vm key;\n    struct xen_vm_record *val;"),
        ("xen_host_string_set_map", "    xen_host key;\n    struct xen_string_set *val;"),
        ("xen_string_string_string_map_map", "    char *key;\n    xen_string_string_map *val;"),
        ("xen_vm_operations_string_map", "    enum xen_vm_operations key;\n    char *val;"),
        ("xen_int_float_map", "    int64_t key;\n    double val;"),
        ("xen_string_set", "    char *contents[];"),
        ("xen_int_set", "    int64_t contents[];"),
        ("xen_string_set_set", "    struct xen_string_set *contents[];"),
        ("xen_vm_power_state", "    enum xen_vm_power_state contents[];"),
        ("xen_api_version", "    xen_api_latest_version = 28,"),
    ];
    let mut wrong = Vec::new();
    for (h, text) in expect {
        if !header(h).contains(text) {
            wrong.push(format!("{h}.h lacks:\n{text}"));
        }
    }
    // Events and sessions are not named by handles.
    for h in ["xen_event", "xen_session"] {
        if header(h).contains(" handle;") {
            wrong.push(format!("{h}_record must not have a handle"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn output_is_deterministic_and_names_are_unique() {
    let api = load();
    assert_eq!(c::generate(&api), c::generate(&api));
    let names = c::public_names(&api);
    let mut seen = BTreeSet::new();
    let dups: Vec<_> = names.iter().filter(|n| !seen.insert(n.as_str())).collect();
    assert!(dups.is_empty(), "names declared twice: {dups:?}");
    // Every header is included by xen_all.h, and every file is under c/.
    let files = files();
    let all = &files["c/include/xen/api/xen_all.h"];
    for path in files.keys() {
        assert!(path.starts_with("c/"), "{path}");
        if let Some(h) = path.strip_prefix("c/include/") {
            assert!(all.contains(&format!("#include <{h}>")) || h.ends_with("xen_all.h"), "xen_all.h misses {h}");
        }
    }
}

/// The version in libxenserver.pc (written by the generated Makefile, for
/// the build folder and for `make install`) is the newest release of the
/// model the SDK was made from: it follows `--release`.
#[test]
fn the_pkg_config_version_is_the_newest_release_of_the_model() {
    let version_line = |api: &xenapi_gen::model::Api| {
        let makefile = common::generated_file(xenapi_gen::backend::Lang::C, api, "Makefile");
        let lines: Vec<String> =
            makefile.split("\\n").filter(|l| l.starts_with("Version: ")).map(str::to_string).collect();
        assert_eq!(lines.len(), 1, "one Version line in the .pc text: {lines:?}");
        lines[0].clone()
    };
    let api = load();
    let newest = &api.releases.last().expect("releases").code;
    assert_eq!(version_line(&api), format!("Version: {newest}"));
    let older = api.at_release("24.16.0").expect("release 24.16.0");
    assert_eq!(version_line(&older), "Version: 24.16.0");
}
