//! How messages are called, as the model and `names` give it to every
//! backend: wire names and the second names a server also takes, the
//! parameters after the session, and the call syntax the docs show for
//! the Rust and Python clients.

mod common;

use xenapi_gen::model::{Api, Class, Message};
use xenapi_gen::names::{python, rust};

fn mini() -> Api {
    xenapi_gen::load_schema(&common::mini()).unwrap_or_else(|d| panic!("{d}"))
}

fn message<'a>(api: &'a Api, class: &str, name: &str) -> (&'a Class, &'a Message) {
    let c = api.class(class).unwrap_or_else(|| panic!("no class {class}"));
    (c, c.messages.iter().find(|m| m.name == name).unwrap_or_else(|| panic!("no message {class}.{name}")))
}

#[test]
fn wire_names_and_parameters_after_the_session() {
    let api = mini();
    let (vm, start) = message(&api, "VM", "start");
    assert_eq!(start.wire_name(vm), "VM.start");
    assert_eq!(start.async_wire_name(vm), "Async.VM.start");
    let after: Vec<&str> = start.call_params().iter().map(|p| p.name.as_str()).collect();
    assert_eq!(after, ["vm", "start_paused"]);
    // The login family takes no session: every parameter is the caller's.
    let (session, login) = message(&api, "session", "login_with_password");
    assert!(!login.takes_session());
    assert_eq!(login.call_params().len(), login.params.len());
    assert_eq!(login.wire_name(session), "session.login_with_password");
}

#[test]
fn call_syntax_for_each_client() {
    let api = mini();
    let (vm, start) = message(&api, "VM", "start");
    assert_eq!(rust::call(vm, start), "session.vm().start(vm, start_paused)");
    assert_eq!(python::call(vm, start), "session.VM.start(vm, start_paused)");
    let (session, login) = message(&api, "session", "login_with_password");
    assert_eq!(rust::call(session, login), "Connection::session_login_with_password(uname, pwd)");
    assert_eq!(python::call(session, login), "session.login_with_password(uname, pwd)");
    assert_eq!(rust::connection_method("session", "login_with_password"), "session_login_with_password");
    assert_eq!(python::class_attr("VM_guest_metrics"), "VM_guest_metrics");
}

#[test]
fn the_docs_show_the_call_syntax_of_names() {
    let api = mini();
    let files = xenapi_gen::backend::docs::generate(&api);
    let page = files.iter().find(|f| f.path == "docs/classes/VM.md").expect("a page for VM");
    let text = String::from_utf8_lossy(&page.contents);
    let (vm, start) = message(&api, "VM", "start");
    assert!(text.contains(&format!("- Rust: `{}`", rust::call(vm, start))), "{text}");
    assert!(text.contains(&format!("- Python: `{}`", python::call(vm, start))), "{text}");
    assert!(text.contains(&format!("- Also as `{}`", start.async_wire_name(vm))), "{text}");
}

fn real() -> Api {
    xenapi_gen::load_schema(&common::real_schema()).unwrap_or_else(|d| panic!("{d}"))
}

#[test]
fn every_synchronous_call_has_a_second_wire_name() {
    let api = mini();
    let (vm, start) = message(&api, "VM", "start");
    assert_eq!(start.alias_wire_name(vm), "VM_start");
    let aliases = api.wire_aliases();
    let messages: usize = api.classes.iter().map(|c| c.messages.len()).sum();
    assert_eq!(aliases.len(), messages, "one per message");
    assert!(aliases.windows(2).all(|w| w[0].0 < w[1].0), "sorted, no two the same");
    for (alias, wire, class) in &aliases {
        let (c, m) = wire.split_once('.').expect("a wire name has a dot");
        assert_eq!(c, class.name);
        assert_eq!(*alias, format!("{c}_{m}"));
    }
    // The mini fixture has no event class, so no `event_from`; and no
    // task form has a second name.
    assert!(aliases.iter().all(|(a, _, _)| !a.starts_with("event_") && !a.starts_with("Async")));
    let (session, login) = message(&api, "session", "login_with_password");
    assert!(aliases
        .iter()
        .any(|(a, w, _)| *a == login.alias_wire_name(session) && *w == "session.login_with_password"));
}

#[test]
fn event_from_and_vm_import_are_second_names_of_the_real_schema() {
    let api = real();
    let aliases = api.wire_aliases();
    let find = |alias: &str| aliases.iter().find(|(a, _, _)| a == alias).map(|(_, w, _)| w.as_str());
    assert_eq!(find("event_from"), Some("event.from"));
    assert_eq!(find("VM_import"), Some("VM.import"));
    assert_eq!(find("VM_metrics_get_uuid"), Some("VM_metrics.get_uuid"));
    // Python programs call by their second name only the messages whose
    // name Python reserves.
    let (event, from) = message(&api, "event", "from");
    assert_eq!(python::module_alias(event, from).as_deref(), Some("event_from"));
    assert_eq!(
        python::module_alias_call(event, from).as_deref(),
        Some("session.xenapi.event_from(classes, token, timeout)")
    );
    let (vm, start) = message(&api, "VM", "start");
    assert_eq!(python::module_alias(vm, start), None);
    let called: Vec<String> =
        api.classes.iter().flat_map(|c| c.messages.iter().filter_map(move |m| python::module_alias(c, m))).collect();
    assert_eq!(called, ["VM_import", "event_from"]);
}

#[test]
fn the_generated_server_takes_the_second_names_of_its_schema_only() {
    let routing = common::generated_file(xenapi_gen::backend::Lang::Rust, &mini(), "routing.rs");
    assert!(routing.contains(r#"("VM_start", "VM.start")"#), "{routing}");
    assert!(!routing.contains(r#""event_from""#), "{routing}");
    assert!(routing.contains("const ALIASES: &'static [(&'static str, &'static str)] = ALIASES;"), "{routing}");
    let routing = common::generated_file(xenapi_gen::backend::Lang::Rust, &real(), "routing.rs");
    assert!(routing.contains(r#"("event_from", "event.from")"#));
}

#[test]
fn the_docs_show_the_second_name_where_python_needs_it() {
    let files = xenapi_gen::backend::docs::generate(&real());
    let page = |path: &str| {
        let f = files.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("no {path}"));
        String::from_utf8_lossy(&f.contents).into_owned()
    };
    let event = page("docs/classes/event.md");
    assert!(event.contains("- Also as `event_from`, the same call: Python cannot write `from` as an attribute, so the `XenAPI` module calls `session.xenapi.event_from(classes, token, timeout)`."), "{event}");
    let vm = page("docs/classes/VM.md");
    assert!(vm.contains("- Also as `VM_import`,"), "{vm}");
    assert!(!vm.contains("- Also as `VM_start`"), "{vm}");
    assert!(page("docs/index.md").contains("The server also takes `CLASS_message` for `CLASS.message`"));
}
