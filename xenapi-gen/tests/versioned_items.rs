//! Items a release added to what was already there: parameters, enum
//! values, error codes and error entries with their own lifecycle, and
//! internal messages. The loader's checks (exact diagnostics with
//! file:line:col), the projection to an older release, the docs wording
//! and the diff classification, all on the mini fixture with edits.

mod common;

use common::Edit::{self, *};
use xenapi_gen::backend::Lang;
use xenapi_gen::model::{Api, Message};

/// The mini fixture grown by one release's worth of additions (orlando):
/// a trailing param with a default, an enum value, an error code and two
/// error entries added to `VM.start` (one in miami, one in orlando), and
/// `VM.clean_shutdown` marked internal.
const GROWN: &[Edit] = &[
    Replace(
        "errors.yaml",
        "  - code: OPERATION_NOT_ALLOWED\n",
        "  - code: VM_TOO_NEW\n    params: [vm]\n    description: The VM needs a newer host.\n    lifecycle: [published orlando]\n  - code: OPERATION_NOT_ALLOWED\n",
    ),
    Replace(
        "classes/VM.yaml",
        "      - {name: start_paused, type: bool, description: Leave it paused once booted.}\n    result: void\n    errors: [VM_BAD_POWER_STATE, OPERATION_NOT_ALLOWED]",
        "      - {name: start_paused, type: bool, description: Leave it paused once booted.}\n      - {name: force, type: bool, default: false, description: Boot even if checks fail., lifecycle: [published orlando]}\n    result: void\n    errors: [VM_BAD_POWER_STATE, OPERATION_NOT_ALLOWED, {code: HANDLE_INVALID, since: miami}, {code: VM_TOO_NEW, since: orlando}]",
    ),
    Replace(
        "classes/VM.yaml",
        "      - {name: Suspended, description: Saved to disk.}",
        "      - {name: Suspended, description: Saved to disk.}\n      - {name: Crashed, description: Stopped by a fault., lifecycle: [published orlando]}",
    ),
    Replace("classes/VM.yaml", "    roles: [pool-admin, pool-operator, vm-admin]\n", "    roles: [pool-admin, pool-operator, vm-admin]\n    internal: true\n"),
];

fn grown_dir() -> tempfile::TempDir {
    let dir = common::mini_copy();
    for e in GROWN {
        common::apply(dir.path(), *e);
    }
    dir
}

fn load(dir: &std::path::Path) -> Api {
    xenapi_gen::load_schema(dir).unwrap_or_else(|d| panic!("{} does not load:\n{d}", dir.display()))
}

fn grown() -> Api {
    load(grown_dir().path())
}

/// The diagnostics of the grown fixture with more edits on top.
fn diags(edits: &[Edit]) -> String {
    let dir = grown_dir();
    for e in edits {
        common::apply(dir.path(), *e);
    }
    common::diagnostics(dir.path()).unwrap_or_else(|| "(loads)".into())
}

fn start(api: &Api) -> &Message {
    api.class("VM").unwrap().messages.iter().find(|m| m.name == "start").unwrap()
}

fn codes<'a>(api: &'a Api, m: &'a Message) -> Vec<&'a str> {
    api.error_codes(&m.errors).collect()
}

// ---- the model -------------------------------------------------------------

#[test]
fn the_grown_fixture_carries_every_notion() {
    let api = grown();
    let m = start(&api);
    let force = m.params.last().unwrap();
    assert_eq!(force.name, "force");
    assert_eq!(force.lifecycle.introduced().map(|t| t.release.as_str()), Some("orlando"));
    assert_eq!(m.required_params(), 3, "the added param has a default");
    assert_eq!(codes(&api, m), ["VM_BAD_POWER_STATE", "OPERATION_NOT_ALLOWED", "HANDLE_INVALID", "VM_TOO_NEW"]);
    let handle = api.errors.iter().position(|e| e.code == "HANDLE_INVALID").unwrap();
    assert_eq!(m.error_added(xenapi_gen::model::ErrorId(handle as u32)).map(|t| t.release.as_str()), Some("miami"));
    assert_eq!(m.errors_added.len(), 2);
    let e = api.errors.iter().find(|e| e.code == "VM_TOO_NEW").unwrap();
    assert_eq!(e.lifecycle.history().unwrap(), "published in Third Release (orlando)");
    let v = api.class("VM").unwrap().enums[0].values.last().unwrap();
    assert_eq!((v.name.as_str(), v.lifecycle.transitions.len()), ("Crashed", 1));
    let vm = api.class("VM").unwrap();
    assert!(vm.messages.iter().find(|m| m.name == "clean_shutdown").unwrap().internal);
    assert!(!m.internal);
}

