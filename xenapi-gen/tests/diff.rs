//! `xenapi-gen diff`: the exact report for known edits of the real schema,
//! and the exit codes of the command line.
//!
//! Every case copies `schema/` into temporary directories at test time and
//! edits the copy through its YAML tree (never its text), so the expected
//! reports do not depend on the descriptions, which change all the time
//! and must never show up in a diff.

mod common;

use common::{copy_dir, real_schema};
use serde_yaml::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tempfile::TempDir;
use xenapi_gen::diff::{Sign, Subject};

/// Two copies of the real schema, `old` and `new`, taken now.
struct Pair {
    _tmp: TempDir,
    old: PathBuf,
    new: PathBuf,
}

fn pair() -> Pair {
    let tmp = tempfile::tempdir().unwrap();
    let (old, new) = (tmp.path().join("old"), tmp.path().join("new"));
    copy_dir(&real_schema(), &old);
    copy_dir(&old, &new);
    Pair { _tmp: tmp, old, new }
}

fn yaml(text: &str) -> Value {
    serde_yaml::from_str(text).unwrap()
}

/// Edits one schema file through its YAML tree.
fn edit(dir: &Path, file: &str, f: impl FnOnce(&mut Value)) {
    let path = dir.join(file);
    let mut doc: Value = serde_yaml::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    f(&mut doc);
    fs::write(&path, serde_yaml::to_string(&doc).unwrap()).unwrap();
}

/// The list under `key`.
fn list<'a>(v: &'a mut Value, key: &str) -> &'a mut Vec<Value> {
    v.get_mut(key).and_then(Value::as_sequence_mut).unwrap_or_else(|| panic!("no list `{key}`"))
}

/// The item of a list whose `name` (or `code`) is `name`.
fn item<'a>(items: &'a mut [Value], name: &str) -> &'a mut Value {
    items
        .iter_mut()
        .find(|i| i.get("name").or_else(|| i.get("code")).and_then(Value::as_str) == Some(name))
        .unwrap_or_else(|| panic!("no item `{name}`"))
}

fn remove(items: &mut Vec<Value>, name: &str) {
    let before = items.len();
    items.retain(|i| i.get("name").or_else(|| i.get("code")).and_then(Value::as_str) != Some(name));
    assert_eq!(items.len(), before - 1, "no item `{name}` to remove");
}

fn set(v: &mut Value, key: &str, to: Value) {
    v.as_mapping_mut().unwrap().insert(key.into(), to);
}

/// Replaces every description, at any depth, by `text`.
fn rewrite_descriptions(v: &mut Value, text: &str) {
    match v {
        Value::Mapping(m) => {
            for (k, val) in m.iter_mut() {
                if k.as_str() == Some("description") {
                    *val = text.into();
                } else {
                    rewrite_descriptions(val, text);
                }
            }
        }
        Value::Sequence(s) => s.iter_mut().for_each(|x| rewrite_descriptions(x, text)),
        _ => {}
    }
}

fn load(dir: &Path) -> xenapi_gen::model::Api {
    xenapi_gen::load_schema(dir).unwrap_or_else(|d| panic!("{} does not load:\n{d}", dir.display()))
}

fn report(p: &Pair) -> String {
    xenapi_gen::diff::diff(&load(&p.old), &load(&p.new)).to_string()
}

fn cli(old: &Path, new: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xenapi-gen")).arg("diff").arg(old).arg(new).output().unwrap()
}

