//! `xenapi-gen upstream-check`: reads upstream's data model, compares it
//! with the schema and words the differences so that a maintainer can act
//! on each: what differs, where upstream defines it, where the schema has
//! it (or the file it belongs in), and for an item the schema lacks, the
//! YAML keys to add (descriptions left for a human to write).

use super::compare::{self, Difference, Item, Kind, Options, Side};
use super::facts::{Class, Enum, Facts, Field, Lifecycle, Message, Origin};
use super::schema_facts::{self, ItemRef};
use crate::import::parse_notation;
use crate::import::yaml_out::{flow_list, literal, scalar};
use crate::model::{Api, Type};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

/// Why the check could not run: either side unreadable (exit status 2).
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("cannot read upstream's data model in {dir}: {why}")]
    Upstream { dir: String, why: String },
    #[error("the schema does not load:\n{0}")]
    Schema(crate::diag::Diagnostics),
    #[error("the schema has no release `{0}`")]
    UnknownRelease(String),
    #[error("--classes names classes neither side has: {0}")]
    UnknownClasses(String),
    #[error("{0}")]
    Export(#[from] schema_facts::ExportMismatch),
}

/// What a check found.
#[derive(Debug)]
pub struct Outcome {
    pub differences: Vec<Difference>,
    /// Upstream items the reader could not read (file:line and why).
    pub unread: Vec<String>,
    /// The whole report: differences by class, the summary line, what is not compared.
    pub report: String,
}

/// Reads upstream's data model from a checkout of xen-api with the reader
/// of xapi's sources; what it could not read comes back as text.
fn read_checkout(dir: &Path) -> Result<(Facts, Vec<String>), String> {
    crate::upstream::read::read(dir)
        .map(|r| (r.facts, r.unread.iter().map(|u| u.to_string()).collect()))
        .map_err(|e| e.to_string())
}

/// Reads a [`Facts`] JSON file.
pub fn read_facts_file(path: &Path) -> Result<Facts, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}:{}: {e}", path.display(), e.line()))
}

/// Reads upstream's data model, with what could not be read: from a
/// checkout of xen-api, or from a file of [`Facts`] JSON (facts read once
/// and kept, or made by hand for a test).
pub fn read_upstream(source: &Path) -> Result<(Facts, Vec<String>), CheckError> {
    let read = if source.is_file() { read_facts_file(source).map(|f| (f, Vec::new())) } else { read_checkout(source) };
    read.map_err(|why| CheckError::Upstream { dir: source.display().to_string(), why })
}

/// What to check: the schema, the release to project it at, and the
/// classes to compare (all when empty; errors and releases are always
/// compared whole).
#[derive(Debug, Clone, Default)]
pub struct Scope<'a> {
    pub release: Option<&'a str>,
    pub classes: &'a [String],
}

/// Runs the check of `schema_dir` against the data model in `upstream_dir`.
pub fn run(upstream_dir: &Path, schema_dir: &Path, scope: &Scope<'_>) -> Result<Outcome, CheckError> {
    let (mut upstream, unread) = read_upstream(upstream_dir)?;
    let api = crate::load_schema(schema_dir).map_err(CheckError::Schema)?;
    let api = match scope.release {
        Some(r) => api.at_release(r).ok_or_else(|| CheckError::UnknownRelease(r.to_string()))?,
        None => api,
    };
    if !scope.classes.is_empty() {
        let known = |c: &String| api.class(c).is_some() || upstream.classes.iter().any(|u| &u.name == c);
        let unknown: Vec<&str> = scope.classes.iter().filter(|c| !known(c)).map(String::as_str).collect();
        if !unknown.is_empty() {
            return Err(CheckError::UnknownClasses(unknown.join(", ")));
        }
        upstream.classes.retain(|c| scope.classes.contains(&c.name));
    }
    check(&upstream, &unread, &api, schema_dir, scope.classes)
}

/// Compares loaded facts with a loaded schema and words the outcome; with
/// `classes`, only those classes of the schema take part (the upstream
/// facts are taken as given).
pub fn check(
    upstream: &Facts,
    unread: &[String],
    api: &Api,
    schema_dir: &Path,
    classes: &[String],
) -> Result<Outcome, CheckError> {
    let mut settled = upstream.clone();
    super::settle::settle(&mut settled, api);
    let upstream = &settled;
    let mut ours = schema_facts::schema_facts(api)?;
    if !classes.is_empty() {
        ours.classes.retain(|c| classes.contains(&c.name));
    }
    let mut opts = Options::for_upstream(upstream);
    // Upstream's numbered releases are those its items name; read for some
    // classes only, it lacks the rest.
    opts.every_release = classes.is_empty();
    let differences = compare::compare(upstream, &ours, opts);
    let report = Report { upstream, api, schema_dir }.render(&differences, unread);
    Ok(Outcome { differences, unread: unread.to_vec(), report })
}

impl Outcome {
    /// Whether the schema agrees with all of upstream: no difference, and
    /// nothing upstream left unread (which could hide one).
    pub fn agrees(&self) -> bool {
        self.differences.is_empty() && self.unread.is_empty()
    }
}

