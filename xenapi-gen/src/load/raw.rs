//! The schema as written: one structure per kind of YAML file, with every
//! name and type still a string and every item keeping its place.
//! Resolution into the model happens in [`crate::model`].

use super::read::{node, Cx, Node};
use super::yaml::{Value, YamlPath};

/// Index of a schema file in [`super::Sources`].
pub type FileId = u32;

/// Where an item was written: a file and the path to its node.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Src {
    pub file: FileId,
    pub path: YamlPath,
}

/// A value and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct At<T> {
    pub v: T,
    pub src: Src,
}

/// `api.yaml`: settings for the whole API.
#[derive(Debug, Clone)]
pub struct RawApi {
    pub name: At<String>,
    pub description: Option<At<String>>,
    /// Roles from most to least privileged.
    pub roles: Vec<At<String>>,
}

/// An item of `releases.yaml`.
#[derive(Debug, Clone)]
pub struct RawRelease {
    pub code: At<String>,
    pub label: At<String>,
}

/// An item of `errors.yaml`.
#[derive(Debug, Clone)]
pub struct RawError {
    pub code: At<String>,
    pub params: Vec<At<String>>,
    pub description: Option<At<String>>,
    /// Optional: absent means the code exists in every release.
    pub lifecycle: Vec<At<String>>,
    pub src: Src,
}

/// An entry of a message's `errors:` list: a plain code, or
/// `{code: X, since: R}` for a code a later release added to the message.
#[derive(Debug, Clone)]
pub struct RawErrorEntry {
    pub code: At<String>,
    pub since: Option<At<String>>,
}

/// Who may call: a role name (that role and every more privileged one) or
/// an explicit list of roles.
#[derive(Debug, Clone)]
pub enum RawRoles {
    AtLeast(At<String>),
    Exactly(Vec<At<String>>, Src),
}

/// A `roles:` mapping of a class or field.
#[derive(Debug, Clone, Default)]
pub struct RawAccess {
    pub read: Option<RawRoles>,
    pub write: Option<RawRoles>,
    pub create: Option<RawRoles>,
}

/// Which messages a class gets without writing them.
#[derive(Debug, Clone, Default)]
pub struct RawDerive {
    pub fields: bool,
    pub record: bool,
    pub all: bool,
    pub by_name_label: bool,
    pub create_destroy: bool,
}

#[derive(Debug, Clone)]
pub struct RawClass {
    pub src: Src,
    pub name: At<String>,
    pub description: Option<At<String>>,
    pub lifecycle: Vec<At<String>>,
    pub derive: RawDerive,
    pub async_messages: bool,
    pub access: RawAccess,
    pub enums: Vec<RawEnum>,
    pub fields: Vec<RawField>,
    pub messages: Vec<RawMessage>,
}

#[derive(Debug, Clone)]
pub struct RawEnum {
    pub src: Src,
    pub name: At<String>,
    pub description: Option<At<String>>,
    pub values: Vec<RawEnumValue>,
}

#[derive(Debug, Clone)]
pub struct RawEnumValue {
    pub name: At<String>,
    pub description: Option<At<String>>,
    /// Optional: absent means the value exists in every release.
    pub lifecycle: Vec<At<String>>,
}

#[derive(Debug, Clone)]
pub struct RawField {
    pub src: Src,
    pub name: At<String>,
    pub description: Option<At<String>>,
    pub ty: At<String>,
    pub qualifier: At<String>,
    pub default: Option<At<Value>>,
    pub lifecycle: Vec<At<String>>,
    pub access: RawAccess,
    /// `inverse:` of a ref field: the set field of the class it points at
    /// that lists it back, or `none`.
    pub inverse: Option<At<String>>,
}

#[derive(Debug, Clone)]
pub struct RawParam {
    pub name: At<String>,
    pub ty: At<String>,
    pub description: Option<At<String>>,
    /// The value a call that leaves this parameter out gets.
    pub default: Option<At<Value>>,
    /// Optional: absent means the parameter came with its message.
    pub lifecycle: Vec<At<String>>,
}

