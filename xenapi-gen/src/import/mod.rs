//! `import-json`: turns a model export in the shape of xapi's
//! `doc/data/xenapi.json` into schema YAML, so that a schema can follow
//! upstream. Descriptions already written in the output directory are
//! kept; items without one get a plain placeholder to be rewritten.

mod export;
pub(crate) mod yaml_out;

pub use export::{ExportClass, ExportError, ExportErrors, ExportModel, ExportRelease, ExportReleases};

use crate::load::raw::At;
use crate::model::{Literal, Type};
use export::*;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::Path;
use yaml_out::{flow_list, literal, scalar};

/// Roles, most privileged first, inferred from how often each is granted.
fn infer_roles(model: &ExportModel) -> Vec<String> {
    let mut count: HashMap<&str, (usize, usize)> = HashMap::new();
    let mut order = 0;
    for c in &model.classes {
        for m in &c.messages {
            for r in &m.roles {
                let e = count.entry(r).or_insert_with(|| {
                    order += 1;
                    (0, order)
                });
                e.0 += 1;
            }
        }
    }
    let mut roles: Vec<_> = count.into_iter().collect();
    roles.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.1 .1.cmp(&b.1 .1)));
    roles.into_iter().map(|(r, _)| r.to_string()).collect()
}

/// `roles` as YAML: a role name when the list is "this role and every more
/// privileged one", the list itself otherwise.
fn roles_yaml(list: &[String], all: &[String]) -> String {
    if !list.is_empty() && all.starts_with(list) {
        scalar(&list[list.len() - 1])
    } else {
        flow_list(list)
    }
}

fn lifecycle_yaml(l: &ExportLifecycle) -> String {
    let items: Vec<String> = l.transitions.iter().map(|t| format!("{} {}", t.transition, t.release)).collect();
    flow_list(&items)
}

/// Descriptions already written, keyed by item, so re-importing keeps them.
#[derive(Default)]
pub struct KeptDescriptions(HashMap<String, String>);

impl KeptDescriptions {
    /// Reads descriptions from an existing schema directory, if any.
    pub fn from_dir(dir: &Path) -> Self {
        let (raw, _) = crate::load::load_dir(dir);
        let mut kept = HashMap::new();
        let mut keep = |k: String, d: &Option<At<String>>| {
            if let Some(d) = d {
                kept.insert(k, d.v.clone());
            }
        };
        if let Some(api) = &raw.api {
            keep("api".into(), &api.description);
        }
        // The export carries no lifecycles of error codes and enum values
        // and no `since` of error entries: keep the schema's.
        let lifecycle = |items: &[At<String>]| {
            (!items.is_empty()).then(|| At {
                v: flow_list(&items.iter().map(|i| i.v.as_str()).collect::<Vec<_>>()),
                src: items[0].src.clone(),
            })
        };
        for e in &raw.errors {
            keep(format!("error {}", e.code.v), &e.description);
            keep(format!("lifecycle error {}", e.code.v), &lifecycle(&e.lifecycle));
        }
        for c in &raw.classes {
            let cn = &c.name.v;
            keep(format!("class {cn}"), &c.description);
            for e in &c.enums {
                keep(format!("enum {}", e.name.v), &e.description);
                for v in &e.values {
                    keep(format!("enum {} {}", e.name.v, v.name.v), &v.description);
                    keep(format!("lifecycle enum {} {}", e.name.v, v.name.v), &lifecycle(&v.lifecycle));
                }
            }
            for f in &c.fields {
                keep(format!("field {cn} {}", f.name.v), &f.description);
                // The export carries no relations: keep the declared ones.
                keep(format!("inverse {cn} {}", f.name.v), &f.inverse);
            }
            for m in &c.messages {
                keep(format!("message {cn} {}", m.name.v), &m.description);
                for e in &m.errors {
                    keep(format!("since {cn} {} {}", m.name.v, e.code.v), &e.since);
                }
                for p in &m.params {
                    keep(format!("param {cn} {} {}", m.name.v, p.name.v), &p.description);
                    // The export carries no parameter defaults: keep the
                    // schema's.
                    let d = p.default.as_ref().map(|d| At { v: yaml_out::flow_value(&d.v), src: d.src.clone() });
                    keep(format!("default {cn} {} {}", m.name.v, p.name.v), &d);
                }
            }
        }
        KeptDescriptions(kept)
    }

    fn get(&self, key: &str, placeholder: impl FnOnce() -> String) -> String {
        self.0.get(key).cloned().unwrap_or_else(placeholder)
    }

    fn param(&self, key: &str) -> Option<&String> {
        self.0.get(key)
    }
}