// ---- the projection --------------------------------------------------------

#[test]
fn at_release_drops_what_came_later_and_renumbers_errors() {
    let api = grown();
    let miami = api.at_release("miami").unwrap();
    let m = start(&miami);
    assert_eq!(m.params.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["session_id", "vm", "start_paused"]);
    assert_eq!(codes(&miami, m), ["VM_BAD_POWER_STATE", "OPERATION_NOT_ALLOWED", "HANDLE_INVALID"]);
    assert_eq!(m.errors_added.len(), 1);
    assert!(!miami.errors.iter().any(|e| e.code == "VM_TOO_NEW"));
    assert_eq!(miami.errors.len(), 4);
    // Ids were renumbered: every id of every message names an existing code.
    for (_, msg) in miami.messages() {
        for id in msg.errors.iter().chain(msg.errors_added.iter().map(|(e, _)| e)) {
            assert!((id.0 as usize) < miami.errors.len());
        }
    }
    let values: Vec<&str> = miami.class("VM").unwrap().enums[0].values.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(values, ["Halted", "Paused", "Running", "Suspended"]);

    let rio = api.at_release("rio").unwrap();
    assert_eq!(codes(&rio, start(&rio)), ["VM_BAD_POWER_STATE", "OPERATION_NOT_ALLOWED"]);
    assert!(start(&rio).errors_added.is_empty());

    // At the newest release everything is there, as in the whole schema.
    let orlando = api.at_release("george").unwrap();
    assert_eq!(codes(&orlando, start(&orlando)).len(), 4);
    assert_eq!(start(&orlando).params.len(), 4);
    assert_eq!(orlando.errors.len(), 5);
}

#[test]
fn removed_items_stay_marked_as_they_were_then() {
    let dir = grown_dir();
    common::apply(
        dir.path(),
        Replace("errors.yaml", "lifecycle: [published orlando]", "lifecycle: [published miami, removed george]"),
    );
    common::apply(
        dir.path(),
        Replace("classes/VM.yaml", "{code: VM_TOO_NEW, since: orlando}", "{code: VM_TOO_NEW, since: miami}"),
    );
    let api = load(dir.path());
    let at = |r: &str| api.at_release(r).unwrap();
    let state = |a: &Api| a.errors.iter().find(|e| e.code == "VM_TOO_NEW").map(|e| e.lifecycle.state().as_str());
    assert_eq!(state(&at("rio")), None);
    assert_eq!(state(&at("orlando")), Some("published"));
    assert_eq!(state(&at("george")), Some("removed"));
}

#[test]
fn an_item_that_only_names_its_removal_was_there_from_the_start() {
    let dir = grown_dir();
    common::apply(
        dir.path(),
        Replace(
            "classes/VM.yaml",
            "{name: Paused, description: \"In memory, but not scheduled.\"}",
            "{name: Paused, description: \"In memory, but not scheduled.\", lifecycle: [removed orlando]}",
        ),
    );
    let api = load(dir.path());
    let paused = |a: &Api| {
        a.class("VM").unwrap().enums[0].values.iter().find(|v| v.name == "Paused").map(|v| v.lifecycle.state().as_str())
    };
    assert_eq!(paused(&api.at_release("rio").unwrap()), Some("published"));
    assert_eq!(paused(&api.at_release("orlando").unwrap()), Some("removed"));
    let text = xenapi_gen::diff::diff(&grown(), &api).to_string();
    assert!(text.contains("~ value vm_power_state.Paused: lifecycle published -> removed\n"), "{text}");
    assert!(!text.contains("BREAKING"), "{text}");
}