struct Report<'a> {
    upstream: &'a Facts,
    api: &'a Api,
    schema_dir: &'a Path,
}

/// `upstream: FILE:LINE; ` when upstream's facts say where the item is.
fn origin_text(o: &Option<Origin>) -> String {
    o.as_ref().map_or_else(String::new, |o| format!("upstream: {}:{}; ", o.file, o.line))
}

impl Report<'_> {
    fn render(&self, diffs: &[Difference], unread: &[String]) -> String {
        let mut out = String::new();
        let mut current = String::new();
        for d in diffs {
            let title = match (&d.class, &d.item) {
                (Some(c), _) => format!("class {c}"),
                (None, Item::Error(_)) => "errors".into(),
                _ => "releases".into(),
            };
            if current != title {
                writeln!(out, "{title}").unwrap();
                current = title;
            }
            self.line(&mut out, d);
        }
        if !unread.is_empty() {
            writeln!(out, "upstream items that could not be read ({}):", unread.len()).unwrap();
            for u in unread {
                writeln!(out, "  {u}").unwrap();
            }
        }
        writeln!(out, "{}", summary(diffs, unread.len())).unwrap();
        writeln!(out, "not compared:").unwrap();
        for n in compare::not_compared() {
            writeln!(out, "  - {n}").unwrap();
        }
        out
    }

    fn line(&self, out: &mut String, d: &Difference) {
        let what = match &d.kind {
            Kind::OnlyIn(Side::Upstream) => "only upstream: add it to the schema".to_string(),
            Kind::OnlyIn(Side::Schema) => "only in the schema: upstream has no such item".to_string(),
            Kind::Differs { fact, upstream, schema } => format!("{fact} differs: upstream {upstream}, schema {schema}"),
        };
        let at = self.schema_place(d);
        writeln!(out, "  {}: {what} ({}schema: {at})", d.item, origin_text(&d.upstream_origin)).unwrap();
        if d.kind == Kind::OnlyIn(Side::Upstream) {
            for l in self.suggestion(d) {
                writeln!(out, "      {l}").unwrap();
            }
        }
    }

    /// Where the item is (or belongs) in the schema.
    fn schema_place(&self, d: &Difference) -> String {
        let c = d.class.as_deref().unwrap_or_default();
        let item = match &d.item {
            Item::Class | Item::ClassProps => ItemRef::Class(c),
            Item::Field(f) => ItemRef::Field(c, f),
            Item::Enum(e) | Item::EnumValue { enum_name: e, .. } => ItemRef::Enum(c, e),
            Item::Message(m) => ItemRef::Message(c, m),
            Item::Param { message, param } => ItemRef::Param(c, message, param),
            Item::Error(code) => ItemRef::Error(code),
            Item::Release(_) | Item::ReleaseOrder => {
                return self.schema_dir.join("releases.yaml").display().to_string()
            }
        };
        let fallback = match &d.item {
            Item::Error(_) => self.schema_dir.join("errors.yaml"),
            _ => self.schema_dir.join("classes").join(format!("{c}.yaml")),
        };
        schema_facts::locate(self.api, item).map_or_else(|| fallback.display().to_string(), |s| s.to_string())
    }

    fn class(&self, name: Option<&str>) -> Option<&Class> {
        self.upstream.classes.iter().find(|c| Some(c.name.as_str()) == name)
    }

    /// The YAML an item the schema lacks needs, descriptions left out.
    fn suggestion(&self, d: &Difference) -> Vec<String> {
        let class = self.class(d.class.as_deref());
        match (&d.item, class) {
            (Item::Class, Some(c)) => self.class_yaml(c),
            (Item::Field(n), Some(c)) => {
                c.fields.iter().find(|f| &f.name == n).map_or_else(Vec::new, |f| self.field_yaml(c, f))
            }
            (Item::Enum(n), Some(c)) => c.enums.iter().find(|e| &e.name == n).map_or_else(Vec::new, enum_yaml),
            (Item::EnumValue { value, .. }, _) => vec![format!("- name: {}", scalar(value))],
            (Item::Message(n), Some(c)) => {
                c.messages.iter().find(|m| &m.name == n).map_or_else(Vec::new, |m| self.message_yaml(c, m))
            }
            (Item::Param { message, param }, Some(c)) => c
                .messages
                .iter()
                .find(|m| &m.name == message)
                .and_then(|m| m.params.iter().find(|p| &p.name == param))
                .map_or_else(Vec::new, |p| vec![self.param_yaml(c, &p.name, &p.ty, p.default.as_deref())]),
            (Item::Error(code), _) => {
                self.upstream.errors.iter().find(|e| &e.code == code).map_or_else(Vec::new, |e| {
                    vec![format!("- code: {}", scalar(&e.code)), format!("  params: {}", flow_list(&e.params))]
                })
            }
            (Item::Release(code), _) => {
                self.upstream.releases.iter().find(|r| &r.code == code).map_or_else(Vec::new, |r| {
                    vec![format!("- {{code: {}, label: {}}}", scalar(&r.code), scalar(&r.label))]
                })
            }
            _ => Vec::new(),
        }
    }

    /// A whole class file for a class the schema lacks. The `derive` line
    /// is a starting point: upstream's facts say only whether objects are
    /// created and destroyed by clients.
    fn class_yaml(&self, c: &Class) -> Vec<String> {
        let mut derive = vec!["fields: true", "record: true", "all: true"];
        if c.fields.iter().any(|f| f.name == "name_label") {
            derive.push("by_name_label: true");
        }
        if c.props.as_ref().is_some_and(|p| p.gen_constructor_destructor) {
            derive.push("create_destroy: true");
        }
        let mut y = vec![
            format!("name: {}", scalar(&c.name)),
            format!("lifecycle: {}", lifecycle_yaml(&c.lifecycle)),
            format!("derive: {{{}}}", derive.join(", ")),
        ];
        let mut section = |title: &str, items: Vec<Vec<String>>| {
            if !items.is_empty() {
                y.push(format!("{title}:"));
                y.extend(items.into_iter().flatten().map(|l| format!("  {l}")));
            }
        };
        section("enums", c.enums.iter().map(enum_yaml).collect());
        section("fields", c.fields.iter().filter(|f| !f.internal_only).map(|f| self.field_yaml(c, f)).collect());
        section("messages", c.messages.iter().filter(|m| !m.implicit).map(|m| self.message_yaml(c, m)).collect());
        y
    }

    fn field_yaml(&self, c: &Class, f: &Field) -> Vec<String> {
        let mut y = vec![
            format!("- name: {}", scalar(&f.name)),
            format!("  type: {}", scalar(&f.ty)),
            format!("  qualifier: {}", scalar(&f.qualifier)),
        ];
        if let Some(dflt) = &f.default {
            y.push(format!("  default: {}", self.default_yaml(c, &f.ty, dflt)));
        }
        y.push(format!("  lifecycle: {}", lifecycle_yaml(&f.lifecycle)));
        y
    }

    fn message_yaml(&self, c: &Class, m: &Message) -> Vec<String> {
        let mut y = vec![format!("- name: {}", scalar(&m.name))];
        if !m.params.is_empty() {
            y.push("  params:".into());
            for p in &m.params {
                y.push(format!("    {}", self.param_yaml(c, &p.name, &p.ty, p.default.as_deref())));
            }
        }
        y.push(format!("  result: {}", scalar(&m.result)));
        if !m.errors.is_empty() {
            y.push(format!("  errors: {}", flow_list(&m.errors)));
        }
        y.push(format!("  roles: {}", flow_list(&m.roles)));
        y.push(format!("  lifecycle: {}", lifecycle_yaml(&m.lifecycle)));
        if m.internal {
            y.push("  internal: true".into());
        }
        y
    }

    fn param_yaml(&self, c: &Class, name: &str, ty: &str, default: Option<&str>) -> String {
        let dflt = default.map(|d| format!(", default: {}", self.default_yaml(c, ty, d))).unwrap_or_default();
        format!("- {{name: {}, type: {}{dflt}}}", scalar(name), scalar(ty))
    }

    /// A default in upstream's notation as the schema writes it; the
    /// notation itself, quoted, when it does not parse against the type.
    fn default_yaml(&self, c: &Class, ty: &str, notation: &str) -> String {
        let enums: HashMap<&str, Vec<&str>> = self
            .upstream
            .classes
            .iter()
            .flat_map(|k| &k.enums)
            .chain(&c.enums)
            .map(|e| (e.name.as_str(), e.values.iter().map(String::as_str).collect()))
            .collect();
        Type::parse(ty)
            .and_then(|t| parse_notation(notation, &t, &enums))
            .map_or_else(|_| scalar(notation), |l| literal(&l))
    }
}