#[derive(Debug, Clone)]
pub struct RawMessage {
    pub src: Src,
    pub name: At<String>,
    pub description: Option<At<String>>,
    pub params: Vec<RawParam>,
    pub result: At<String>,
    pub errors: Vec<RawErrorEntry>,
    pub roles: Option<RawRoles>,
    pub lifecycle: Vec<At<String>>,
    /// Callable, but not in the published documentation upstream.
    pub internal: bool,
}

fn opt_string(cx: &mut Cx<'_>, m: &super::read::Map<'_>, key: &str, what: &str) -> Option<At<String>> {
    m.get(key).and_then(|p| cx.string(node(&p), what))
}

/// A required string. When it is missing, of the wrong YAML type or blank,
/// the problem is reported here and an empty string is returned, which the
/// resolver skips rather than reporting again.
fn req_string(cx: &mut Cx<'_>, m: &super::read::Map<'_>, key: &str, what: &str) -> At<String> {
    match m.require(cx, key).and_then(|p| cx.string(node(&p), what)) {
        Some(s) if s.v.trim().is_empty() => {
            cx.problem(&s.src.path, format!("{what} is empty"), None);
            At { v: String::new(), src: s.src }
        }
        Some(s) => s,
        None => At { v: String::new(), src: cx.src(&m.path.key(key)) },
    }
}

fn opt_bool(cx: &mut Cx<'_>, m: &super::read::Map<'_>, key: &str, what: &str) -> bool {
    m.get(key).and_then(|p| cx.boolean(node(&p), what)).unwrap_or(false)
}

/// What to call an item in messages: `KIND `NAME`SUFFIX` when its `key`
/// holds a name, else `fallback` (used before the name is read, so that
/// unknown keys are reported against the named item too).
fn title(n: Node<'_, '_>, key: &str, kind: &str, suffix: &str, fallback: String) -> String {
    let name = match n.value.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(Value::Number(x)) => x.to_string(),
        _ => return fallback,
    };
    format!("{kind} `{name}`{suffix}")
}

/// `description` is required: every item of the API is documented.
fn read_description(cx: &mut Cx<'_>, m: &super::read::Map<'_>, what: &str) -> Option<At<String>> {
    let d = m.require(cx, "description").and_then(|p| cx.string(node(&p), &format!("the description of {what}")));
    if let Some(d) = &d {
        if d.v.trim().is_empty() {
            cx.problem(&d.src.path, format!("the description of {what} is empty"), None);
        }
    }
    d
}

/// The lifecycle list; a missing or empty one is reported here.
fn lifecycle(cx: &mut Cx<'_>, m: &super::read::Map<'_>, what: &str) -> Vec<At<String>> {
    if m.get("lifecycle").is_none() {
        m.require(cx, "lifecycle");
    }
    opt_lifecycle(cx, m, what)
}

/// An optional lifecycle list (enum values, parameters, error codes):
/// absent is no lifecycle, but a present one must not be empty.
fn opt_lifecycle(cx: &mut Cx<'_>, m: &super::read::Map<'_>, what: &str) -> Vec<At<String>> {
    let Some(p) = m.get("lifecycle") else { return Vec::new() };
    let items = cx.strings(node(&p), &format!("the lifecycle of {what}"));
    if matches!(p.0, Value::Sequence(s) if s.is_empty()) {
        cx.problem(
            &p.1,
            format!("the lifecycle of {what} is empty"),
            Some("write at least `[published RELEASE]`".into()),
        );
    }
    items
}