#[test]
fn export_names_added_params_and_internal_messages() {
    let api = grown();
    let json = xenapi_gen::export::model_json(&api);
    let vm = json["classes"].as_array().unwrap().iter().find(|c| c["name"] == "VM").unwrap();
    let msg = |n: &str| vm["messages"].as_array().unwrap().iter().find(|m| m["name"] == n).unwrap().clone();
    let start = msg("start");
    assert_eq!(start["params"][3], serde_json::json!({"name": "force", "type": "bool", "since": "orlando"}));
    assert_eq!(start["params"][1].get("since"), None);
    assert_eq!(start.get("internal"), None);
    assert_eq!(msg("clean_shutdown")["internal"], serde_json::json!(true));
    // The export reads back as upstream facts.
    let facts: xenapi_gen::upstream::facts::Facts = serde_json::from_value(json).unwrap();
    let c = facts.classes.iter().find(|c| c.name == "VM").unwrap();
    assert!(c.messages.iter().any(|m| m.name == "clean_shutdown" && m.internal));
    let at = xenapi_gen::export::model_json(&api.at_release("miami").unwrap());
    let vm = at["classes"].as_array().unwrap().iter().find(|c| c["name"] == "VM").unwrap();
    let start = vm["messages"].as_array().unwrap().iter().find(|m| m["name"] == "start").unwrap();
    assert_eq!(start["errors"], serde_json::json!(["VM_BAD_POWER_STATE", "OPERATION_NOT_ALLOWED", "HANDLE_INVALID"]));
    assert_eq!(start["params"].as_array().unwrap().len(), 3);
}

// ---- docs wording ----------------------------------------------------------

#[test]
fn docs_say_when_items_came_and_that_a_message_is_internal() {
    let api = grown();
    let page = common::generated_file(Lang::Docs, &api, "classes/VM.md");
    assert!(page.contains("### clean_shutdown (internal)"), "{page}");
    assert!(page.contains(&format!("- {}", Message::INTERNAL_NOTE)));
    assert!(!page.contains("### start (internal)"));
    assert!(
        page.contains("| `force` | bool | Boot even if checks fail. Published in Third Release (orlando). |"),
        "{page}"
    );
    assert!(page.contains("| `Crashed` | Stopped by a fault. Published in Third Release (orlando). |"));
    assert!(page.contains("[HANDLE_INVALID](../errors.md#HANDLE_INVALID) (added in Second Release (miami))"));
    assert!(page.contains("[VM_BAD_POWER_STATE](../errors.md#VM_BAD_POWER_STATE), "));
    let errors = common::generated_file(Lang::Docs, &api, "errors.md");
    assert!(errors.contains("The VM needs a newer host. Published in Third Release (orlando)."));
    let releases = common::generated_file(Lang::Docs, &api, "releases.md");
    let orlando = releases.split("## orlando").nth(1).unwrap().split("\n## ").next().unwrap();
    assert!(orlando.contains("- parameter `force` of [VM.start](classes/VM.md#message-start)"), "{orlando}");
    assert!(orlando.contains("- value `Crashed` of enum [vm_power_state](classes/VM.md#enum-vm_power_state)"));
    assert!(orlando.contains("- error [VM_TOO_NEW](errors.md#VM_TOO_NEW)\n"));
    assert!(orlando.contains("### Errors added to messages\n\n- error [VM_TOO_NEW](errors.md#VM_TOO_NEW) of [VM.start](classes/VM.md#message-start)"));
    let miami = releases.split("## miami").nth(1).unwrap().split("\n## ").next().unwrap();
    assert!(
        miami.contains("- error [HANDLE_INVALID](errors.md#HANDLE_INVALID) of [VM.start](classes/VM.md#message-start)")
    );
    assert!(!miami.contains("VM_TOO_NEW"));
}