/// Everything `import-json` writes: (path relative to the schema dir, text).
pub fn convert(
    model: &ExportModel,
    errors: &[ExportError],
    releases: &[ExportRelease],
    kept: &KeptDescriptions,
) -> Result<Vec<(String, String)>, String> {
    let roles = infer_roles(model);
    let mut files = Vec::new();

    let mut api = String::new();
    writeln!(api, "name: XenAPI").unwrap();
    let d = kept.get("api", || "The Xen Management API: pools, hosts, virtual machines, storage and networks.".into());
    writeln!(api, "description: {}", scalar(&d)).unwrap();
    writeln!(api, "# Most privileged first: a role name elsewhere means that role and every one above it.").unwrap();
    writeln!(api, "roles: {}", flow_list(&roles)).unwrap();
    files.push(("api.yaml".to_string(), api));

    let mut rel = String::from("# Every release of the API, oldest first.\nreleases:\n");
    for r in releases {
        writeln!(rel, "  - {{code: {}, label: {}}}", scalar(&r.code), scalar(&r.label)).unwrap();
    }
    files.push(("releases.yaml".to_string(), rel));

    let mut err = String::from("# Every error code a server may return, with its parameters in order.\nerrors:\n");
    for e in errors {
        writeln!(err, "  - code: {}", scalar(&e.code)).unwrap();
        if !e.params.is_empty() {
            writeln!(err, "    params: {}", flow_list(&e.params)).unwrap();
        }
        let d = kept.get(&format!("error {}", e.code), || placeholder_error(&e.code));
        writeln!(err, "    description: {}", scalar(&d)).unwrap();
        if let Some(l) = kept.param(&format!("lifecycle error {}", e.code)) {
            writeln!(err, "    lifecycle: {l}").unwrap();
        }
    }
    files.push(("errors.yaml".to_string(), err));

    let enum_values: HashMap<&str, Vec<&str>> = model
        .classes
        .iter()
        .flat_map(|c| c.enums.iter())
        .map(|e| (e.name.as_str(), e.values.iter().map(String::as_str).collect()))
        .collect();
    for c in &model.classes {
        files.push((format!("classes/{}.yaml", c.name), class_yaml(c, &roles, &enum_values, kept)?));
    }
    Ok(files)
}

fn placeholder_error(code: &str) -> String {
    format!("The server reported {}.", code.to_ascii_lowercase().replace('_', " "))
}

fn most_common(lists: impl Iterator<Item = Vec<String>>) -> Option<Vec<String>> {
    let mut counts: BTreeMap<Vec<String>, usize> = BTreeMap::new();
    for l in lists {
        *counts.entry(l).or_default() += 1;
    }
    counts.into_iter().max_by_key(|(_, n)| *n).map(|(l, _)| l)
}