/// A message's `errors:` list: plain codes or `{code, since}` mappings.
fn error_entries(cx: &mut Cx<'_>, m: &super::read::Map<'_>, what: &str) -> Vec<RawErrorEntry> {
    let Some(p) = m.get("errors") else { return Vec::new() };
    let items = cx.seq(node(&p), &format!("the errors of {what}"));
    items
        .iter()
        .filter_map(|it| match it.0 {
            Value::Mapping(_) => {
                let etitle =
                    title(node(it), "code", "error entry", &format!(" of {what}"), format!("an error entry of {what}"));
                let e = cx.map(node(it), &etitle, &["code", "since"])?;
                let code = req_string(cx, &e, "code", "an error code");
                let since = e.get("since").and_then(|p| cx.string(node(&p), &format!("`since` of {etitle}")));
                Some(RawErrorEntry { code, since })
            }
            _ => cx
                .string(node(it), &format!("an item of the errors of {what}"))
                .map(|code| RawErrorEntry { code, since: None }),
        })
        .collect()
}

fn roles(cx: &mut Cx<'_>, n: Node<'_, '_>, what: &str) -> Option<RawRoles> {
    match n.value {
        Value::Sequence(_) => Some(RawRoles::Exactly(cx.strings(n, what), cx.src(n.path))),
        _ => cx.string(n, what).map(RawRoles::AtLeast),
    }
}

fn access(cx: &mut Cx<'_>, m: &super::read::Map<'_>, what: &str, keys: &'static [&'static str]) -> RawAccess {
    let mut a = RawAccess::default();
    let Some(p) = m.get("roles") else { return a };
    let Some(rm) = cx.map(node(&p), &format!("the roles of {what}"), keys) else { return a };
    let one = |cx: &mut Cx<'_>, key: &str| {
        rm.get(key).and_then(|p| roles(cx, node(&p), &format!("the `{key}` roles of {what}")))
    };
    a.read = one(cx, "read");
    a.write = one(cx, "write");
    a.create = one(cx, "create");
    a
}

impl RawApi {
    pub(crate) fn read(cx: &mut Cx<'_>, root: Node<'_, '_>) -> Option<RawApi> {
        let m = cx.map(root, "the API settings file", &["name", "description", "roles"])?;
        let name = req_string(cx, &m, "name", "the API name");
        let description = opt_string(cx, &m, "description", "the API description");
        let roles = match m.require(cx, "roles") {
            Some(p) => {
                if matches!(p.0, Value::Sequence(s) if s.is_empty()) {
                    cx.problem(&p.1, "the API lists no roles", Some("list the roles, most privileged first".into()));
                }
                cx.strings(node(&p), "the roles")
            }
            None => Vec::new(),
        };
        Some(RawApi { name, description, roles })
    }
}

pub(crate) fn read_releases(cx: &mut Cx<'_>, root: Node<'_, '_>) -> Vec<RawRelease> {
    let Some(m) = cx.map(root, "the releases file", &["releases"]) else { return Vec::new() };
    let Some(list) = m.require(cx, "releases") else { return Vec::new() };
    if matches!(list.0, Value::Sequence(s) if s.is_empty()) {
        cx.problem(&list.1, "the releases file lists no releases", Some("list every release, oldest first".into()));
    }
    let items = cx.seq(node(&list), "the releases");
    items
        .iter()
        .filter_map(|it| {
            let r =
                cx.map(node(it), &title(node(it), "code", "release", "", "a release".into()), &["code", "label"])?;
            let code = req_string(cx, &r, "code", "a release code");
            Some(RawRelease { label: req_string(cx, &r, "label", "a release label"), code })
        })
        .collect()
}

/// The errors, or `None` when the file holds no list of errors at all (so
/// that the resolver does not report every error a message names).
pub(crate) fn read_errors(cx: &mut Cx<'_>, root: Node<'_, '_>) -> Option<Vec<RawError>> {
    let m = cx.map(root, "the errors file", &["errors"])?;
    let list = m.require(cx, "errors")?;
    if !matches!(list.0, Value::Sequence(_)) {
        cx.seq(node(&list), "the errors"); // reports the wrong YAML type
        return None;
    }
    let items = cx.seq(node(&list), "the errors");
    let errors = items
        .iter()
        .filter_map(|it| {
            let e = cx.map(
                node(it),
                &title(node(it), "code", "error", "", "an error".into()),
                &["code", "params", "description", "lifecycle"],
            )?;
            let code = req_string(cx, &e, "code", "an error code");
            let what = format!("error `{}`", code.v);
            Some(RawError {
                params: e
                    .get("params")
                    .map(|p| cx.strings(node(&p), &format!("the params of {what}")))
                    .unwrap_or_default(),
                description: read_description(cx, &e, &what),
                lifecycle: opt_lifecycle(cx, &e, &what),
                code,
                src: cx.src(&it.1),
            })
        })
        .collect();
    Some(errors)
}