#[test]
fn every_language_says_when_a_value_or_an_error_code_came() {
    let api = grown();
    let note = "Published in Third Release (orlando).";
    let rust_vm = common::generated_file(Lang::Rust, &api, "src/vm.rs");
    let rust_errors = common::generated_file(Lang::Rust, &api, "src/errors.rs");
    assert!(rust_vm.contains(&format!("/// {note}\n    Crashed")), "{rust_vm}");
    assert!(rust_errors.contains(&format!("/// {note}\n    VmTooNew")), "{rust_errors}");
    let python = common::generated_file(Lang::Python, &api, "enums.py")
        + &common::generated_file(Lang::Python, &api, "errors.py");
    assert!(python.contains(&format!("Stopped by a fault. {note}")), "{python}");
    assert!(python.contains(&format!("The VM needs a newer host. {note}")), "{python}");
    let c = common::generated_file(Lang::C, &api, "include/xen/api/xen_vm_power_state.h");
    assert!(c.contains(&format!("Stopped by a fault. {note}")), "{c}");
    // A value without a lifecycle gets no note.
    assert!(!rust_vm.contains(&format!("/// {note}\n    Halted")));
}

#[test]
fn every_language_says_a_message_is_internal() {
    let api = grown();
    let rust = common::generated_file(Lang::Rust, &api, "src/vm.rs");
    let python = common::generated_file(Lang::Python, &api, "api.py");
    let c = common::generated_file(Lang::C, &api, "include/xen/api/xen_vm.h");
    // The filtered listings VM derives (get_all_where,
    // get_all_records_where) are internal too, without Async forms.
    let derived = |a: &Api| a.class("VM").unwrap().messages.iter().filter(|m| m.internal && m.is_derived()).count();
    assert_eq!(derived(&api), 2);
    // Python writes every class into api.py.
    let everywhere = api.messages().filter(|(_, m)| m.internal && m.is_derived()).count();
    for (lang, text) in [("rust", &rust), ("python", &python)] {
        // Rust: the client method, its Async form and the server trait's
        // method, and client and server method of each derived one of VM;
        // Python: the method and its Async form, and each derived one.
        let want = if lang == "rust" { 3 + 2 * derived(&api) } else { 2 + everywhere };
        assert_eq!(text.matches(Message::INTERNAL_NOTE).count(), want, "{lang}");
    }
    // C wraps comments; the note's first words are on one line.
    assert!(c.contains("Internal: xapi leaves this call out of its published"), "{c}");
    // Without the flag, only the derived ones say it.
    let plain = load(&common::mini());
    assert_eq!(
        common::generated_file(Lang::Rust, &plain, "src/vm.rs").matches(Message::INTERNAL_NOTE).count(),
        2 * derived(&plain)
    );
}

// ---- the loader's checks ---------------------------------------------------

#[test]
fn the_grown_fixture_loads() {
    assert_eq!(diags(&[]), "(loads)");
}

#[test]
fn unknown_releases_in_the_new_lifecycles_are_located() {
    let got = diags(&[
        Replace(
            "classes/VM.yaml",
            "lifecycle: [published orlando]}\n    result",
            "lifecycle: [published oralndo]}\n    result",
        ),
        Replace("classes/VM.yaml", "since: orlando}", "since: boston}"),
        Replace("errors.yaml", "lifecycle: [published orlando]", "lifecycle: [published nope]"),
        Replace(
            "classes/VM.yaml",
            "Stopped by a fault., lifecycle: [published orlando]",
            "Stopped by a fault., lifecycle: [published later]",
        ),
    ]);
    assert_eq!(
        got.trim_end(),
        "\
classes/VM.yaml:14:71: error: unknown release `later` in the lifecycle of value `Crashed` of enum `vm_power_state`
  help: add it to releases.yaml
classes/VM.yaml:63:103: error: unknown release `oralndo` in the lifecycle of param `force` of message `start` of class `VM`
  help: did you mean `orlando`?
classes/VM.yaml:65:121: error: unknown release `boston` in `since` of error `VM_TOO_NEW` of message `start` of class `VM`
  help: add it to releases.yaml
errors.yaml:14:17: error: unknown release `nope` in the lifecycle of error `VM_TOO_NEW`
  help: add it to releases.yaml
4 errors found"
    );
}

