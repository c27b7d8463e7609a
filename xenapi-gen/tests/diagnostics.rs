//! Broken schemas and the exact diagnostics they produce. Every case is a
//! small edit of the valid mini fixture (`tests/fixtures/mini`) applied in
//! a temporary directory; the whole printed output is compared, with
//! paths relative to the schema directory.
//!
//! Set `XENAPI_BLESS=1` to print the actual output of every case instead
//! of failing (for reviewing a change of wording, never for accepting one
//! blindly).

mod common;

use common::Edit::{self, *};

fn check(name: &str, edits: &[Edit], expect: &str) {
    let dir = common::mini_copy();
    for e in edits {
        common::apply(dir.path(), *e);
    }
    let got = common::diagnostics(dir.path()).unwrap_or_else(|| "(loads)".into());
    if std::env::var_os("XENAPI_BLESS").is_some() {
        println!("=== {name}\n{got}\n");
        return;
    }
    assert_eq!(got.trim_end(), expect.trim(), "case `{name}`: the diagnostics differ; got:\n{got}");
}

macro_rules! cases {
    ($($name:ident: [$($edit:expr),* $(,)?] => $expect:expr;)*) => {
        $(
            #[test]
            fn $name() {
                check(stringify!($name), &[$($edit),*], $expect);
            }
        )*
        /// How many cases this file has.
        const CASES: usize = [$(stringify!($name)),*].len();
    };
}

#[test]
fn the_mini_fixture_loads() {
    let api =
        xenapi_gen::load_schema(&common::mini()).unwrap_or_else(|d| panic!("the mini fixture does not load:\n{d}"));
    let names: Vec<&str> = api.classes.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["VM", "console", "host", "session"]);
    assert_eq!(api.roles, ["pool-admin", "pool-operator", "vm-admin", "read-only"]);
    assert_eq!(api.releases.len(), 4);
    assert_eq!(api.errors.len(), 4);
    let vm = api.class("VM").unwrap();
    assert!(vm.messages.iter().any(|m| m.name == "set_name_label" && m.is_derived()));
    assert!(vm.messages.iter().any(|m| m.name == "add_to_VCPUs_params"));
    let host = api.class("host").unwrap();
    assert!(host.messages.iter().any(|m| m.name == "add_tags"));
    assert!(host.messages.iter().any(|m| m.name == "get_by_name_label"));
    let s = api.summary();
    assert_eq!((s.classes, s.enums, s.errors), (4, 2, 4));
}

#[test]
fn param_defaults_are_carried_typed() {
    let dir = common::mini_copy();
    common::apply(
        dir.path(),
        Replace(
            "classes/session.yaml",
            "{name: pwd, type: string, description: The password.}",
            "{name: pwd, type: string, description: The password.}\n      - {name: version, type: string, default: \"1.1\"}\n      - {name: tries, type: int, default: 3}",
        ),
    );
    let api = xenapi_gen::load_schema(dir.path()).unwrap_or_else(|d| panic!("{d}"));
    let login = api.class("session").unwrap().messages.iter().find(|m| m.name == "login_with_password").unwrap();
    let defaults: Vec<_> = login.params.iter().map(|p| p.default.clone()).collect();
    use xenapi_gen::model::Literal;
    assert_eq!(defaults, [None, None, Some(Literal::String("1.1".into())), Some(Literal::Int(3))]);
    assert_eq!(login.required_params(), 2);
    let start = api.class("VM").unwrap().messages.iter().find(|m| m.name == "start").unwrap();
    assert_eq!(start.required_params(), start.params.len());
}

#[test]
fn several_files_are_reported_together_in_order() {
    let dir = common::mini_copy();
    for e in [
        Replace(
            "classes/session.yaml",
            "roles: read-only\n    lifecycle: [published rio]\n  - name: logout",
            "roles: read-onyl\n    lifecycle: [published rio]\n  - name: logout",
        ),
        Replace("errors.yaml", "params: [reason]", "params: reason"),
        Replace("classes/VM.yaml", "type: host ref", "type: hots ref"),
        Replace("api.yaml", "name: MiniAPI", "nmae: MiniAPI"),
    ] {
        common::apply(dir.path(), e);
    }
    let d = xenapi_gen::load_schema(dir.path()).unwrap_err().relative_to(dir.path());
    let places: Vec<String> = d.iter().map(|d| d.span.to_string()).collect();
    // Sorted by file, then line and column, whatever the order of discovery
    // (the resolver finds the role and class problems after the reader's).
    assert_eq!(
        places,
        ["api.yaml:1:1", "api.yaml:1:1", "classes/VM.yaml:40:11", "classes/session.yaml:26:12", "errors.yaml:12:13"]
    );
    assert_eq!(d.len(), 5);
}

/// The console class lists `vm_power_state` too, which the VM class defines.
const CONSOLE_LISTS_VM_POWER_STATE: Edit = Replace(
    "classes/console.yaml",
    "enums:\n",
    "enums:\n  - name: vm_power_state\n    description: Listed here too.\n    values:\n      - {name: Halted, description: a}\n      - {name: Paused, description: b}\n      - {name: Running, description: c}\n      - {name: Suspended, description: d}\n",
);

#[test]
fn an_enum_listed_again_with_the_same_values_is_fine() {
    let dir = common::mini_copy();
    common::apply(dir.path(), CONSOLE_LISTS_VM_POWER_STATE);
    assert_eq!(common::diagnostics(dir.path()), None);
}

#[test]
fn a_shared_enum_counts_once_and_has_one_home_that_moves_with_a_subset() {
    use xenapi_gen::backend::rust::{single_file, Parts, Protocols};
    let dir = common::mini_copy();
    common::apply(dir.path(), CONSOLE_LISTS_VM_POWER_STATE);
    let api = xenapi_gen::load_schema(dir.path()).unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(api.summary().enums, 2, "a shared enum is one enum");
    let homes: Vec<(&str, &str)> =
        api.unique_enums().map(|(c, e)| (api.class_at(c).name.as_str(), e.name.as_str())).collect();
    assert_eq!(homes, [("VM", "vm_power_state"), ("console", "console_protocol")]);
    assert_eq!(api.enum_home("vm_power_state"), api.class_id("VM"));

    // Without VM, the console's listing becomes the home: still defined once.
    let sub = api.subset(&["console"]).unwrap();
    assert_eq!(sub.enum_home("vm_power_state"), sub.class_id("console"));
    let rust = single_file(&sub, Parts::BOTH, Protocols::BOTH).unwrap();
    assert_eq!(rust.matches("pub enum VmPowerState {").count(), 1);
}