fn class_yaml(
    c: &ExportClass,
    roles: &[String],
    enum_values: &HashMap<&str, Vec<&str>>,
    kept: &KeptDescriptions,
) -> Result<String, String> {
    let implicit: HashMap<&str, &ExportMessage> =
        c.messages.iter().filter(|m| m.implicit).map(|m| (m.name.as_str(), m)).collect();
    let has = |n: &str| implicit.contains_key(n);
    let derive_fields = c.fields.iter().any(|f| has(&format!("get_{}", f.name)));
    let getter_roles = |f: &ExportField| implicit.get(format!("get_{}", f.name).as_str()).map(|m| m.roles.clone());
    let setter_roles = |f: &ExportField| implicit.get(format!("set_{}", f.name).as_str()).map(|m| m.roles.clone());

    let read = implicit
        .get("get_record")
        .map(|m| m.roles.clone())
        .or_else(|| most_common(c.fields.iter().filter_map(getter_roles)))
        .unwrap_or_else(|| roles.to_vec());
    let write = most_common(c.fields.iter().filter_map(setter_roles))
        .or_else(|| implicit.get("create").map(|m| m.roles.clone()))
        .unwrap_or_else(|| roles.to_vec());
    let create = implicit.get("create").map(|m| m.roles.clone()).unwrap_or_else(|| write.clone());

    let mut y = String::new();
    let cn = &c.name;
    writeln!(y, "name: {}", scalar(cn)).unwrap();
    let d = kept.get(&format!("class {cn}"), || format!("Objects of class {cn}."));
    writeln!(y, "description: {}", scalar(&d)).unwrap();
    writeln!(y, "lifecycle: {}", lifecycle_yaml(&c.lifecycle)).unwrap();
    let derive: Vec<String> = [
        ("fields", derive_fields),
        ("record", has("get_record")),
        ("all", has("get_all")),
        ("by_name_label", has("get_by_name_label")),
        ("create_destroy", has("create")),
    ]
    .iter()
    .filter(|(_, on)| *on)
    .map(|(k, _)| format!("{k}: true"))
    .collect();
    if !derive.is_empty() {
        writeln!(y, "derive: {{{}}}", derive.join(", ")).unwrap();
    }
    if cn == "session" || cn == "task" {
        writeln!(y, "async: false").unwrap();
    }
    let mut access = Vec::new();
    if read != roles {
        access.push(format!("read: {}", roles_yaml(&read, roles)));
    }
    if write != roles {
        access.push(format!("write: {}", roles_yaml(&write, roles)));
    }
    if create != write {
        access.push(format!("create: {}", roles_yaml(&create, roles)));
    }
    if !access.is_empty() {
        writeln!(y, "roles: {{{}}}", access.join(", ")).unwrap();
    }

    if !c.enums.is_empty() {
        writeln!(y, "enums:").unwrap();
        for e in &c.enums {
            writeln!(y, "  - name: {}", scalar(&e.name)).unwrap();
            let d = kept.get(&format!("enum {}", e.name), || format!("Values of {}.", e.name.replace('_', " ")));
            writeln!(y, "    description: {}", scalar(&d)).unwrap();
            writeln!(y, "    values:").unwrap();
            for v in &e.values {
                let d = kept.get(&format!("enum {} {v}", e.name), || format!("The value {v}."));
                let l = kept
                    .param(&format!("lifecycle enum {} {v}", e.name))
                    .map(|l| format!(", lifecycle: {l}"))
                    .unwrap_or_default();
                writeln!(y, "      - {{name: {}, description: {}{l}}}", scalar(v), scalar(&d)).unwrap();
            }
        }
    }

    if !c.fields.is_empty() {
        writeln!(y, "fields:").unwrap();
    }
    for f in &c.fields {
        let ty = Type::parse(&f.ty).map_err(|e| format!("class {cn}, field {}: {e}", f.name))?;
        writeln!(y, "  - name: {}", scalar(&f.name)).unwrap();
        let d =
            kept.get(&format!("field {cn} {}", f.name), || format!("The {} of this {cn}.", f.name.replace('_', " ")));
        writeln!(y, "    description: {}", scalar(&d)).unwrap();
        writeln!(y, "    type: {}", scalar(&f.ty)).unwrap();
        writeln!(y, "    qualifier: {}", scalar(&f.qualifier)).unwrap();
        if let Some(inverse) = kept.param(&format!("inverse {cn} {}", f.name)) {
            writeln!(y, "    inverse: {}", scalar(inverse)).unwrap();
        }
        if let Some(d) = &f.default {
            let l = parse_notation(d, &ty, enum_values)
                .map_err(|e| format!("class {cn}, field {}: default {d:?}: {e}", f.name))?;
            writeln!(y, "    default: {}", literal(&l)).unwrap();
        }
        writeln!(y, "    lifecycle: {}", lifecycle_yaml(&f.lifecycle)).unwrap();
        let mut access = Vec::new();
        if let Some(r) = getter_roles(f) {
            if r != read {
                access.push(format!("read: {}", roles_yaml(&r, roles)));
            }
        }
        if let Some(w) = setter_roles(f) {
            if w != write {
                access.push(format!("write: {}", roles_yaml(&w, roles)));
            }
        }
        if !access.is_empty() {
            writeln!(y, "    roles: {{{}}}", access.join(", ")).unwrap();
        }
    }

    let explicit: Vec<&ExportMessage> = c.messages.iter().filter(|m| !m.implicit).collect();
    if !explicit.is_empty() {
        writeln!(y, "messages:").unwrap();
    }
    for m in explicit {
        writeln!(y, "  - name: {}", scalar(&m.name)).unwrap();
        let d = kept.get(&format!("message {cn} {}", m.name), || {
            format!("The {} operation on {cn}.", m.name.replace('_', " "))
        });
        writeln!(y, "    description: {}", scalar(&d)).unwrap();
        if !m.params.is_empty() {
            writeln!(y, "    params:").unwrap();
            for p in &m.params {
                let mut dflt = kept
                    .param(&format!("default {cn} {} {}", m.name, p.name))
                    .map(|d| format!(", default: {d}"))
                    .unwrap_or_default();
                if let Some(r) = &p.since {
                    dflt.push_str(&format!(", lifecycle: [{}]", scalar(&format!("published {r}"))));
                }
                match kept.param(&format!("param {cn} {} {}", m.name, p.name)) {
                    Some(d) => writeln!(
                        y,
                        "      - {{name: {}, type: {}, description: {}{dflt}}}",
                        scalar(&p.name),
                        scalar(&p.ty),
                        scalar(d)
                    ),
                    None => writeln!(y, "      - {{name: {}, type: {}{dflt}}}", scalar(&p.name), scalar(&p.ty)),
                }
                .unwrap();
            }
        }
        writeln!(y, "    result: {}", scalar(&m.result)).unwrap();
        if !m.errors.is_empty() {
            let entries: Vec<String> = m
                .errors
                .iter()
                .map(|e| match kept.param(&format!("since {cn} {} {e}", m.name)) {
                    Some(r) => format!("{{code: {}, since: {}}}", scalar(e), scalar(r)),
                    None => scalar(e),
                })
                .collect();
            writeln!(y, "    errors: [{}]", entries.join(", ")).unwrap();
        }
        if m.internal {
            writeln!(y, "    internal: true").unwrap();
        }
        writeln!(y, "    roles: {}", roles_yaml(&m.roles, roles)).unwrap();
        writeln!(y, "    lifecycle: {}", lifecycle_yaml(&m.lifecycle)).unwrap();
    }
    Ok(y)
}