#[test]
fn an_added_param_needs_a_default_and_comes_last() {
    let got =
        diags(&[Replace("classes/VM.yaml", "{name: force, type: bool, default: false,", "{name: force, type: bool,")]);
    assert_eq!(
        got.trim_end(),
        "\
classes/VM.yaml:63:16: error: param `force` of message `start` of class `VM` was added in orlando (it has a lifecycle) but has no default
  help: a parameter added to an existing message needs a default, which calls written for older releases get
1 error found"
    );
    let got = diags(&[Replace(
        "classes/VM.yaml",
        "lifecycle: [published orlando]}\n    result",
        "lifecycle: [published orlando]}\n      - {name: extra, type: int, default: 0}\n    result",
    )]);
    assert_eq!(
        got.trim_end(),
        "\
classes/VM.yaml:64:16: error: param `extra` of message `start` of class `VM` has no lifecycle but follows `force`, which orlando added
  help: parameters a later release added come last: give this one a lifecycle too, or move it before them
1 error found"
    );
    let got = diags(&[Replace(
        "classes/VM.yaml",
        "Boot even if checks fail., lifecycle: [published orlando]",
        "Boot even if checks fail., lifecycle: [published rio]",
    )]);
    assert_eq!(
        got.trim_end(),
        "\
classes/VM.yaml:63:16: error: param `force` of message `start` of class `VM` was added in rio, with its message
  help: a lifecycle on a parameter says a later release added it: remove this one
1 error found"
    );
    let got = diags(&[Replace(
        "classes/VM.yaml",
        "lifecycle: [published orlando]}\n    result",
        "lifecycle: [published orlando]}\n      - {name: extra, type: int, default: 0, lifecycle: [published miami]}\n    result",
    )]);
    assert_eq!(
        got.trim_end(),
        "\
classes/VM.yaml:64:16: error: param `extra` of message `start` of class `VM` was added in miami but follows `force`, added later in orlando
  help: list parameters a later release added in the order of their releases
1 error found"
    );
}

#[test]
fn nothing_is_added_to_a_message_before_the_message_or_the_code_existed() {
    // The message now comes in miami: a param and an entry from rio are too early.
    let got = diags(&[
        Replace(
            "classes/VM.yaml",
            "    roles: vm-admin\n    lifecycle: [published rio]",
            "    roles: vm-admin\n    lifecycle: [published miami]",
        ),
        Replace(
            "classes/VM.yaml",
            "lifecycle: [published orlando]}\n    result",
            "lifecycle: [published rio]}\n    result",
        ),
        Replace("classes/VM.yaml", "{code: HANDLE_INVALID, since: miami}", "{code: HANDLE_INVALID, since: rio}"),
        Replace("classes/VM.yaml", "{code: VM_TOO_NEW, since: orlando}", "{code: VM_TOO_NEW, since: miami}"),
    ]);
    assert_eq!(
        got.trim_end(),
        "\
classes/VM.yaml:63:16: error: param `force` of message `start` of class `VM` was added in rio, before its message (miami)
  help: a parameter that came with its message needs no lifecycle; else name a release from miami on
classes/VM.yaml:65:87: error: error `HANDLE_INVALID` of message `start` of class `VM` is listed since rio, before the message itself (miami)
  help: an error that came with its message is written as a plain code
classes/VM.yaml:65:119: error: error `VM_TOO_NEW` of message `start` of class `VM` is listed since miami, before the code itself (orlando)
  help: name orlando or a later release
3 errors found"
    );
    // A plain entry for a code that came after the message.
    let got = diags(&[Replace("classes/VM.yaml", "{code: VM_TOO_NEW, since: orlando}", "VM_TOO_NEW")]);
    assert_eq!(
        got.trim_end(),
        "\
classes/VM.yaml:65:95: error: message `start` of class `VM` (rio) lists error `VM_TOO_NEW`, which came later, in orlando
  help: write `{code: VM_TOO_NEW, since: orlando}` (or a later release)
1 error found"
    );
}

