//! The rules that put xapi's ways of saying things in the schema's terms
//! before the upstream check compares (`upstream::settle`), each on the
//! real schema with upstream facts made from it and then changed the way
//! xapi's sources say things.

mod common;

use xenapi_gen::model::Api;
use xenapi_gen::upstream::facts::{Class, Enum, Facts, Lifecycle, Message, Param, Transition};
use xenapi_gen::upstream::{compare, schema_facts::schema_facts, settle::settle};

fn api() -> Api {
    xenapi_gen::load_schema(&common::real_schema()).unwrap_or_else(|d| panic!("{d}"))
}

fn class<'a>(f: &'a mut Facts, name: &str) -> &'a mut Class {
    f.classes.iter_mut().find(|c| c.name == name).unwrap()
}

fn message<'a>(c: &'a mut Class, name: &str) -> &'a mut Message {
    c.messages.iter_mut().find(|m| m.name == name).unwrap()
}

fn param<'a>(m: &'a mut Message, name: &str) -> &'a mut Param {
    m.params.iter_mut().find(|p| p.name == name).unwrap()
}

fn step(transition: &str, release: &str) -> Transition {
    Transition { transition: transition.into(), release: release.into() }
}

/// Upstream facts equal to the schema's, changed by `edit`, then settled.
fn settled(api: &Api, edit: impl FnOnce(&mut Facts)) -> Facts {
    let mut up = schema_facts(api).unwrap();
    edit(&mut up);
    settle(&mut up, api);
    up
}

fn differences(api: &Api, up: &Facts) -> usize {
    compare::compare(up, &schema_facts(api).unwrap(), compare::Options::for_upstream(up)).len()
}

#[test]
fn a_next_release_is_the_schemas_next_one_unless_that_is_the_newest() {
    let api = api();
    let newest = api.releases.last().unwrap().code.clone();
    let before_newest = api.releases[api.releases.len() - 2].code.clone();
    let up = settled(&api, |f| {
        let vm = class(f, "VM");
        param(message(vm, "migrate_send"), "vdi_format_map").since = Some("26.14.0-next".into());
        message(vm, "start").lifecycle.transitions.push(step("changed", &format!("{before_newest}-next")));
    });
    let mut up = up;
    let vm = class(&mut up, "VM");
    assert_eq!(param(message(vm, "migrate_send"), "vdi_format_map").since.as_deref(), Some("26.15.0"));
    // after the release before the newest: the newest, whose tag it may postdate
    assert!(!message(vm, "start")
        .lifecycle
        .transitions
        .iter()
        .any(|t| t.release.ends_with("-next") || t.release == newest));
    assert_eq!(differences(&api, &up), 0);
}

#[test]
fn a_param_release_counts_only_when_a_later_release_added_it_with_a_default() {
    let api = api();
    let mut up = settled(&api, |f| {
        let session = class(f, "session");
        let login = message(session, "login_with_password");
        // came with the message (rio)
        param(login, "uname").since = Some("rio".into());
        // later, but without a default
        param(login, "pwd").since = Some("miami".into());
    });
    let login = message(class(&mut up, "session"), "login_with_password");
    assert_eq!(param(login, "uname").since, None);
    assert_eq!(param(login, "pwd").since, None);
    assert_eq!(differences(&api, &up), 0);
}

#[test]
fn internal_items_the_schema_does_not_take_go_with_the_enums_only_they_use() {
    let api = api();
    let up = settled(&api, |f| {
        let pool = class(f, "pool");
        pool.enums.push(Enum { name: "hello_return".into(), values: vec!["ok".into()], origin: None });
        pool.messages.push(Message {
            name: "hello".into(),
            result: "enum hello_return".into(),
            params: vec![],
            errors: vec![],
            roles: vec![],
            implicit: false,
            lifecycle: Lifecycle { transitions: vec![step("published", "rio")] },
            internal: true,
            origin: None,
        });
    });
    assert_eq!(differences(&api, &up), 0);
    // the same message not marked internal is a difference
    let up = settled(&api, |f| {
        let pool = class(f, "pool");
        let mut m = pool.messages[0].clone();
        m.name = "hello_public".into();
        pool.messages.push(m);
    });
    assert_eq!(differences(&api, &up), 1);
}

#[test]
fn hand_written_setters_equal_to_the_derived_ones_are_the_schemas_rw_field() {
    let api = api();
    let vm_api = api.class("VM").unwrap();
    let derived: Vec<Message> = ["set_platform", "add_to_platform", "remove_from_platform"]
        .iter()
        .map(|n| {
            let m = vm_api.messages.iter().find(|m| m.name == *n).unwrap();
            Message {
                name: m.name.clone(),
                result: m.result.to_string(),
                params: m
                    .params
                    .iter()
                    .map(|p| Param { name: p.name.clone(), ty: p.ty.to_string(), default: None, since: None })
                    .collect(),
                errors: vec![],
                roles: api.role_names(m.roles).iter().map(|r| r.to_string()).collect(),
                implicit: false,
                lifecycle: Lifecycle { transitions: vec![step("published", "rio")] },
                internal: false,
                origin: None,
            }
        })
        .collect();
    let make = |roles: Option<Vec<String>>| {
        let derived = derived.clone();
        settled(&api, move |f| {
            let vm = class(f, "VM");
            vm.fields.iter_mut().find(|x| x.name == "platform").unwrap().qualifier = "RO/constructor".into();
            for mut m in derived {
                if let Some(r) = &roles {
                    m.roles = r.clone();
                }
                vm.messages.push(m);
            }
        })
    };
    assert_eq!(differences(&api, &make(None)), 0);
    // other roles than the derived setters': the field and the three messages differ
    assert_eq!(differences(&api, &make(Some(vec!["pool-admin".into()]))), 4);
}

#[test]
fn a_ref_default_written_as_a_string_is_that_ref_and_kept_releases_stay() {
    let api = api();
    let up = settled(&api, |f| {
        let vdi = class(f, "VDI");
        param(message(vdi, "copy"), "sr").default = Some("\"OpaqueRef:NULL\"".into());
        // upstream names no item of 24.16.0 any more
        f.releases.retain(|r| r.code != "24.16.0");
    });
    assert_eq!(differences(&api, &up), 0);
}
