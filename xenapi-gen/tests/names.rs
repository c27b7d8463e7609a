//! Names decided by `names` never collide within the scope they share, for
//! the whole schema: two API items never become one identifier.

use std::collections::BTreeMap;
use std::path::Path;
use xenapi_gen::names::{python as py, rust as rs};

fn api() -> xenapi_gen::model::Api {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    xenapi_gen::load_schema(&root.join("schema")).unwrap_or_else(|d| panic!("{d}"))
}

/// Fails listing every name that two different API items map to.
fn unique<'a>(scope: &str, items: impl IntoIterator<Item = (String, &'a str)>, out: &mut Vec<String>) {
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for (name, api_name) in items {
        if let Some(other) = seen.insert(name.clone(), api_name) {
            if other != api_name {
                out.push(format!("{scope}: `{other}` and `{api_name}` both become `{name}`"));
            }
        }
    }
}

#[test]
fn generated_names_never_collide() {
    let api = api();
    let mut out = Vec::new();
    // Crate-root (Rust) and module-level (Python) type names share one scope.
    let mut rust_root = Vec::new();
    let mut py_types = Vec::new();
    for c in &api.classes {
        for n in [rs::type_name(&c.name), rs::ref_type(&c.name), rs::record_type(&c.name), rs::client_type(&c.name), rs::server_trait(&c.name)] {
            rust_root.push((n, c.name.as_str()));
        }
        for n in [py::ref_type(&c.name), py::record_type(&c.name), py::api_class(&c.name)] {
            py_types.push((n, c.name.as_str()));
        }
        for e in &c.enums {
            rust_root.push((rs::enum_type(&e.name), e.name.as_str()));
            py_types.push((py::enum_type(&e.name), e.name.as_str()));
            unique(&format!("rust enum {}", e.name), e.values.iter().map(|v| (rs::variant(&v.name), v.name.as_str())), &mut out);
            unique(&format!("python enum {}", e.name), e.values.iter().map(|v| (py::enum_member(&v.name), v.name.as_str())), &mut out);
        }
        unique(&format!("rust fields of {}", c.name), c.fields.iter().map(|f| (rs::ident(&f.name), f.name.as_str())), &mut out);
        unique(&format!("python fields of {}", c.name), c.fields.iter().map(|f| (py::ident(&f.name), f.name.as_str())), &mut out);
        let rust_methods = c.messages.iter().flat_map(|m| {
            let mut v = vec![(rs::ident(&m.name), m.name.as_str())];
            if m.has_async {
                v.push((rs::async_method(&m.name), m.name.as_str()));
            }
            v
        });
        unique(&format!("rust methods of {}", c.name), rust_methods, &mut out);
        let py_methods = c.messages.iter().flat_map(|m| {
            let mut v = vec![(py::ident(&m.name), m.name.as_str())];
            if m.has_async {
                v.push((py::async_method(&m.name), m.name.as_str()));
            }
            v
        });
        unique(&format!("python methods of {}", c.name), py_methods, &mut out);
        for m in &c.messages {
            unique(&format!("rust params of {}.{}", c.name, m.name), m.params.iter().map(|p| (rs::ident(&p.name), p.name.as_str())), &mut out);
            unique(&format!("python params of {}.{}", c.name, m.name), m.params.iter().map(|p| (py::ident(&p.name), p.name.as_str())), &mut out);
        }
    }
    unique("rust crate root", rust_root.iter().map(|(n, a)| (n.clone(), *a)), &mut out);
    unique("python types", py_types.iter().map(|(n, a)| (n.clone(), *a)), &mut out);
    unique("rust error variants", api.errors.iter().map(|e| (rs::variant(&e.code), e.code.as_str())), &mut out);
    unique("python error classes", api.errors.iter().map(|e| (py::error_class(&e.code), e.code.as_str())), &mut out);
    unique("rust modules", api.classes.iter().map(|c| (rs::module(&c.name), c.name.as_str())), &mut out);
    unique("python session attributes", api.classes.iter().map(|c| (py::ident(&c.name), c.name.as_str())), &mut out);
    assert!(out.is_empty(), "{} collisions:\n{}", out.len(), out.join("\n"));
}