#[test]
fn malformed_new_keys_are_reported_not_panicked_on() {
    let got = diags(&[
        Replace("classes/VM.yaml", "    internal: true\n", "    internal: maybe\n"),
        Replace("classes/VM.yaml", "{code: HANDLE_INVALID, since: miami}", "{code: HANDLE_INVALID, when: miami}"),
        Replace("classes/VM.yaml", "{code: VM_TOO_NEW, since: orlando}", "[VM_TOO_NEW]"),
        Replace("errors.yaml", "lifecycle: [published orlando]", "lifecycle: []"),
    ]);
    assert_eq!(
        got.trim_end(),
        "\
classes/VM.yaml:65:80: error: unknown key `when` in error entry `HANDLE_INVALID` of message `start` of class `VM`
  help: the keys of error entry `HANDLE_INVALID` of message `start` of class `VM` are: code, since
classes/VM.yaml:65:94: error: an item of the errors of message `start` of class `VM` must be a string, found a list
classes/VM.yaml:76:15: error: `internal` of message `clean_shutdown` of class `VM` must be `true` or `false`, found the string `maybe`
errors.yaml:14:16: error: the lifecycle of error `VM_TOO_NEW` is empty
  help: write at least `[published RELEASE]`
4 errors found"
    );
}

// ---- the diff --------------------------------------------------------------

fn diff_report(old: &Api, new: &Api) -> xenapi_gen::diff::Report {
    xenapi_gen::diff::diff(old, new)
}

#[test]
fn growing_a_release_is_not_breaking() {
    let old = load(&common::mini());
    let new = grown();
    let r = diff_report(&old, &new);
    let text = r.to_string();
    assert_eq!(r.breaking(), 0, "{text}");
    for line in [
        "+ value vm_power_state.Crashed: since orlando",
        "+ error VM_TOO_NEW: params (vm), since orlando",
        "~ message VM.start: param 4 `force: bool` added at the end (default false, since orlando)",
        "~ message VM.start: error HANDLE_INVALID added (since miami)",
        "~ message VM.start: error VM_TOO_NEW added (since orlando)",
    ] {
        assert!(text.contains(line), "missing `{line}` in:\n{text}");
    }
}

#[test]
fn params_added_elsewhere_or_without_default_still_break() {
    let old = grown();
    let dir = grown_dir();
    common::apply(
        dir.path(),
        Replace(
            "classes/VM.yaml",
            "      - {name: vm, type: VM ref, description: The VM to boot.}\n",
            "      - {name: vm, type: VM ref, description: The VM to boot.}\n      - {name: early, type: int}\n",
        ),
    );
    // `early` has no default and sits in the middle: breaking.
    let text = diff_report(&old, &load(dir.path())).to_string();
    assert!(text.contains("~ message VM.start: param 3 `early: int` added [BREAKING]"), "{text}");
    // A trailing param without a default: calls written for the old list
    // now lack an argument.
    let dir = common::mini_copy();
    common::apply(
        dir.path(),
        Replace(
            "classes/VM.yaml",
            "      - {name: vm, type: VM ref}\n",
            "      - {name: vm, type: VM ref}\n      - {name: timeout, type: int}\n",
        ),
    );
    let text = diff_report(&load(&common::mini()), &load(dir.path())).to_string();
    assert!(text.contains("~ message VM.clean_shutdown: param 3 `timeout: int` added [BREAKING]"), "{text}");
    // With a default it is compatible, lifecycle or not.
    let dir = common::mini_copy();
    common::apply(
        dir.path(),
        Replace(
            "classes/VM.yaml",
            "      - {name: vm, type: VM ref}\n",
            "      - {name: vm, type: VM ref}\n      - {name: timeout, type: int, default: 60}\n",
        ),
    );
    let text = diff_report(&load(&common::mini()), &load(dir.path())).to_string();
    assert!(
        text.contains("~ message VM.clean_shutdown: param 3 `timeout: int` added at the end (default 60)\n"),
        "{text}"
    );
}