#[test]
fn more_roles_than_a_role_set_holds_are_reported() {
    let dir = common::mini_copy();
    let extra: Vec<String> = (1..=61).map(|i| format!("extra-{i}")).collect();
    let roles = format!("roles: [pool-admin, pool-operator, vm-admin, read-only, {}]", extra.join(", "));
    let api_yaml = dir.path().join("api.yaml");
    let text = std::fs::read_to_string(&api_yaml).unwrap();
    std::fs::write(&api_yaml, text.replace("roles: [pool-admin, pool-operator, vm-admin, read-only]", &roles)).unwrap();
    let out = common::diagnostics(dir.path()).expect("65 roles do not load");
    assert!(out.starts_with("api.yaml:4:"), "{out}");
    assert!(
        out.contains("error: role `extra-61` is one too many: an API has at most 64 roles\n1 error found"),
        "{out}"
    );
}

#[test]
fn no_message_shows_an_empty_name() {
    // Placeholders for missing names must never leak into messages as ``.
    let dir = common::mini_copy();
    for e in [
        Replace("classes/VM.yaml", "    type: int\n", ""),
        Replace("classes/VM.yaml", "    qualifier: RW\n    default: {}\n", "    default: {}\n"),
        Replace(
            "classes/VM.yaml",
            "    result: void\n    errors: [VM_BAD_POWER_STATE]\n",
            "    errors: [VM_BAD_POWER_STATE]\n",
        ),
    ] {
        common::apply(dir.path(), e);
    }
    let out = common::diagnostics(dir.path()).unwrap();
    assert!(!out.contains("``"), "{out}");
    assert!(out.ends_with("\n3 errors found"), "{out}");
}

// At least 30 broken-schema cases, checked when compiling.
const _: () = assert!(CASES >= 30);

