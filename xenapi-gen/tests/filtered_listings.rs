//! `get_all_where` and `get_all_records_where`: derived, as in xapi, for
//! every class that lists its objects, internal, and rendered by every
//! backend with the rest of the derived messages.

mod common;

use xenapi_gen::backend::Lang;
use xenapi_gen::model::{Api, DerivedKind, MessageOrigin, Type};
use xenapi_gen::names::c;

fn real() -> Api {
    xenapi_gen::load_schema(&common::real_schema()).unwrap_or_else(|d| panic!("{d}"))
}

#[test]
fn every_listing_class_gets_both_internal_like_get_all() {
    let api = real();
    let mut seen = 0;
    for class in &api.classes {
        let find = |n: &str| class.messages.iter().find(|m| m.name == n);
        let Some(get_all) = find("get_all").filter(|m| m.is_derived()) else {
            // Classes without derive.all get neither (message has its own,
            // explicit get_all_records_where, which stays as written).
            assert!(find("get_all_where").is_none(), "{}", class.name);
            continue;
        };
        seen += 1;
        let me = Type::Ref(class.name.clone());
        let record_map = Type::Map(Box::new(me.clone()), Box::new(Type::Record(class.name.clone())));
        for (name, kind, result) in [
            ("get_all_where", DerivedKind::GetAllWhere, Type::Set(Box::new(me.clone()))),
            ("get_all_records_where", DerivedKind::GetAllRecordsWhere, record_map),
        ] {
            let m = find(name).unwrap_or_else(|| panic!("{}.{name} missing", class.name));
            let what = format!("{}.{name}", class.name);
            assert!(matches!(&m.origin, MessageOrigin::Derived { kind: k, field: None } if *k == kind), "{what}");
            assert!(m.internal, "{what} is internal, as in xapi");
            assert!(!m.has_async, "{what} has no Async form");
            let params: Vec<(&str, String)> = m.params.iter().map(|p| (p.name.as_str(), p.ty.to_string())).collect();
            assert_eq!(params, [("session_id", "session ref".to_string()), ("expr", "string".to_string())], "{what}");
            assert_eq!(m.result, result, "{what}");
            assert_eq!(m.roles, get_all.roles, "{what}: the roles of get_all");
            assert_eq!(m.lifecycle, class.lifecycle, "{what}: the class's lifecycle");
            assert!(!xenapi_gen::names::c::has_async_function(&api, class, m), "{what}: no _async in C");
        }
    }
    assert!(seen > 50, "only {seen} classes list their objects");
    let message = api.class("message").unwrap();
    let explicit = message.messages.iter().find(|m| m.name == "get_all_records_where").unwrap();
    assert!(!explicit.is_derived() && !explicit.internal);
}

#[test]
fn the_export_marks_them_internal() {
    let api = real();
    let json = xenapi_gen::export::model_json(&api);
    let vm = json["classes"].as_array().unwrap().iter().find(|c| c["name"] == "VM").unwrap();
    for name in ["get_all_where", "get_all_records_where"] {
        let m = vm["messages"].as_array().unwrap().iter().find(|m| m["name"] == name).unwrap();
        assert_eq!(m["internal"], true, "{name}");
        assert_eq!(m["implicit"], true, "{name}");
    }
}

#[test]
fn every_backend_renders_them() {
    let api = real();
    let rust = common::generated_file(Lang::Rust, &api, "src/vm.rs");
    assert!(rust.contains("pub async fn get_all_records_where("), "Rust client");
    assert!(rust.contains("\"VM.get_all_records_where\""), "Rust wire name");
    assert!(rust.contains("all_where::<"), "Rust server default goes through the store");
    let header = common::generated_file(Lang::C, &api, "include/xen/api/xen_vm.h");
    let f = c::function("VM", "get_all_records_where");
    assert_eq!(f, "xen_vm_get_all_records_where");
    assert!(
        header.contains(&format!("{f}(xen_session *session, xen_vm_xen_vm_record_map **result, char *expr);")),
        "C"
    );
    assert!(
        header.contains("xen_vm_get_all_where(xen_session *session, struct xen_vm_set **result, char *expr);"),
        "C"
    );
    assert!(!header.contains("get_all_where_async"), "C has no _async form");
    let python = common::generated_file(Lang::Python, &api, "src/xenapi_client/aio.py");
    assert!(python.contains("\"VM.get_all_records_where\""), "Python");
}