#[test]
fn error_codes_removed_or_retired() {
    let dir = grown_dir();
    common::apply(
        dir.path(),
        Replace("errors.yaml", "lifecycle: [published orlando]", "lifecycle: [published orlando, removed george]"),
    );
    let text = diff_report(&grown(), &load(dir.path())).to_string();
    assert!(text.contains("~ error VM_TOO_NEW: lifecycle published -> removed\n"), "{text}");
    assert!(!text.contains("BREAKING"), "{text}");
    // Deleting the code takes its name out of the bindings: breaking.
    let dir = grown_dir();
    common::apply(dir.path(), Replace("classes/VM.yaml", ", {code: VM_TOO_NEW, since: orlando}", ""));
    common::apply(dir.path(), Replace("errors.yaml", "  - code: VM_TOO_NEW\n    params: [vm]\n    description: The VM needs a newer host.\n    lifecycle: [published orlando]\n", ""));
    let r = diff_report(&grown(), &load(dir.path()));
    let text = r.to_string();
    assert!(text.contains("- error VM_TOO_NEW [BREAKING]"), "{text}");
    assert!(text.contains("~ message VM.start: error VM_TOO_NEW removed\n"), "{text}");
    assert_eq!(r.breaking(), 1);
}

// ---- import-json keeps them ------------------------------------------------

#[test]
fn import_json_round_trip_keeps_every_new_notion() {
    // Export the grown schema and import it over a copy of itself, as
    // `import-json` does to follow upstream: `since` of params and
    // `internal` come from the export, the lifecycles of error codes and
    // enum values and `since` of error entries from the schema there.
    let api = grown();
    let dir = grown_dir();
    let export = dir.path().join("model.json");
    std::fs::write(&export, xenapi_gen::export::model_json(&api).to_string()).unwrap();
    let files = xenapi_gen::import::import_files(&export, None, None, dir.path()).unwrap_or_else(|e| panic!("{e}"));
    for (path, text) in files {
        std::fs::write(dir.path().join(path), text).unwrap();
    }
    let again = load(dir.path());
    let m = start(&again);
    assert_eq!(m.params.last().unwrap().lifecycle, start(&api).params.last().unwrap().lifecycle);
    assert_eq!(m.errors_added, start(&api).errors_added);
    assert_eq!(codes(&again, m), codes(&api, start(&api)));
    let internal = |a: &Api| {
        a.messages().filter(|(_, m)| m.internal).map(|(c, m)| format!("{}.{}", c.name, m.name)).collect::<Vec<_>>()
    };
    assert_eq!(internal(&again), internal(&api));
    let explicit: Vec<String> = internal(&again).into_iter().filter(|m| !m.ends_with("_where")).collect();
    assert_eq!(explicit, ["VM.clean_shutdown"]);
    let err = |a: &Api| a.errors.iter().find(|e| e.code == "VM_TOO_NEW").unwrap().lifecycle.clone();
    assert_eq!(err(&again), err(&api));
    let value = |a: &Api| a.class("VM").unwrap().enums[0].values.last().unwrap().lifecycle.clone();
    assert_eq!(value(&again), value(&api));
    assert_eq!(xenapi_gen::export::model_json(&again), xenapi_gen::export::model_json(&api));
}

#[test]
fn the_diff_command_exits_zero_for_a_grown_release() {
    let dir = grown_dir();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_xenapi-gen"))
        .arg("diff")
        .arg(common::mini())
        .arg(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("0 breaking"), "{text}");
}
