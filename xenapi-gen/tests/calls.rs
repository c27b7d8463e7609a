//! How messages are called, as the model and `names` give it to every
//! backend: wire names, the parameters after the session, and the call
//! syntax the docs show for the Rust and Python clients.

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