/// The known edits, each one kind of change the report must show.
fn make_edits(dir: &Path) {
    edit(dir, "classes/VM_appliance.yaml", |c| {
        // Descriptions are never reported.
        set(c, "description", "A rewritten description.".into());
        let ops = item(list(c, "enums"), "vm_appliance_operation");
        list(ops, "values").push(yaml("{name: pause, description: Pausing all the VMs.}"));
        remove(list(ops, "values"), "shutdown");

        let fields = list(c, "fields");
        fields.push(yaml(r#"{name: tag, description: A tag., type: string, qualifier: RW, default: "", lifecycle: [published stockholm]}"#));
        fields.push(yaml(
            "{name: priority, description: Start order., type: int, qualifier: RW, lifecycle: [published stockholm]}",
        ));
        remove(fields, "VMs");
        set(item(fields, "name_description"), "qualifier", "RO/runtime".into());
        set(item(fields, "uuid"), "description", "Another description.".into());

        let messages = list(c, "messages");
        remove(messages, "get_SRs_required_for_recovery");
        messages.push(yaml(
            "{name: pause, description: Pauses every VM., params: [{name: session_id, type: session ref}, \
             {name: self, type: VM_appliance ref}], result: void, roles: pool-operator, lifecycle: [published stockholm]}",
        ));
        let start = item(messages, "start");
        set(item(list(start, "params"), "paused"), "type", "int".into());
        let recover = list(item(messages, "recover"), "params");
        recover.swap(2, 3);
        set(item(messages, "assert_can_be_recovered"), "roles", "pool-operator".into());
        set(item(messages, "shutdown"), "roles", "vm-operator".into());
        let hard = item(messages, "hard_shutdown");
        set(item(list(hard, "params"), "self"), "name", "appliance".into());
        list(hard, "errors").push("VM_REQUIRES_SR".into());
        set(hard, "result", "string".into());
        list(item(messages, "clean_shutdown"), "lifecycle").push("deprecated stockholm".into());
    });
    edit(dir, "classes/VM.yaml", |c| {
        set(item(list(c, "fields"), "user_version"), "type", "string".into());
    });
    edit(dir, "errors.yaml", |e| {
        let errors = list(e, "errors");
        errors.push(yaml("{code: APPLIANCE_BUSY, params: [appliance], description: The appliance is busy.}"));
        set(item(errors, "LICENSE_CHECKOUT_ERROR"), "params", yaml("[code]"));
    });
    fs::remove_file(dir.join("classes/LVHD.yaml")).unwrap();
    fs::write(
        dir.join("classes/Widget.yaml"),
        "name: Widget
description: A widget.
lifecycle: [published stockholm]
derive: {fields: true, record: true}
enums:
  - name: widget_kind
    description: Kinds of widget.
    values:
      - {name: gear, description: A gear.}
      - {name: sprocket, description: A sprocket.}
fields:
  - {name: uuid, description: The UUID., type: string, qualifier: RO/runtime, lifecycle: [published stockholm]}
  - {name: kind, description: The kind., type: enum widget_kind, qualifier: RW, default: gear, lifecycle: [published stockholm]}
",
    )
    .unwrap();
}

const EXPECTED: &str = "\
class LVHD
  - class LVHD [BREAKING]
class VM
  ~ field VM.user_version: type int -> string (~get_user_version, ~set_user_version) [BREAKING]
  - relation VM.appliance: <-> VM_appliance.VMs [BREAKING]
class VM_appliance
  - field VM_appliance.VMs: VM ref set RO/runtime (-get_VMs) [BREAKING]
  ~ field VM_appliance.name_description: qualifier RW -> RO/runtime (-set_name_description) [BREAKING]
  + field VM_appliance.priority: int RW; required by VM_appliance.create (no default) (+get_priority, +set_priority) [BREAKING]
  + field VM_appliance.tag: string RW, default \"\" (+get_tag, +set_tag)
  ~ message VM_appliance.assert_can_be_recovered: roles narrowed (-vm-power-admin, -vm-admin, -vm-operator, -client-cert, -read-only) [BREAKING]
  ~ message VM_appliance.clean_shutdown: lifecycle published -> deprecated
  - message VM_appliance.get_SRs_required_for_recovery [BREAKING]
  ~ message VM_appliance.hard_shutdown: param 2 renamed `self` -> `appliance`
  ~ message VM_appliance.hard_shutdown: result void -> string [BREAKING]
  ~ message VM_appliance.hard_shutdown: error VM_REQUIRES_SR added
  + message VM_appliance.pause: (session_id: session ref, self: VM_appliance ref) -> void, async
  ~ message VM_appliance.recover: params reordered (session_id, self, session_to, force) -> (session_id, self, force, session_to) [BREAKING]
  ~ message VM_appliance.shutdown: roles widened (+vm-power-admin, +vm-admin, +vm-operator)
  ~ message VM_appliance.start: param 3 `paused` type bool -> int [BREAKING]
class Widget
  + class Widget
enum vm_appliance_operation
  + value vm_appliance_operation.pause
  - value vm_appliance_operation.shutdown [BREAKING]
enum widget_kind
  + enum widget_kind: gear, sprocket
errors
  + error APPLIANCE_BUSY: params (appliance)
  ~ error LICENSE_CHECKOUT_ERROR: params (code, message) -> (code) [BREAKING]
23 changes: 13 breaking, 10 compatible
";

#[test]
fn known_edits_give_the_exact_report() {
    let p = pair();
    make_edits(&p.new);
    let got = report(&p);
    assert_eq!(got, EXPECTED, "the report differs; got:\n{got}");

    let r = xenapi_gen::diff::diff(&load(&p.old), &load(&p.new));
    assert_eq!((r.breaking(), r.compatible()), (13, 10));
    assert!(r.has_breaking());
}

#[test]
fn class_settings_and_derived_messages() {
    let p = pair();
    edit(&p.new, "classes/VM_appliance.yaml", |c| {
        set(c, "derive", yaml("{fields: true, record: true, all: false, by_name_label: true, create_destroy: true}"));
        set(c, "roles", yaml("{write: pool-admin}"));
        let fields = list(c, "fields");
        set(item(fields, "name_label"), "default", "appliance".into());
        list(item(fields, "current_operations"), "lifecycle").push("deprecated stockholm".into());
        set(item(fields, "allowed_operations"), "qualifier", "RW".into());
        let messages = list(c, "messages");
        list(item(messages, "start"), "params").push(yaml("{name: on, type: host ref}"));
        list(item(messages, "start"), "params").remove(2);
        set(item(messages, "shutdown"), "roles", yaml("[]"));
        list(item(messages, "hard_shutdown"), "params").insert(2, yaml("{name: timeout, type: int}"));
        list(item(messages, "recover"), "params").pop();
    });
    assert_eq!(
        report(&p),
        "\
class VM_appliance
  ~ class VM_appliance: derive.all off (-get_all, -get_all_records, -get_all_where, -get_all_records_where) [BREAKING]
  ~ class VM_appliance: write roles narrowed (-pool-operator) [BREAKING]
  ~ class VM_appliance: create roles narrowed (-pool-operator) [BREAKING]
  ~ field VM_appliance.allowed_operations: qualifier RO/runtime -> RW (+set_allowed_operations, +add_allowed_operations, +remove_allowed_operations)
  ~ field VM_appliance.current_operations: lifecycle published -> deprecated
  ~ field VM_appliance.name_label: default \"\" -> \"appliance\"
  ~ message VM_appliance.hard_shutdown: param 3 `timeout: int` added [BREAKING]
  ~ message VM_appliance.recover: param 4 `force: bool` removed [BREAKING]
  ~ message VM_appliance.shutdown: roles narrowed (pool-admin, pool-operator -> local root only) [BREAKING]
  ~ message VM_appliance.start: param 3 `paused: bool` replaced by `on: host ref` [BREAKING]
10 changes: 7 breaking, 3 compatible
"
    );
}

#[test]
fn descriptions_are_never_reported() {
    let p = pair();
    for entry in fs::read_dir(p.new.join("classes")).unwrap() {
        let name = format!("classes/{}", entry.unwrap().file_name().to_string_lossy());
        edit(&p.new, &name, |v| rewrite_descriptions(v, "Changed."));
    }
    for file in ["api.yaml", "errors.yaml"] {
        edit(&p.new, file, |v| rewrite_descriptions(v, "Changed."));
    }
    assert_eq!(report(&p), "no changes\n");
}

#[test]
fn swapping_the_sides_swaps_additions_and_removals() {
    // Every removal one way is an addition the other way, so the number of
    // changes agrees, and swapping the sides turns breaking removals into
    // compatible additions.
    let p = pair();
    make_edits(&p.new);
    let (old, new) = (load(&p.old), load(&p.new));
    let forward = xenapi_gen::diff::diff(&old, &new);
    let back = xenapi_gen::diff::diff(&new, &old);
    assert_eq!(forward.changes().count(), back.changes().count());
    assert!(back.to_string().contains("  + class LVHD\n"));
    assert!(back.to_string().contains("  - class Widget [BREAKING]\n"));
    assert!(back.to_string().contains("  + value vm_appliance_operation.shutdown\n"));
}

#[test]
fn cli_exits_0_with_no_changes() {
    let p = pair();
    let out = cli(&p.old, &p.new);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "no changes\n");
}

#[test]
fn cli_exits_0_with_only_compatible_changes() {
    let p = pair();
    edit(&p.new, "classes/VM_appliance.yaml", |c| {
        list(c, "fields").push(yaml(r#"{name: tag, description: A tag., type: string, qualifier: RW, default: "", lifecycle: [published stockholm]}"#));
    });
    let out = cli(&p.old, &p.new);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "class VM_appliance\n  + field VM_appliance.tag: string RW, default \"\" (+get_tag, +set_tag)\n1 change: 0 breaking, 1 compatible\n"
    );
}

#[test]
fn cli_exits_1_with_breaking_changes() {
    let p = pair();
    make_edits(&p.new);
    let out = cli(&p.old, &p.new);
    assert_eq!(out.status.code(), Some(1), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), EXPECTED);
}

#[test]
fn cli_exits_2_when_a_schema_does_not_load() {
    let p = pair();
    edit(&p.new, "classes/VM_appliance.yaml", |c| {
        set(item(list(c, "fields"), "uuid"), "type", "strnig".into());
    });
    for (old, new) in [(&p.old, &p.new), (&p.new, &p.old)] {
        let out = cli(old, new);
        assert_eq!(out.status.code(), Some(2));
        assert!(out.stdout.is_empty());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(&format!("error: {} does not load:", p.new.display())), "stderr: {err}");
        assert!(err.contains("unknown type `strnig`"), "stderr: {err}");
    }
    let missing = p.old.join("no-such-dir");
    assert_eq!(cli(&p.old, &missing).status.code(), Some(2));
}

