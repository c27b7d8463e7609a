//! The stubs of the PyPI `XenAPI` module (`generated/python-stubs`) say
//! what the module really does: calls by position only and without the
//! session, the `Async.` forms returning tasks, logins and logouts the
//! module handles itself returning `None`, messages Python cannot spell
//! left out or reached through the server's alias, and records, enums
//! and references under their wire names. (tests/stubs runs mypy and
//! pyright over programs that use them.)

mod common;

use common::generated_file as file;
use xenapi_gen::backend::Lang;
use xenapi_gen::model::Api;

fn real() -> Api {
    xenapi_gen::load_schema(&common::real_schema()).unwrap_or_else(|d| panic!("{d}"))
}

/// The body of a stub class, up to the next top-level line.
fn class<'a>(text: &'a str, name: &str) -> &'a str {
    let start = text.find(&format!("\nclass {name}")).unwrap_or_else(|| panic!("no class {name}"));
    let body = &text[start + 1..];
    let end = body[1..].find("\nclass ").map_or(body.len(), |e| e + 1);
    &body[..end]
}

#[test]
fn calls_go_by_position_without_the_session() {
    let api = file(Lang::PythonStubs, &real(), "_api.pyi");
    let vm = class(&api, "VmApi:");
    assert!(
        vm.contains("    def start(self, vm: VmRef, start_paused: bool, force: bool, /) -> str:\n        \"\"\""),
        "{vm}"
    );
    assert!(vm.contains("    def get_all(self) -> list[VmRef]:\n        \"\"\""), "{vm}");
    assert!(vm.contains("    def get_all_records(self) -> dict[VmRef, VmRecord]:\n        \"\"\""), "{vm}");
    // Ints are sent as ints or strings and come back as strings.
    assert!(
        vm.contains("    def set_VCPUs_max(self, self_: VmRef, value: int | str, /) -> str:\n        \"\"\""),
        "{vm}"
    );
    assert!(vm.contains("    def get_VCPUs_max(self, self_: VmRef, /) -> str:\n        \"\"\""), "{vm}");
    // `VM.import` cannot be written in Python.
    assert!(!vm.contains("def import("), "{vm}");
}

#[test]
fn async_forms_return_tasks_and_exist_only_where_the_server_has_them() {
    let api = file(Lang::PythonStubs, &real(), "_api.pyi");
    let vm = class(&api, "AsyncVmApi:");
    assert!(
        vm.contains("    def start(self, vm: VmRef, start_paused: bool, force: bool, /) -> TaskRef:\n        \"\"\""),
        "{vm}"
    );
    assert!(!vm.contains("def get_record("), "{vm}");
    let top = class(&api, "AsyncXenapi:");
    assert!(top.contains("    VM: AsyncVmApi\n"), "{top}");
    assert!(class(&api, "Xenapi:").contains("    Async: AsyncXenapi\n"));
}

#[test]
fn the_module_handles_login_and_logout_itself() {
    let api = real();
    let calls = file(Lang::PythonStubs, &api, "_api.pyi");
    let top = class(&calls, "Xenapi:");
    assert!(top.contains("    def login_with_password(self, uname: str, pwd: str, version: str = ..., originator: str = ..., /) -> None:\n        \"\"\""), "{top}");
    assert!(top.contains("    def logout(self) -> None:\n        \"\"\""), "{top}");
    // The module sends `event_from`, the second wire name of `event.from`.
    assert!(top.contains("    def event_from(self, classes: list[str] | tuple[str, ...], token: str, timeout: float, /) -> EventBatch:\n        \"\"\""), "{top}");
    assert!(!calls.contains("def from("));
    // So does `VM.import`, as `VM_import`.
    assert!(top.contains("    def VM_import(self, url: str, sr: SrRef, full_restore: bool, force: bool, /) -> list[VmRef]:\n        \"\"\""), "{top}");
    let session = class(&calls, "SessionApi:");
    assert!(session.contains("    def logout(self) -> None:\n        \"\"\""), "{session}");
    assert!(session.contains("    def local_logout(self) -> str:\n        \"\"\""), "{session}");
    assert!(!session.contains("def login_with_password"), "{session}");
    let module = file(Lang::PythonStubs, &api, "XenAPI.pyi");
    assert!(
        module.contains(
            "    def slave_local_login_with_password(self, uname: str, pwd: str, /) -> None:\n        \"\"\""
        ),
        "{module}"
    );
    assert!(module.contains("    def handle(self) -> SessionRef | None: ..."), "{module}");
}