const CLASS_KEYS: &[&str] =
    &["name", "description", "lifecycle", "derive", "async", "roles", "enums", "fields", "messages"];
const DERIVE_KEYS: &[&str] = &["fields", "record", "all", "by_name_label", "create_destroy"];
const ENUM_KEYS: &[&str] = &["name", "description", "values"];
const VALUE_KEYS: &[&str] = &["name", "description", "lifecycle"];
const FIELD_KEYS: &[&str] = &["name", "description", "type", "qualifier", "default", "lifecycle", "roles", "inverse"];
const MESSAGE_KEYS: &[&str] = &["name", "description", "params", "result", "errors", "roles", "lifecycle", "internal"];
const PARAM_KEYS: &[&str] = &["name", "type", "description", "default", "lifecycle"];

impl RawClass {
    pub(crate) fn read(cx: &mut Cx<'_>, root: Node<'_, '_>) -> Option<RawClass> {
        let m = cx.map(root, &title(root, "name", "class", "", "a class".into()), CLASS_KEYS)?;
        let name = req_string(cx, &m, "name", "the class name");
        let what = format!("class `{}`", name.v);
        let description = read_description(cx, &m, &what);
        let lifecycle = lifecycle(cx, &m, &what);
        let mut derive = RawDerive::default();
        if let Some(p) = m.get("derive") {
            if let Some(d) = cx.map(node(&p), &format!("the `derive` settings of {what}"), DERIVE_KEYS) {
                let w = format!("a `derive` setting of {what}");
                derive.fields = opt_bool(cx, &d, "fields", &w);
                derive.record = opt_bool(cx, &d, "record", &w);
                derive.all = opt_bool(cx, &d, "all", &w);
                derive.by_name_label = opt_bool(cx, &d, "by_name_label", &w);
                derive.create_destroy = opt_bool(cx, &d, "create_destroy", &w);
            }
        }
        let async_messages = match m.get("async") {
            Some(p) => cx.boolean(node(&p), &format!("`async` of {what}")).unwrap_or(true),
            None => true,
        };
        let access = access(cx, &m, &what, &["read", "write", "create"]);
        let list = |cx: &mut Cx<'_>, key: &str| -> Vec<(&Value, YamlPath)> {
            m.get(key).map(|p| cx.seq(node(&p), &format!("the {key} of {what}"))).unwrap_or_default()
        };
        let enums = list(cx, "enums").iter().filter_map(|it| RawEnum::read(cx, node(it))).collect();
        let fields = list(cx, "fields").iter().filter_map(|it| RawField::read(cx, node(it), &what)).collect();
        let messages = list(cx, "messages").iter().filter_map(|it| RawMessage::read(cx, node(it), &what)).collect();
        Some(RawClass {
            src: cx.src(root.path),
            name,
            description,
            lifecycle,
            derive,
            async_messages,
            access,
            enums,
            fields,
            messages,
        })
    }
}

