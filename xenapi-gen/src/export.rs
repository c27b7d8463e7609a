//! The model as a JSON export in the shape of xapi's `doc/data/xenapi.json`
//! (classes with fields, enums and every message, explicit and derived),
//! and the errors and releases lists beside it. Used to compare a schema
//! with upstream, and by `import-json` round trips. The two keys xapi's
//! export lacks (`since` on a parameter, `internal` on a message) are the
//! optional ones of [`crate::upstream::facts`] and only appear when set.

use crate::model::{Api, Lifecycle, Param};
use serde_json::{json, Value};

fn lifecycle(l: &Lifecycle) -> Value {
    json!({
        "state": l.state().export_name(),
        "transitions": l.transitions.iter().map(|t| json!({"transition": t.kind.as_str(), "release": t.release})).collect::<Vec<_>>(),
    })
}

/// `{name, type}`, plus `since` (the release that added it, as in
/// [`crate::upstream::facts::Param`]) for a parameter a later release added.
fn param(p: &Param) -> Value {
    let mut v = json!({"name": p.name, "type": p.ty.to_string()});
    if let Some(t) = p.lifecycle.introduced() {
        v["since"] = json!(t.release);
    }
    v
}

/// `{"classes": [...]}` with every message, explicit and derived; an
/// internal message carries `"internal": true` (xapi's own export leaves
/// such messages out). Enum values, error codes and the error entries of
/// messages are those of the API given: export [`Api::at_release`] to see
/// them as of a release.
pub fn model_json(api: &Api) -> Value {
    let classes: Vec<Value> = api
        .classes
        .iter()
        .map(|c| {
            json!({
                "name": c.name,
                "lifecycle": lifecycle(&c.lifecycle),
                "enums": c.enums.iter().map(|e| json!({
                    "name": e.name,
                    "values": e.values.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
                "fields": c.fields.iter().map(|f| {
                    let mut v = json!({
                        "name": f.name,
                        "type": f.ty.to_string(),
                        "qualifier": f.qualifier.as_str(),
                        "lifecycle": lifecycle(&f.lifecycle),
                    });
                    if let Some(d) = &f.default {
                        v["default"] = json!(d.to_notation());
                    }
                    v
                }).collect::<Vec<_>>(),
                "messages": c.messages.iter().map(|m| {
                    let mut v = json!({
                        "name": m.name,
                        "result": m.result.to_string(),
                        "params": m.params.iter().map(param).collect::<Vec<_>>(),
                        "errors": api.error_codes(&m.errors).collect::<Vec<_>>(),
                        "roles": api.role_names(m.roles),
                        "implicit": m.is_derived(),
                        "lifecycle": lifecycle(&m.lifecycle),
                    });
                    if m.internal {
                        v["internal"] = json!(true);
                    }
                    v
                }).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({ "classes": classes })
}

/// `{"errors": [{code, params}]}`
pub fn errors_json(api: &Api) -> Value {
    json!({ "errors": api.errors.iter().map(|e| json!({"code": e.code, "params": e.params})).collect::<Vec<_>>() })
}

/// `{"releases": [{code, label}]}`
pub fn releases_json(api: &Api) -> Value {
    json!({ "releases": api.releases.iter().map(|r| json!({"code": r.code, "label": r.label})).collect::<Vec<_>>() })
}