#[test]
fn help_documents_the_exit_codes() {
    let out = Command::new(env!("CARGO_BIN_EXE_xenapi-gen")).args(["diff", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.contains("0 when no change is breaking, 1 when at least one is, 2 when either schema fails to load"),
        "{help}"
    );
}

/// Roles and errors are ids into each side's own lists: a role put in
/// front shifts every id, yet only real changes of names are reported, and
/// every change names its subject as typed data.
#[test]
fn roles_and_errors_are_compared_by_name_across_shifted_ids() {
    use common::Edit::Replace;
    use xenapi_gen::diff::diff;
    let (old, new) = (common::mini_copy(), common::mini_copy());
    common::apply(new.path(), Replace("api.yaml", "roles: [pool-admin,", "roles: [super-admin, pool-admin,"));
    common::apply(
        new.path(),
        Replace(
            "errors.yaml",
            "errors:\n",
            "errors:\n  - code: FIRST_NOW\n    params: []\n    description: Shifts every error id.\n",
        ),
    );
    let r = diff(&load(old.path()), &load(new.path()));
    let subjects: Vec<(Sign, &Subject)> = r.changes().map(|(_, c)| (c.sign, &c.subject)).collect();
    assert!(subjects.contains(&(Sign::Added, &Subject::Role("super-admin".into()))), "{r}");
    assert!(subjects.contains(&(Sign::Added, &Subject::Error("FIRST_NOW".into()))), "{r}");
    // The explicit role list and the errors of clean_shutdown name the same
    // roles and codes as before: nothing to report for it.
    let clean = Subject::Message { class: "VM".into(), message: "clean_shutdown".into() };
    assert!(!subjects.iter().any(|(_, s)| **s == clean), "{r}");
    // A role given as "this and above" takes in the new one: widened.
    let start = Subject::Message { class: "VM".into(), message: "start".into() };
    let widened: Vec<String> = r.changes().filter(|(_, c)| c.subject == start).map(|(_, c)| c.to_string()).collect();
    assert_eq!(widened, ["~ message VM.start: roles widened (+super-admin)"], "{r}");
}

/// Sets the `inverse` of a field of VM.yaml.
fn set_inverse(dir: &Path, field: &str, inverse: &str) {
    edit(dir, "classes/VM.yaml", |c| set(item(list(c, "fields"), field), "inverse", inverse.into()));
}

#[test]
fn a_relation_that_goes_is_breaking_and_one_that_comes_is_not() {
    let p = pair();
    set_inverse(&p.new, "resident_on", "none");
    let gone = "\
class VM
  ~ field VM.resident_on: inverse resident_VMs -> none
  - relation VM.resident_on: <-> host.resident_VMs [BREAKING]
2 changes: 1 breaking, 1 compatible
";
    assert_eq!(report(&p), gone);
    let back = xenapi_gen::diff::diff(&load(&p.new), &load(&p.old));
    assert_eq!(
        back.to_string(),
        "\
class VM
  ~ field VM.resident_on: inverse none -> resident_VMs
  + relation VM.resident_on: <-> host.resident_VMs
2 changes: 0 breaking, 2 compatible
"
    );
    let (_, change) = back.changes().find(|(_, c)| c.sign == Sign::Added).unwrap();
    assert_eq!(change.subject, Subject::Relation { class: "VM".into(), field: "resident_on".into() });
}

#[test]
fn a_relation_paired_with_another_set_field_is_breaking() {
    let p = pair();
    set_inverse(&p.new, "snapshot_of", "children");
    set_inverse(&p.new, "parent", "snapshots");
    let expected = "\
class VM
  ~ field VM.parent: inverse children -> snapshots
  ~ field VM.snapshot_of: inverse snapshots -> children
  ~ relation VM.parent: <-> VM.children -> VM.snapshots [BREAKING]
  ~ relation VM.snapshot_of: <-> VM.snapshots -> VM.children [BREAKING]
4 changes: 2 breaking, 2 compatible
";
    assert_eq!(report(&p), expected);
}

#[test]
fn declaring_a_relation_the_heuristic_found_changes_no_relation() {
    let p = pair();
    // VM.appliance <-> VM_appliance.VMs is inferred in the real schema.
    set_inverse(&p.new, "appliance", "VMs");
    assert_eq!(
        report(&p),
        "class VM\n  ~ field VM.appliance: inverse (inferred) -> VMs\n1 change: 0 breaking, 1 compatible\n"
    );
}