impl RawEnum {
    fn read(cx: &mut Cx<'_>, n: Node<'_, '_>) -> Option<RawEnum> {
        let m = cx.map(n, &title(n, "name", "enum", "", "an enum".into()), ENUM_KEYS)?;
        let name = req_string(cx, &m, "name", "an enum name");
        let what = format!("enum `{}`", name.v);
        let description = read_description(cx, &m, &what);
        let values = match m.require(cx, "values") {
            Some(p) => {
                if matches!(p.0, Value::Sequence(s) if s.is_empty()) {
                    cx.problem(&p.1, format!("{what} has no values"), None);
                }
                let items = cx.seq(node(&p), &format!("the values of {what}"));
                items
                    .iter()
                    .filter_map(|it| {
                        let vtitle =
                            title(node(it), "name", "value", &format!(" of {what}"), format!("a value of {what}"));
                        let v = cx.map(node(it), &vtitle, VALUE_KEYS)?;
                        let name = req_string(cx, &v, "name", "an enum value");
                        let vwhat = format!("value `{}` of {what}", name.v);
                        let d = read_description(cx, &v, &vwhat);
                        let lifecycle = opt_lifecycle(cx, &v, &vwhat);
                        Some(RawEnumValue { name, description: d, lifecycle })
                    })
                    .collect()
            }
            None => Vec::new(),
        };
        Some(RawEnum { src: cx.src(n.path), name, description, values })
    }
}

impl RawField {
    fn read(cx: &mut Cx<'_>, n: Node<'_, '_>, class: &str) -> Option<RawField> {
        let m =
            cx.map(n, &title(n, "name", "field", &format!(" of {class}"), format!("a field of {class}")), FIELD_KEYS)?;
        let name = req_string(cx, &m, "name", "a field name");
        let what = format!("field `{}` of {class}", name.v);
        let description = read_description(cx, &m, &what);
        let ty = req_string(cx, &m, "type", &format!("the type of {what}"));
        let qualifier = req_string(cx, &m, "qualifier", &format!("the qualifier of {what}"));
        let default = m.get("default").map(|(v, p)| At { v: v.clone(), src: cx.src(&p) });
        let lifecycle = lifecycle(cx, &m, &what);
        let access = access(cx, &m, &what, &["read", "write"]);
        let inverse = opt_string(cx, &m, "inverse", &format!("the inverse of {what}"));
        Some(RawField { src: cx.src(n.path), name, description, ty, qualifier, default, lifecycle, access, inverse })
    }
}

impl RawMessage {
    fn read(cx: &mut Cx<'_>, n: Node<'_, '_>, class: &str) -> Option<RawMessage> {
        let m = cx.map(
            n,
            &title(n, "name", "message", &format!(" of {class}"), format!("a message of {class}")),
            MESSAGE_KEYS,
        )?;
        let name = req_string(cx, &m, "name", "a message name");
        let what = format!("message `{}` of {class}", name.v);
        let description = read_description(cx, &m, &what);
        let params = match m.get("params") {
            Some(p) => {
                let items = cx.seq(node(&p), &format!("the params of {what}"));
                items
                    .iter()
                    .filter_map(|it| {
                        let ptitle =
                            title(node(it), "name", "param", &format!(" of {what}"), format!("a param of {what}"));
                        let pm = cx.map(node(it), &ptitle, PARAM_KEYS)?;
                        let name = req_string(cx, &pm, "name", "a param name");
                        let ty = req_string(cx, &pm, "type", &format!("the type of param `{}`", name.v));
                        let description = opt_string(cx, &pm, "description", "a param description");
                        let default = pm.get("default").map(|(v, p)| At { v: v.clone(), src: cx.src(&p) });
                        let lifecycle = opt_lifecycle(cx, &pm, &format!("param `{}` of {what}", name.v));
                        Some(RawParam { name, ty, description, default, lifecycle })
                    })
                    .collect()
            }
            None => Vec::new(),
        };
        let result = req_string(cx, &m, "result", &format!("the result of {what}"));
        let errors = error_entries(cx, &m, &what);
        let roles = match m.require(cx, "roles") {
            Some(p) => roles(cx, node(&p), &format!("the roles of {what}")),
            None => None,
        };
        let lifecycle = lifecycle(cx, &m, &what);
        let internal = opt_bool(cx, &m, "internal", &format!("`internal` of {what}"));
        Some(RawMessage { src: cx.src(n.path), name, description, params, result, errors, roles, lifecycle, internal })
    }
}