#[test]
fn records_enums_and_references_use_wire_names() {
    let types = file(Lang::PythonStubs, &real(), "_types.pyi");
    assert!(types.contains("VmRef = NewType(\"VmRef\", str)\n"), "{types}");
    assert!(types.contains("VmPowerState: TypeAlias = Literal[\"Halted\", \"Paused\", \"Running\", \"Suspended\"]\n"));
    let vm = class(&types, "VmRecord(TypedDict):");
    assert!(vm.contains("    power_state: VmPowerState\n    user_version: str\n"), "{vm}");
    assert!(vm.contains("    snapshot_time: DateTime\n"), "{vm}");
    // `class` is a keyword: the functional syntax keeps the wire key.
    assert!(
        types.contains("EventRecord = TypedDict(\n    \"EventRecord\",\n    {\n        \"snapshot\": dict[str, Any],"),
        "{types}"
    );
    assert!(types.contains("        \"class\": str,\n"));
    // What `create` takes: defaulted fields may be left out.
    let vdi = class(&types, "VdiCreateArgs(TypedDict):");
    assert!(vdi.contains("    SR: SrRef\n") && vdi.contains("    name_label: NotRequired[str]\n"), "{vdi}");
    assert!(!vdi.contains("    uuid:"), "{vdi}");
}

#[test]
fn retired_messages_are_marked_deprecated() {
    let api = xenapi_gen::load_schema(&common::mini()).unwrap_or_else(|d| panic!("{d}"));
    let calls = file(Lang::PythonStubs, &api, "_api.pyi");
    let retired = "deprecated since Fourth Release (george)";
    assert!(
        calls.contains(&format!("    @deprecated(\"VM.get_memory_target is {retired}\")\n    def get_memory_target(self, self_: VmRef, /) -> str:\n        \"\"\"")),
        "{calls}"
    );
    assert!(calls.contains("from typing_extensions import deprecated\n"));
}

#[test]
fn every_call_carries_its_description_history_and_errors_as_a_docstring() {
    let api = file(Lang::PythonStubs, &real(), "_api.pyi");
    let vm = class(&api, "VmApi:");
    let start = vm.split("    def start(").nth(1).expect("VM.start");
    let doc = start.split("\"\"\"").nth(1).expect("a docstring");
    assert!(doc.starts_with("Boots a halted VM"), "{doc}");
    assert!(doc.contains("Published in XenServer 4.0 (rio)."), "{doc}");
    assert!(doc.contains("Errors: VM_BAD_POWER_STATE,"), "{doc}");
    let async_start = class(&api, "AsyncVmApi:").split("    def start(").nth(1).expect("Async.VM.start");
    assert!(async_start.contains("returns the task's reference at once"), "{async_start}");
    // No call is left without one: each `def` line is followed by its
    // docstring.
    let lines: Vec<&str> = api.lines().collect();
    for (i, line) in lines.iter().enumerate().filter(|(_, l)| l.trim_start().starts_with("def ")) {
        assert!(lines.get(i + 1).is_some_and(|next| next.trim_start().starts_with("\"\"\"")), "{line}");
    }
    let module = file(Lang::PythonStubs, &real(), "XenAPI.pyi");
    let login = module.split("    def login_with_password(").nth(1).expect("Session.login_with_password");
    assert!(login.split("\"\"\"").nth(1).is_some_and(|doc| doc.contains("Published in")), "{login}");
}