/// `[published rio, deprecated boston]`
fn lifecycle_yaml(l: &Lifecycle) -> String {
    flow_list(&compare::steps(l))
}

/// An enum with its values, descriptions left to write.
fn enum_yaml(e: &Enum) -> Vec<String> {
    let mut y = vec![format!("- name: {}", scalar(&e.name)), "  values:".to_string()];
    y.extend(e.values.iter().map(|v| format!("    - {{name: {}}}", scalar(v))));
    y
}

/// `N differences: ...` or `no differences`, with counts by kind.
pub fn summary(diffs: &[Difference], unread: usize) -> String {
    let count = |k: fn(&Kind) -> bool| diffs.iter().filter(|d| k(&d.kind)).count();
    let only_up = count(|k| *k == Kind::OnlyIn(Side::Upstream));
    let only_schema = count(|k| *k == Kind::OnlyIn(Side::Schema));
    let differs = diffs.len() - only_up - only_schema;
    let mut classes: Vec<&str> = diffs.iter().filter_map(|d| d.class.as_deref()).collect();
    classes.dedup();
    let unread = if unread > 0 { format!("; {unread} upstream items not read") } else { String::new() };
    if diffs.is_empty() {
        format!("upstream-check: no differences{unread}")
    } else {
        format!(
            "upstream-check: {} differences in {} classes: {only_up} only upstream, {only_schema} only in the schema, {differs} facts differ{unread}",
            diffs.len(),
            classes.len()
        )
    }
}