cases! {
    // ---- names and references --------------------------------------------
    unknown_type: [Replace("classes/VM.yaml", "type: int\n", "type: integer\n")] => r#"
classes/VM.yaml:34:11: error: unknown type `integer` in field `memory_target` of class `VM`
  help: did you mean `int`?
1 error found
"#;
    unknown_type_no_suggestion: [Replace("classes/VM.yaml", "type: int\n", "type: qwzx\n")] => r#"
classes/VM.yaml:34:11: error: unknown type `qwzx` in field `memory_target` of class `VM`
1 error found
"#;
    unknown_class_in_ref: [Replace("classes/VM.yaml", "type: host ref", "type: hots ref")] => r#"
classes/VM.yaml:40:11: error: unknown class `hots` in the type of field `resident_on` of class `VM`
  help: did you mean `host`?
1 error found
"#;
    unknown_class_in_nested_type: [Replace("classes/host.yaml", "type: VM ref set", "type: \"(string -> Vm ref) map\"")] => r#"
classes/host.yaml:32:11: error: unknown class `Vm` in the type of field `resident_VMs` of class `host`
  help: did you mean `VM`?
1 error found
"#;
    unknown_enum: [Replace("classes/console.yaml", "type: enum console_protocol", "type: enum console_protocl")] => r#"
classes/console.yaml:21:11: error: unknown enum `console_protocl` in the type of field `protocol` of class `console`
  help: did you mean `console_protocol`?
1 error found
"#;
    unknown_error_code: [Replace("classes/VM.yaml", "errors: [VM_BAD_POWER_STATE]", "errors: [VM_BAD_POWER_STAT]")] => r#"
classes/VM.yaml:72:14: error: message `clean_shutdown` of class `VM` names unknown error `VM_BAD_POWER_STAT`
  help: did you mean `VM_BAD_POWER_STATE`?
1 error found
"#;
    unknown_error_code_no_suggestion: [Replace("classes/VM.yaml", "errors: [VM_BAD_POWER_STATE]", "errors: [NO_SUCH_THING]")] => r#"
classes/VM.yaml:72:14: error: message `clean_shutdown` of class `VM` names unknown error `NO_SUCH_THING`
  help: define it in errors.yaml
1 error found
"#;
    unknown_release: [Replace("classes/host.yaml", "[published orlando]", "[published orlado]")] => r#"
classes/host.yaml:29:17: error: unknown release `orlado` in the lifecycle of field `tags` of class `host`
  help: did you mean `orlando`?
1 error found
"#;
    unknown_transition_kind: [Replace("classes/VM.yaml", "deprecated george", "deprecate george")] => r#"
classes/VM.yaml:37:32: error: unknown lifecycle transition `deprecate` in field `memory_target` of class `VM`
  help: did you mean `deprecated`?
1 error found
"#;
    malformed_lifecycle_item: [Replace("classes/VM.yaml", "changed miami", "changed")] => r#"
classes/VM.yaml:74:32: error: `changed` in the lifecycle of message `clean_shutdown` of class `VM` is not `KIND RELEASE`
  help: write for example `published rio` or `deprecated boston`
1 error found
"#;
    lifecycle_item_not_a_string: [Replace("classes/console.yaml", "default: vt100\n    lifecycle: [published rio]", "default: vt100\n    lifecycle: [{published: rio}]")] => r#"
classes/console.yaml:24:17: error: an item of the lifecycle of field `protocol` of class `console` must be a string, found a mapping
1 error found
"#;
    unknown_role: [Replace("classes/host.yaml", "roles: {write: pool-admin}", "roles: {write: pool-admn}")] => r#"
classes/host.yaml:40:20: error: unknown role `pool-admn`
  help: did you mean `pool-admin`?
1 error found
"#;
    unknown_role_in_list: [Replace("classes/VM.yaml", "[pool-admin, pool-operator, vm-admin]", "[pool-admin, pool-operater, vm-admin]")] => r#"
classes/VM.yaml:73:25: error: unknown role `pool-operater`
  help: did you mean `pool-operator`?
1 error found
"#;
    unknown_role_no_suggestion: [Replace("classes/VM.yaml", "roles: vm-admin\n", "roles: everyone\n")] => r#"
classes/VM.yaml:64:12: error: unknown role `everyone`
  help: roles are listed in api.yaml: pool-admin, pool-operator, vm-admin, read-only
1 error found
"#;
    unknown_qualifier: [Replace("classes/console.yaml", "qualifier: RO/constructor", "qualifier: RO/constructer")] => r#"
classes/console.yaml:28:16: error: unknown qualifier `RO/constructer` on field `VM` of class `console`
  help: did you mean `RO/constructor`?
1 error found
"#;
    unknown_qualifier_no_suggestion: [Replace("classes/console.yaml", "qualifier: RO/constructor", "qualifier: writable")] => r#"
classes/console.yaml:28:16: error: unknown qualifier `writable` on field `VM` of class `console`
  help: use one of: RW, RO/constructor, RO/runtime
1 error found
"#;
    map_key_cannot_be_carried: [Replace("classes/host.yaml", "type: \"(string -> string) map\"", "type: \"(float -> string) map\"")] => r#"
classes/host.yaml:37:11: error: map key type `float` in the type of field `other_config` of class `host` cannot be carried on the wire
  help: map keys must be string, int, an enum or a ref
1 error found
"#;
    malformed_map_type: [Replace("classes/host.yaml", "type: \"(string -> string) map\"", "type: \"(string, string) map\"")] => r#"
classes/host.yaml:37:11: error: `(string, string) map`: a map is written `(KEY -> VALUE) map` in field `other_config` of class `host`
1 error found
"#;
    type_with_stray_spaces: [Replace("classes/VM.yaml", "type: console ref set", "type: console  ref set")] => r#"
classes/VM.yaml:52:11: error: `console  ref set` has stray spaces; write words separated by one space in field `consoles` of class `VM`
1 error found
"#;
    blank_type: [Replace("classes/VM.yaml", "type: int\n", "type: \"\"\n")] => r#"
classes/VM.yaml:34:11: error: the type of field `memory_target` of class `VM` is empty
1 error found
"#;
    blank_class_name: [Replace("classes/console.yaml", "name: console\n", "name: \" \"\n")] => r#"
classes/console.yaml:1:7: error: the class name is empty
1 error found
"#;
    field_of_type_void: [Replace("classes/VM.yaml", "type: int\n", "type: void\n")] => r#"
classes/VM.yaml:34:11: error: a field cannot have type `void` (field `memory_target` of class `VM`)
1 error found
"#;

    // ---- duplicates and collisions ---------------------------------------
    duplicate_class_in_two_files: [Copy("classes/host.yaml", "classes/host.yml")] => r#"
classes/host.yml:1:7: error: class `host` is defined twice
  help: the first definition is in `host.yaml`
1 error found
"#;
    duplicate_field: [Replace("classes/VM.yaml", "name: memory_target", "name: power_state")] => r#"
classes/VM.yaml:32:11: error: class `VM` has two fields named `power_state`
1 error found
"#;
    duplicate_message: [Replace("classes/VM.yaml", "name: clean_shutdown", "name: start")] => r#"
classes/VM.yaml:66:11: error: class `VM` has two messages named `start`
1 error found
"#;
    duplicate_param: [Replace("classes/VM.yaml", "{name: start_paused, type: bool", "{name: vm, type: bool")] => r#"
classes/VM.yaml:61:16: error: message `start` of class `VM` has two params named `vm`
1 error found
"#;
    duplicate_enum_value: [Replace("classes/VM.yaml", "{name: Paused,", "{name: Halted,")] => r#"
classes/VM.yaml:11:16: error: enum `vm_power_state` lists value `Halted` twice
1 error found
"#;
    duplicate_error_code: [Replace("errors.yaml", "  - code: OPERATION_NOT_ALLOWED", "  - code: HANDLE_INVALID\n    description: Again.\n  - code: OPERATION_NOT_ALLOWED")] => r#"
errors.yaml:11:11: error: error code `HANDLE_INVALID` is defined twice
1 error found
"#;
    duplicate_error_param: [Replace("errors.yaml", "[vm, expected, actual]", "[vm, expected, vm]")] => r#"
errors.yaml:9:28: error: error `VM_BAD_POWER_STATE` names parameter `vm` twice
1 error found
"#;
    duplicate_release: [Replace("releases.yaml", "label: Fourth Release}", "label: Fourth Release}\n  - {code: rio, label: Fifth Release}")] => r#"
releases.yaml:7:12: error: release `rio` is listed twice
1 error found
"#;
    duplicate_role: [Replace("api.yaml", "vm-admin, read-only]", "vm-admin, pool-operator, read-only]")] => r#"
api.yaml:4:46: error: role `pool-operator` is listed twice
1 error found
"#;
    duplicate_yaml_key: [Replace("classes/console.yaml", "    qualifier: RO/constructor\n", "    qualifier: RO/constructor\n    qualifier: RW\n")] => r#"
classes/console.yaml:25:5: error: invalid YAML: fields[2]: duplicate entry with key "qualifier"
1 error found
"#;
    enum_defined_twice_with_different_values: [Replace("classes/console.yaml", "enums:\n", "enums:\n  - name: vm_power_state\n    description: Clashes with the one of VM.\n    values:\n      - {name: On, description: Powered.}\n      - {name: Off, description: Not powered.}\n")] => r#"
classes/console.yaml:7:11: error: enum `vm_power_state` is defined twice with different values
  help: enum names are shared by all classes: rename one, or give both the same values
1 error found
"#;
    explicit_get_record_collides_with_derived: [Replace("classes/VM.yaml", "name: clean_shutdown", "name: get_record")] => r#"
classes/VM.yaml:66:11: error: message `get_record` of class `VM` collides with a derived message of the same name
  help: it is derived because `derive.record` is on; rename this message or change that setting
1 error found
"#;
    explicit_setter_collides_with_derived: [Replace("classes/VM.yaml", "name: start\n", "name: set_name_label\n")] => r#"
classes/VM.yaml:56:11: error: message `set_name_label` of class `VM` collides with a derived message of the same name
  help: it is derived because every RW field has a setter when `derive.fields` is on; rename this message or change that setting
1 error found
"#;
    explicit_add_to_map_collides_with_derived: [Replace("classes/VM.yaml", "name: clean_shutdown", "name: add_to_VCPUs_params")] => r#"
classes/VM.yaml:66:11: error: message `add_to_VCPUs_params` of class `VM` collides with a derived message of the same name
  help: it is derived because RW map fields get add_to/remove_from when `derive.fields` is on; rename this message or change that setting
1 error found
"#;
    explicit_getter_collides_with_derived: [Replace("classes/session.yaml", "name: logout", "name: get_uuid")] => r#"
classes/session.yaml:28:11: error: message `get_uuid` of class `session` collides with a derived message of the same name
  help: it is derived because every field has a getter when `derive.fields` is on; rename this message or change that setting
1 error found
"#;
    by_name_label_without_name_label: [Replace("classes/console.yaml", "create_destroy: true}", "create_destroy: true, by_name_label: true}")] => r#"
classes/console.yaml:1:1: error: class `console` has `derive.by_name_label` but no string field `name_label`
  help: add the field or turn the setting off
1 error found
"#;
    class_in_a_file_with_another_name: [Rename("classes/console.yaml", "classes/consoles.yaml")] => r#"
classes/consoles.yaml:1:7: error: class `console` is in a file named `consoles`
  help: name the file `console.yaml` so that classes are easy to find
1 error found
"#;

    // ---- declared relations (`inverse:`) ---------------------------------
    inverse_is_not_a_field_of_the_target: [Replace("classes/console.yaml", "    qualifier: RO/constructor\n    lifecycle", "    qualifier: RO/constructor\n    inverse: console\n    lifecycle")] => r#"
classes/console.yaml:29:14: error: the inverse `console` of field `VM` of class `console` is not a field of class `VM`
  help: did you mean `consoles`?
1 error found
"#;
    inverse_of_the_wrong_type: [Replace("classes/console.yaml", "    qualifier: RO/constructor\n    lifecycle", "    qualifier: RO/constructor\n    inverse: power_state\n    lifecycle")] => r#"
classes/console.yaml:29:14: error: the inverse `VM.power_state` of field `VM` of class `console` has type `enum vm_power_state`; it must be `console ref set`
  help: fields of class `VM` that can be the inverse: `consoles`
1 error found
"#;
    inverse_that_clients_can_write: [Replace("classes/host.yaml", "    type: VM ref set\n    qualifier: RO/runtime", "    type: VM ref set\n    qualifier: RW"), Replace("classes/VM.yaml", "    type: host ref\n    qualifier: RO/runtime\n", "    type: host ref\n    qualifier: RO/runtime\n    inverse: resident_VMs\n")] => r#"
classes/VM.yaml:42:14: error: the inverse `host.resident_VMs` of field `resident_on` of class `VM` is RW; the server keeps an inverse up to date, so it must be RO/runtime
  help: make `host.resident_VMs` RO/runtime
1 error found
"#;
    inverse_taken_twice: [Replace("classes/console.yaml", "    qualifier: RO/constructor\n    lifecycle: [published rio]", "    qualifier: RO/constructor\n    inverse: consoles\n    lifecycle: [published rio]\n  - name: shown_by\n    description: Another VM that shows the console.\n    type: VM ref\n    qualifier: RO/runtime\n    inverse: consoles\n    lifecycle: [published rio]")] => r#"
classes/console.yaml:35:14: error: the inverse `VM.consoles` of field `shown_by` of class `console` is already the inverse of `console.VM`
  help: a set field lists the objects of one ref field only: write `inverse: none` on one of them
1 error found
"#;
    inverse_on_a_field_that_is_not_a_ref: [Replace("classes/host.yaml", "    lifecycle: [published orlando]", "    inverse: hosts\n    lifecycle: [published orlando]")] => r#"
classes/host.yaml:29:14: error: field `tags` of class `host` has an inverse, but only a ref field can have one (its type is `string set`)
  help: remove `inverse`
1 error found
"#;
    inverse_that_is_empty: [Replace("classes/console.yaml", "    qualifier: RO/constructor\n    lifecycle", "    qualifier: RO/constructor\n    inverse: \"\"\n    lifecycle")] => r#"
classes/console.yaml:29:14: error: the inverse of field `VM` of class `console` is empty
  help: name the set field that lists it back, or write `none`
1 error found
"#;
    inverse_that_is_not_a_string: [Replace("classes/console.yaml", "    qualifier: RO/constructor\n    lifecycle", "    qualifier: RO/constructor\n    inverse: [consoles]\n    lifecycle")] => r#"
classes/console.yaml:29:14: error: the inverse of field `VM` of class `console` must be a string, found a list
1 error found
"#;
    // ---- identifiers that collide in a target language -------------------
    field_names_that_lower_case_to_one_identifier: [Replace("classes/VM.yaml", "name: memory_target", "name: vcpus_params")] => r#"
classes/VM.yaml:44:5: error: field `VCPUs_params` of class `VM` and field `vcpus_params` of class `VM` (line 32) both become `vcpus_params` in Rust and C
  help: rename one of the two so that they stay apart in Rust and C
1 error found
"#;
    classes_that_camel_case_to_one_type: [Write("classes/vm.yaml", "name: vm\ndescription: Clashes with VM.\nlifecycle: [published rio]\n")] => r#"
classes/vm.yaml:1:1: error: class `vm` and class `VM` (in `VM.yaml`, line 1) both become `Vm` in Rust, `xen_vm` in C and `VmRef` in Python
  help: rename one of the two so that they stay apart in Rust, C and Python
1 error found
"#;
    enum_values_in_every_language: [Replace("classes/VM.yaml", "{name: Paused, description: \"In memory, but not scheduled.\"}", "{name: halted, description: Spelled like Halted.}")] => r#"
classes/VM.yaml:11:16: error: value `halted` of enum `vm_power_state` and value `Halted` of enum `vm_power_state` (line 10) both become `Halted` in Rust, `XEN_VM_POWER_STATE_HALTED` in C and `HALTED` in Python
  help: rename one of the two so that they stay apart in Rust, C and Python
1 error found
"#;
    error_codes_in_every_language: [Replace("errors.yaml", "  - code: OPERATION_NOT_ALLOWED", "  - code: VM_bad_power_state\n    params: []\n    description: Spelled like another.\n  - code: OPERATION_NOT_ALLOWED")] => r#"
errors.yaml:11:5: error: error code `VM_bad_power_state` and error code `VM_BAD_POWER_STATE` (line 8) both become `VmBadPowerState` in Rust, `XEN_API_FAILURE_VM_BAD_POWER_STATE` in C and `VmBadPowerStateError` in Python
  help: rename one of the two so that they stay apart in Rust, C and Python
1 error found
"#;
    python_only_field_collision: [Replace("classes/host.yaml", "  - name: enabled\n", "  - name: class\n    description: A keyword in Python.\n    type: string\n    qualifier: RO/runtime\n    lifecycle: [published rio]\n  - name: class_\n    description: What Python makes of the other.\n    type: string\n    qualifier: RO/runtime\n    lifecycle: [published rio]\n  - name: enabled\n")] => r#"
classes/host.yaml:23:5: error: field `class_` of class `host` and field `class` of class `host` (line 18) both become `class_` in Python
  help: rename one of the two so that they stay apart in Python
1 error found
"#;
    c_only_field_collision: [Replace("classes/host.yaml", "  - name: enabled\n", "  - name: public\n    description: Spelled pubblic in C.\n    type: string\n    qualifier: RO/runtime\n    lifecycle: [published rio]\n  - name: pubblic\n    description: Spelled that way already.\n    type: string\n    qualifier: RO/runtime\n    lifecycle: [published rio]\n  - name: enabled\n")] => r#"
classes/host.yaml:23:5: error: field `pubblic` of class `host` and field `public` of class `host` (line 18) both become `pubblic` in C
  help: rename one of the two so that they stay apart in C
1 error found
"#;
    rust_only_enum_value_collision: [Replace("classes/console.yaml", "      - {name: rdp, description: Remote desktop protocol.}\n", "      - {name: unknown, description: Reserved in Rust.}\n      - {name: UnknownValue, description: What Rust makes of the other.}\n")] => r#"
classes/console.yaml:13:16: error: value `UnknownValue` of enum `console_protocol` and value `unknown` of enum `console_protocol` (line 12) both become `UnknownValue` in Rust
  help: rename one of the two so that they stay apart in Rust
1 error found
"#;
    explicit_message_meets_an_async_form: [Replace("classes/VM.yaml", "name: clean_shutdown", "name: async_start")] => r#"
classes/VM.yaml:66:5: error: message `async_start` of class `VM` and the async form of message `start` of class `VM` (line 56) both become `async_start` in Rust and Python
  help: rename one of the two so that they stay apart in Rust and Python
1 error found
"#;
    // A param carries a value; the C SDK has no type for these (it panicked).
    void_param: [Replace("classes/VM.yaml", "{name: start_paused, type: bool", "{name: start_paused, type: void")] => r#"
classes/VM.yaml:61:36: error: a param cannot have type `void` (param `start_paused` of message `start` of class `VM`)
1 error found
"#;
    untyped_record_param: [Replace("classes/VM.yaml", "{name: start_paused, type: bool", "{name: start_paused, type: <class> record set")] => r#"
classes/VM.yaml:61:36: error: a param cannot have type `<class> record` (param `start_paused` of message `start` of class `VM`)
1 error found
"#;
    // C has one namespace: the type of class `VM_start` is the function of `VM.start`.
    c_type_of_one_class_meets_a_function_of_another: [Write("classes/VM_start.yaml", "name: VM_start\ndescription: Named to meet xen_vm_start.\nlifecycle: [published rio]\n")] => r#"
classes/VM_start.yaml:1:1: error: class `VM_start` and message `start` of class `VM` (in `VM.yaml`, line 56) both become `xen_vm_start` in C
  help: rename one of the two so that they stay apart in C
1 error found
"#;
    // Two messages with one second wire name (`VM_clean_shutdown` for
    // `VM_clean.shutdown` and `VM.clean_shutdown`) are one C function too.
    messages_sharing_a_second_wire_name: [Write("classes/VM_clean.yaml", "name: VM_clean\ndescription: Named to meet VM.clean_shutdown.\nlifecycle: [published rio]\nmessages:\n  - name: shutdown\n    description: Shuts down.\n    params:\n      - {name: session_id, type: session ref}\n    result: void\n    roles: vm-admin\n    lifecycle: [published rio]\n")] => r#"
classes/VM_clean.yaml:5:5: error: message `shutdown` of class `VM_clean` and message `clean_shutdown` of class `VM` (in `VM.yaml`, line 66) both become `xen_vm_clean_shutdown` in C
  help: rename one of the two so that they stay apart in C
1 error found
"#;
    // ... and an enum's helpers are global too: `xen_console_protocol_to_string`.
    c_enum_helper_meets_a_function: [Replace("classes/console.yaml", "    qualifier: RO/constructor\n    lifecycle: [published rio]\n", "    qualifier: RO/constructor\n    lifecycle: [published rio]\nmessages:\n  - name: protocol_to_string\n    description: Names the protocol.\n    params:\n      - {name: session_id, type: session ref}\n    result: string\n    roles: read-only\n    lifecycle: [published rio]\n")] => r#"
classes/console.yaml:7:5: error: enum `console_protocol` and message `protocol_to_string` of class `console` (line 31) both become `xen_console_protocol_to_string` in C
  help: rename one of the two so that they stay apart in C
1 error found
"#;
    // The C SDK has `_async` functions only when the API has a task class.
    no_c_async_function_without_a_task_class: [Replace("classes/VM.yaml", "name: clean_shutdown", "name: start_async")] => "(loads)";
    explicit_message_meets_a_c_async_function: [Write("classes/task.yaml", common::TASK_CLASS), Replace("classes/VM.yaml", "name: clean_shutdown", "name: start_async")] => r#"
classes/VM.yaml:66:5: error: message `start_async` of class `VM` and the async form of message `start` of class `VM` (line 56) both become `xen_vm_start_async` in C
  help: rename one of the two so that they stay apart in C
1 error found
"#;
    param_names_that_lower_case_to_one_identifier: [Replace("classes/VM.yaml", "{name: start_paused, type: bool", "{name: VM, type: bool")] => r#"
classes/VM.yaml:61:16: error: param `VM` of message `start` of class `VM` and param `vm` of message `start` of class `VM` (line 60) both become `vm` in Rust and C
  help: rename one of the two so that they stay apart in Rust and C
1 error found
"#;
    collisions_are_reported_with_other_problems: [
        Replace("classes/VM.yaml", "name: memory_target", "name: vcpus_params"),
        Replace("classes/VM.yaml", "type: host ref", "type: hots ref"),
        Replace("errors.yaml", "  - code: OPERATION_NOT_ALLOWED", "  - code: VM_bad_power_state\n    params: []\n    description: Spelled like another.\n  - code: OPERATION_NOT_ALLOWED"),
    ] => r#"
classes/VM.yaml:40:11: error: unknown class `hots` in the type of field `resident_on` of class `VM`
  help: did you mean `host`?
classes/VM.yaml:44:5: error: field `VCPUs_params` of class `VM` and field `vcpus_params` of class `VM` (line 32) both become `vcpus_params` in Rust and C
  help: rename one of the two so that they stay apart in Rust and C
errors.yaml:11:5: error: error code `VM_bad_power_state` and error code `VM_BAD_POWER_STATE` (line 8) both become `VmBadPowerState` in Rust, `XEN_API_FAILURE_VM_BAD_POWER_STATE` in C and `VmBadPowerStateError` in Python
  help: rename one of the two so that they stay apart in Rust, C and Python
3 errors found
"#;

    // ---- shape: missing keys, wrong YAML types, unknown keys -------------
    missing_field_name: [Replace("classes/VM.yaml", "  - name: uuid\n    description: Stable identifier of the VM.\n", "  - description: Stable identifier of the VM.\n")] => r#"
classes/VM.yaml:15:5: error: a field of class `VM` is missing the required key `name`
1 error found
"#;
    missing_field_type: [Replace("classes/host.yaml", "    type: bool\n", "")] => r#"
classes/host.yaml:18:5: error: field `enabled` of class `host` is missing the required key `type`
1 error found
"#;
    missing_field_description: [Replace("classes/host.yaml", "    description: Whether new VMs may start on the host.\n", "")] => r#"
classes/host.yaml:18:5: error: field `enabled` of class `host` is missing the required key `description`
1 error found
"#;
    missing_class_lifecycle: [Replace("classes/console.yaml", "lifecycle: [published rio]\nderive", "derive")] => r#"
classes/console.yaml:1:1: error: class `console` is missing the required key `lifecycle`
1 error found
"#;
    missing_message_roles: [Replace("classes/session.yaml", "    roles: read-only\n    lifecycle: [published rio]\n  - name: logout", "    lifecycle: [published rio]\n  - name: logout")] => r#"
classes/session.yaml:19:5: error: message `login_with_password` of class `session` is missing the required key `roles`
1 error found
"#;
    missing_message_result: [Replace("classes/VM.yaml", "    result: void\n    errors: [VM_BAD_POWER_STATE, OPERATION_NOT_ALLOWED]\n", "    errors: [VM_BAD_POWER_STATE, OPERATION_NOT_ALLOWED]\n")] => r#"
classes/VM.yaml:56:5: error: message `start` of class `VM` is missing the required key `result`
1 error found
"#;
    missing_enum_values: [Replace("classes/console.yaml", "    description: How a console is spoken to.\n    values:\n      - {name: vt100, description: A text terminal.}\n      - {name: rfb, description: Remote framebuffer (VNC).}\n      - {name: rdp, description: Remote desktop protocol.}\n", "    description: How a console is spoken to.\n")] => r#"
classes/console.yaml:7:5: error: enum `console_protocol` is missing the required key `values`
1 error found
"#;
    missing_release_label: [Replace("releases.yaml", "{code: miami, label: Second Release}", "{code: miami}")] => r#"
releases.yaml:4:5: error: release `miami` is missing the required key `label`
1 error found
"#;
    missing_api_roles: [Replace("api.yaml", "roles: [pool-admin, pool-operator, vm-admin, read-only]\n", "")] => r#"
api.yaml:1:1: error: the API settings file is missing the required key `roles`
1 error found
"#;
    list_where_a_string_is_expected: [Replace("classes/host.yaml", "description: A short name people give the host.", "description: [A short name, people give the host.]")] => r#"
classes/host.yaml:13:18: error: the description of field `name_label` of class `host` must be a string, found a list
1 error found
"#;
    string_where_a_list_is_expected: [Replace("classes/host.yaml", "lifecycle: [published orlando]", "lifecycle: published orlando")] => r#"
classes/host.yaml:29:16: error: the lifecycle of field `tags` of class `host` must be a list, found the string `published orlando`
1 error found
"#;
    mapping_where_a_list_is_expected: [Replace("classes/console.yaml", "fields:\n", "fields: {}\nx_fields:\n")] => r#"
classes/console.yaml:13:9: error: the fields of class `console` must be a list, found a mapping
classes/console.yaml:14:1: error: unknown key `x_fields` in class `console`
  help: did you mean `fields`?
2 errors found
"#;
    string_where_a_mapping_is_expected: [Replace("classes/VM.yaml", "derive: {fields: true, record: true, all: true, by_name_label: true, create_destroy: true}", "derive: all")] => r#"
classes/VM.yaml:4:9: error: the `derive` settings of class `VM` must be a mapping, found the string `all`
1 error found
"#;
    string_where_a_boolean_is_expected: [Replace("classes/session.yaml", "async: false", "async: no")] => r#"
classes/session.yaml:5:8: error: `async` of class `session` must be `true` or `false`, found the string `no`
1 error found
"#;
    empty_description: [Replace("errors.yaml", "description: The call is not allowed right now.", "description: \"  \"")] => r#"
errors.yaml:13:18: error: the description of error `OPERATION_NOT_ALLOWED` is empty
1 error found
"#;
    empty_lifecycle: [Replace("classes/console.yaml", "    type: VM ref\n    qualifier: RO/constructor\n    lifecycle: [published rio]", "    type: VM ref\n    qualifier: RO/constructor\n    lifecycle: []")] => r#"
classes/console.yaml:29:16: error: the lifecycle of field `VM` of class `console` is empty
  help: write at least `[published RELEASE]`
1 error found
"#;
    enum_without_values: [Replace("classes/console.yaml", "    values:\n      - {name: vt100, description: A text terminal.}\n      - {name: rfb, description: Remote framebuffer (VNC).}\n      - {name: rdp, description: Remote desktop protocol.}\n", "    values: []\n"), Replace("classes/console.yaml", "    default: vt100\n", "")] => r#"
classes/console.yaml:9:13: error: enum `console_protocol` has no values
1 error found
"#;
    unknown_key_typo: [Replace("classes/session.yaml", "    qualifier: RO/runtime\n    lifecycle: [published rio]\n  - name: this_host", "    qualifer: RO/runtime\n    lifecycle: [published rio]\n  - name: this_host")] => r#"
classes/session.yaml:8:5: error: field `uuid` of class `session` is missing the required key `qualifier`
classes/session.yaml:11:5: error: unknown key `qualifer` in field `uuid` of class `session`
  help: did you mean `qualifier`?
2 errors found
"#;
    unknown_key_typo_in_derive: [Replace("classes/host.yaml", "by_name_label: true}", "by_name_lable: true}")] => r#"
classes/host.yaml:4:49: error: unknown key `by_name_lable` in the `derive` settings of class `host`
  help: did you mean `by_name_label`?
1 error found
"#;
    unknown_key_typo_at_class_level: [Replace("classes/console.yaml", "fields:\n", "feilds:\n")] => r#"
classes/console.yaml:13:1: error: unknown key `feilds` in class `console`
  help: did you mean `fields`?
1 error found
"#;
    unknown_key_without_suggestion: [Replace("releases.yaml", "{code: rio, label: First Release}", "{code: rio, label: First Release, date: 2007}")] => r#"
releases.yaml:3:39: error: unknown key `date` in release `rio`
  help: the keys of release `rio` are: code, label
1 error found
"#;
    non_string_key: [Replace("classes/host.yaml", "roles: {write: pool-operator}", "roles: {write: pool-operator, [1, 2]: x}")] => r#"
classes/host.yaml:5:8: error: the roles of class `host` has a key that is not a string
1 error found
"#;
    tagged_value: [Replace("classes/console.yaml", "type: VM ref\n", "type: !ref VM\n")] => r#"
classes/console.yaml:27:11: error: the type of field `VM` of class `console` must be a string, found a value tagged `!ref`
1 error found
"#;

    // ---- defaults ---------------------------------------------------------
    default_string_for_an_int: [Replace("classes/VM.yaml", "default: 0\n", "default: zero\n")] => r#"
classes/VM.yaml:36:14: error: bad default for field `memory_target` of class `VM`: a default of type `int` must be a whole number
1 error found
"#;
    default_unknown_enum_value: [Replace("classes/VM.yaml", "default: Halted", "default: Haltd")] => r#"
classes/VM.yaml:30:14: error: bad default for field `power_state` of class `VM`: `Haltd` is not a value of enum `vm_power_state`; did you mean `Halted`?
1 error found
"#;
    default_unknown_enum_value_no_suggestion: [Replace("classes/console.yaml", "default: vt100", "default: telnet")] => r#"
classes/console.yaml:23:14: error: bad default for field `protocol` of class `console`: `telnet` is not a value of enum `console_protocol`
1 error found
"#;
    default_int_for_a_string: [Replace("classes/VM.yaml", "    default: \"\"\n", "    default: 0\n")] => r#"
classes/VM.yaml:24:14: error: bad default for field `name_label` of class `VM`: a default of type `string` must be a string (quote it)
1 error found
"#;
    default_bad_ref: [Replace("classes/VM.yaml", "default: \"OpaqueRef:NULL\"", "default: nothing")] => r#"
classes/VM.yaml:42:14: error: bad default for field `resident_on` of class `VM`: a default of type `host ref` must be a ref: `OpaqueRef:NULL` or `OpaqueRef:<uuid>`
1 error found
"#;
    default_list_for_a_map: [Replace("classes/VM.yaml", "    default: {}\n", "    default: []\n")] => r#"
classes/VM.yaml:48:14: error: bad default for field `VCPUs_params` of class `VM`: a default of type `(string -> string) map` must be a mapping
1 error found
"#;
    param_default_of_the_wrong_type: [Replace("classes/VM.yaml", "{name: start_paused, type: bool, description: Leave it paused once booted.}", "{name: start_paused, type: bool, description: Leave it paused once booted., default: \"no\"}")] => r#"
classes/VM.yaml:61:94: error: bad default for param `start_paused` of message `start` of class `VM`: a default of type `bool` must be `true` or `false`
  help: write a value of type `bool`, in the notation of field defaults
1 error found
"#;
    param_default_not_trailing: [Replace("classes/session.yaml", "{name: uname, type: string, description: The user name.}", "{name: uname, type: string, description: The user name., default: root}")] => r#"
classes/session.yaml:23:16: error: param `pwd` of message `login_with_password` of class `session` has no default but follows `uname`, which has one
  help: only trailing parameters may have defaults: give this one a default too, or move it before the defaulted ones
1 error found
"#;
    param_default_on_the_session: [Replace("classes/VM.yaml", "      - {name: session_id, type: session ref}\n      - {name: vm, type: VM ref, description: The VM to boot.}", "      - {name: session_id, type: session ref, default: \"OpaqueRef:NULL\"}\n      - {name: vm, type: VM ref, description: The VM to boot., default: \"OpaqueRef:NULL\"}\n")] => r#"
classes/VM.yaml:59:56: error: param `session_id` of message `start` of class `VM` is the session and cannot have a default
  help: remove the default
classes/VM.yaml:62:16: error: param `start_paused` of message `start` of class `VM` has no default but follows `vm`, which has one
  help: only trailing parameters may have defaults: give this one a default too, or move it before the defaulted ones
2 errors found
"#;
    param_default_with_a_typo_in_its_key: [Replace("classes/session.yaml", "{name: pwd, type: string, description: The password.}", "{name: pwd, type: string, description: The password., defualt: \"\"}")] => r#"
classes/session.yaml:23:63: error: unknown key `defualt` in param `pwd` of message `login_with_password` of class `session`
  help: did you mean `default`?
1 error found
"#;
    default_bad_set_item: [Replace("classes/host.yaml", "    default: []\n", "    default: [ok, 3]\n")] => r#"
classes/host.yaml:28:14: error: bad default for field `tags` of class `host`: a default of type `string` must be a string (quote it)
1 error found
"#;

    // ---- files ------------------------------------------------------------
    yaml_syntax_error: [Replace("classes/host.yaml", "type: \"(string -> string) map\"", "type: \"(string -> string) map")] => r#"
classes/host.yaml:42:1: error: invalid YAML: found unexpected end of stream, while scanning a quoted scalar at line 37 column 11
1 error found
"#;
    yaml_syntax_error_bad_indentation: [Replace("classes/console.yaml", "    qualifier: RO/runtime\n    default: vt100", "    qualifier: RO/runtime\n   default: vt100")] => r#"
classes/console.yaml:23:4: error: invalid YAML: did not find expected '-' indicator, while parsing a block collection at line 14 column 3
1 error found
"#;
    yaml_unclosed_bracket: [Replace("classes/session.yaml", "derive: {fields: true, record: true}", "derive: {fields: true, record: true")] => r#"
classes/session.yaml:5:6: error: invalid YAML: did not find expected ',' or '}', while parsing a flow mapping at line 4 column 9
1 error found
"#;
    yaml_unknown_alias: [Replace("classes/session.yaml", "roles: {write: pool-admin}", "roles: *admins")] => r#"
classes/session.yaml:6:8: error: invalid YAML: unknown anchor
1 error found
"#;
    yaml_two_documents: [Replace("api.yaml", "# Most privileged first.\n", "---\nname: Other\n---\n")] => r#"
api.yaml: error: invalid YAML: deserializing from YAML containing more than one document is not supported
1 error found
"#;
    not_utf8: [WriteBytes("classes/host.yaml", b"name: host\ndescription: A physical machine \xff\xfe.\n")] => r#"
classes/host.yaml:2:33: error: the file is not UTF-8 text
  help: schema files must be UTF-8 encoded YAML
1 error found
"#;
    empty_file: [Write("errors.yaml", "")] => r#"
errors.yaml: error: the file is empty
1 error found
"#;
    missing_api_yaml: [Remove("api.yaml")] => r#"
api.yaml: error: the file is missing
  help: every schema directory needs api.yaml, releases.yaml, errors.yaml and a classes folder
1 error found
"#;
    missing_releases_yaml: [Remove("releases.yaml")] => r#"
releases.yaml: error: the file is missing
  help: every schema directory needs api.yaml, releases.yaml, errors.yaml and a classes folder
1 error found
"#;
    missing_errors_yaml: [Remove("errors.yaml")] => r#"
errors.yaml: error: the file is missing
  help: every schema directory needs api.yaml, releases.yaml, errors.yaml and a classes folder
1 error found
"#;
    missing_classes_dir: [Remove("classes")] => r#"
classes: error: cannot list the class files: No such file or directory (os error 2)
  help: put one YAML file per class in a `classes` folder inside the schema directory
1 error found
"#;
    directory_instead_of_a_file: [Remove("errors.yaml"), Mkdir("errors.yaml")] => r#"
errors.yaml: error: this is not a regular file
1 error found
"#;
    errors_file_without_a_list: [Write("errors.yaml", "errors: {}\n")] => r#"
errors.yaml:1:9: error: the errors must be a list, found a mapping
1 error found
"#;
    no_releases: [Write("releases.yaml", "releases: []\n")] => r#"
releases.yaml:1:11: error: the releases file lists no releases
  help: list every release, oldest first
1 error found
"#;
    no_roles: [Replace("api.yaml", "roles: [pool-admin, pool-operator, vm-admin, read-only]", "roles: []")] => r#"
api.yaml:4:8: error: the API lists no roles
  help: list the roles, most privileged first
1 error found
"#;
    class_file_that_is_a_list: [Write("classes/console.yaml", "- name: console\n")] => r#"
classes/console.yaml:1:1: error: a class must be a mapping, found a list
1 error found
"#;
    broken_class_file_does_not_cascade: [Write("classes/host.yaml", "name: host\n  description: [\n")] => r#"
classes/host.yaml:2:14: error: invalid YAML: mapping values are not allowed in this context
1 error found
"#;

    // ---- several problems at once -----------------------------------------
    several_errors_in_several_files: [
        Replace("api.yaml", "name: MiniAPI", "nmae: MiniAPI"),
        Replace("errors.yaml", "params: [reason]", "params: reason"),
        Replace("classes/VM.yaml", "type: host ref", "type: hots ref"),
        Replace("classes/VM.yaml", "default: Halted", "default: Haltd"),
        Replace("classes/host.yaml", "[published orlando]", "[published orlado]"),
        Replace("classes/session.yaml", "roles: read-only\n    lifecycle: [published rio]\n  - name: logout", "roles: read-onyl\n    lifecycle: [published rio]\n  - name: logout"),
    ] => r#"
api.yaml:1:1: error: the API settings file is missing the required key `name`
api.yaml:1:1: error: unknown key `nmae` in the API settings file
  help: did you mean `name`?
classes/VM.yaml:30:14: error: bad default for field `power_state` of class `VM`: `Haltd` is not a value of enum `vm_power_state`; did you mean `Halted`?
classes/VM.yaml:40:11: error: unknown class `hots` in the type of field `resident_on` of class `VM`
  help: did you mean `host`?
classes/host.yaml:29:17: error: unknown release `orlado` in the lifecycle of field `tags` of class `host`
  help: did you mean `orlando`?
classes/session.yaml:26:12: error: unknown role `read-onyl`
  help: did you mean `read-only`?
errors.yaml:12:13: error: the params of error `OPERATION_NOT_ALLOWED` must be a list, found the string `reason`
7 errors found
"#;
}