/// Parses a default in the API's notation (`"text"`, `1.`, `{a, b}`,
/// `{"k" -> "v"}`) against its type.
pub fn parse_notation(s: &str, ty: &Type, enums: &HashMap<&str, Vec<&str>>) -> Result<Literal, String> {
    let s = s.trim();
    match ty {
        Type::String => s
            .strip_prefix('"')
            .and_then(|x| x.strip_suffix('"'))
            .map(|x| Literal::String(x.to_string()))
            .ok_or_else(|| "a string default must be quoted".to_string()),
        Type::Int => s.parse().map(Literal::Int).map_err(|e| e.to_string()),
        Type::Float => s.parse().map(Literal::Float).map_err(|e| e.to_string()),
        Type::Bool => s.parse().map(Literal::Bool).map_err(|e| e.to_string()),
        Type::DateTime => Ok(Literal::DateTime(s.to_string())),
        Type::Enum(e) => match enums.get(e.as_str()) {
            Some(v) if v.contains(&s) => Ok(Literal::Enum(s.to_string())),
            _ => Err(format!("`{s}` is not a value of enum {e}")),
        },
        Type::Ref(_) => Ok(Literal::Ref(s.to_string())),
        Type::Option(t) => parse_notation(s, t, enums),
        Type::Set(t) => {
            let body = braces(s)?;
            split_top(body).into_iter().map(|i| parse_notation(i, t, enums)).collect::<Result<_, _>>().map(Literal::Set)
        }
        Type::Map(k, v) => {
            let body = braces(s)?;
            split_top(body)
                .into_iter()
                .map(|pair| {
                    let (a, b) = pair.split_once(" -> ").ok_or_else(|| format!("`{pair}` is not `KEY -> VALUE`"))?;
                    Ok((parse_notation(a, k, enums)?, parse_notation(b, v, enums)?))
                })
                .collect::<Result<_, String>>()
                .map(Literal::Map)
        }
        other => Err(format!("type `{other}` has no default")),
    }
}

fn braces(s: &str) -> Result<&str, String> {
    s.strip_prefix('{')
        .and_then(|x| x.strip_suffix('}'))
        .map(str::trim)
        .ok_or_else(|| format!("`{s}` is not in braces"))
}

/// Splits on `, ` outside quotes and braces.
fn split_top(body: &str) -> Vec<&str> {
    if body.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let (mut depth, mut quoted, mut start) = (0i32, false, 0);
    let b = body.as_bytes();
    for i in 0..b.len() {
        match b[i] {
            b'"' => quoted = !quoted,
            b'{' | b'(' if !quoted => depth += 1,
            b'}' | b')' if !quoted => depth -= 1,
            b',' if !quoted && depth == 0 => {
                out.push(body[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(body[start..].trim());
    out
}

/// Reads an export, and optionally the errors and releases lists, and
/// returns the files to write. Where errors or releases are not given, the
/// ones already in `out` are kept.
pub fn import_files(
    model_json: &Path,
    errors_json: Option<&Path>,
    releases_json: Option<&Path>,
    out: &Path,
) -> Result<Vec<(String, String)>, String> {
    fn read<T: serde::de::DeserializeOwned>(p: &Path) -> Result<T, String> {
        let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))
    }
    let model: ExportModel = read(model_json)?;
    let (existing, _) = crate::load::load_dir(out);
    let errors = match errors_json {
        Some(p) => read::<ExportErrors>(p)?.errors,
        None => existing
            .errors
            .iter()
            .map(|e| ExportError {
                code: e.code.v.clone(),
                params: e.params.iter().map(|p| p.v.clone()).collect(),
                origin: None,
            })
            .collect(),
    };
    let releases = match releases_json {
        Some(p) => read::<ExportReleases>(p)?.releases,
        None => existing
            .releases
            .iter()
            .map(|r| ExportRelease { code: r.code.v.clone(), label: r.label.v.clone() })
            .collect(),
    };
    if releases.is_empty() {
        return Err("no releases: pass --releases FILE (the output directory has no releases.yaml yet)".into());
    }
    convert(&model, &errors, &releases, &KeptDescriptions::from_dir(out))
}
