//! What changed between two versions of the API, and whether the change
//! breaks an existing client.
//!
//! [`diff`] compares two resolved models and returns a [`Report`]: one
//! [`Change`] per line, grouped by class, enum and the error codes, sorted,
//! each marked breaking or compatible. Descriptions are never compared.
//!
//! A change is **breaking** when a client written against the old API can
//! fail against the new one: something it may call, read or match on is
//! gone (a class, field, message, enum, enum value, error code, setter,
//! role); a type changed (a field, a param, a result); the positional param
//! list changed (a param removed, replaced or moved, or added anywhere but
//! at the end with a default); the roles
//! allowed to call a message narrowed; the params of an error changed; a
//! field of a class with `create` became required (no default); something
//! reached the `removed` lifecycle state; a relation (a ref field and the
//! set field listing it back, as `RELATIONS` of the generated crate holds
//! them) went away or now pairs the ref field with another set field.
//! Anything else is **compatible**: additions (relations included), new
//! enum values (generated bindings tolerate unknown values), a parameter
//! added at the end with a default (a call that leaves it out gets the
//! default; `since R` is shown when its lifecycle names the release), an
//! error code added to a message (`since R` likewise), widened
//! roles, deprecations, new defaults, errors a message may return, a
//! field's `inverse` declaration (what it does to the relations is listed
//! as the relations' own change) and renamed params (XenAPI params are
//! positional).
//!
//! Error codes: deleting a code from the schema is breaking, since the
//! generated bindings lose its name (`ApiError::SrFull`) and code matching
//! on it no longer builds. Marking a code `removed` in its lifecycle is
//! reported (`~ error X: lifecycle published -> removed`) but compatible:
//! the name stays, and a client that knows a code the server never sends
//! keeps working. Enum values and error codes with lifecycles are compared
//! by state like classes and fields; for them too only deletion breaks.
//!
//! Derived messages are not listed one by one: they are reported as the
//! consequence of the field or `derive` setting they follow, e.g.
//! `+ field VM.foo: int RW (+get_foo, +set_foo)`, where `+name` is a
//! message that appears, `-name` one that goes away and `~name` one whose
//! signature changes. Params are numbered from 1 in schema order, the
//! session included.

use crate::model::{
    Api, Class, EnumDef, ErrorDef, Field, Inverse, LifecycleState, Literal, Message, MessageOrigin, Param, Qualifier,
    Roles,
};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Whether something appeared, went away or changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Sign {
    Added,
    Removed,
    Changed,
}

impl Sign {
    pub fn symbol(self) -> char {
        match self {
            Sign::Added => '+',
            Sign::Removed => '-',
            Sign::Changed => '~',
        }
    }
}

/// What a change is about, by name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Subject {
    Role(String),
    Release(String),
    Class(String),
    Field {
        class: String,
        field: String,
    },
    Message {
        class: String,
        message: String,
    },
    Enum(String),
    EnumValue {
        enum_name: String,
        value: String,
    },
    Error(String),
    /// The relation whose ref field is `class.field`.
    Relation {
        class: String,
        field: String,
    },
}

/// Qualified, as a report prints it: `class VM`, `field VM.foo`,
/// `message VM.start`, `enum vm_power_state`, `value
/// vm_power_state.Halted`, `error SR_FULL`, `release rio`, `role read-only`,
/// `relation VBD.VM`.
impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Role(r) => write!(f, "role {r}"),
            Subject::Release(r) => write!(f, "release {r}"),
            Subject::Class(c) => write!(f, "class {c}"),
            Subject::Field { class, field } => write!(f, "field {class}.{field}"),
            Subject::Message { class, message } => write!(f, "message {class}.{message}"),
            Subject::Enum(e) => write!(f, "enum {e}"),
            Subject::EnumValue { enum_name, value } => write!(f, "value {enum_name}.{value}"),
            Subject::Error(code) => write!(f, "error {code}"),
            Subject::Relation { class, field } => write!(f, "relation {class}.{field}"),
        }
    }
}

/// One line of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub sign: Sign,
    /// What changed.
    pub subject: Subject,
    /// How it changed; empty when the sign says it all.
    pub detail: String,
    pub breaking: bool,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.sign.symbol(), self.subject)?;
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        if self.breaking {
            f.write_str(" [BREAKING]")?;
        }
        Ok(())
    }
}

/// What a group of changes is about, in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Section {
    /// Roles and releases.
    Api,
    Class,
    Enum,
    /// Error codes.
    Errors,
}

/// The changes to one class, one enum, the error codes or the API itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub section: Section,
    /// The class or enum name; empty for the API and the error codes.
    pub name: String,
    pub changes: Vec<Change>,
}

impl Group {
    /// The heading line: `api`, `class VM`, `enum vm_power_state`, `errors`.
    pub fn title(&self) -> String {
        match self.section {
            Section::Api => "api".into(),
            Section::Class => format!("class {}", self.name),
            Section::Enum => format!("enum {}", self.name),
            Section::Errors => "errors".into(),
        }
    }
}

/// Every change between two versions of the API, sorted: the API, then
/// classes, enums and error codes by name; inside a class, the class
/// itself, then fields, then messages, then relations, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub groups: Vec<Group>,
}

impl Report {
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// Every change with its group, in report order.
    pub fn changes(&self) -> impl Iterator<Item = (&Group, &Change)> {
        self.groups.iter().flat_map(|g| g.changes.iter().map(move |c| (g, c)))
    }

    pub fn breaking(&self) -> usize {
        self.changes().filter(|(_, c)| c.breaking).count()
    }

    pub fn compatible(&self) -> usize {
        self.changes().filter(|(_, c)| !c.breaking).count()
    }

    pub fn has_breaking(&self) -> bool {
        self.breaking() > 0
    }
}

/// The groups, each change indented under its heading, then a count:
/// `N changes: B breaking, C compatible`; or `no changes`.
impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return writeln!(f, "no changes");
        }
        for g in &self.groups {
            writeln!(f, "{}", g.title())?;
            for c in &g.changes {
                writeln!(f, "  {c}")?;
            }
        }
        let total = self.breaking() + self.compatible();
        let s = if total == 1 { "" } else { "s" };
        writeln!(f, "{total} change{s}: {} breaking, {} compatible", self.breaking(), self.compatible())
    }
}

/// Compares two versions of the API.
pub fn diff(old: &Api, new: &Api) -> Report {
    let mut b = Builder::default();
    api_changes(old, new, &mut b);
    // Roles print most privileged first; roles gone from the API after the others.
    let order: Vec<String> =
        new.roles.iter().chain(old.roles.iter().filter(|r| !new.roles.contains(r))).cloned().collect();
    let sides = Sides { old, new, order: &order };
    let old_classes: BTreeMap<&str, &Class> = old.classes.iter().map(|c| (c.name.as_str(), c)).collect();
    let new_classes: BTreeMap<&str, &Class> = new.classes.iter().map(|c| (c.name.as_str(), c)).collect();
    for name in keys(&old_classes, &new_classes) {
        let g = (Section::Class, name.to_string());
        let subject = Subject::Class(name.to_string());
        match (old_classes.get(name), new_classes.get(name)) {
            (None, Some(_)) => b.push(&g, 0, "", Sign::Added, subject, String::new(), false),
            (Some(_), None) => b.push(&g, 0, "", Sign::Removed, subject, String::new(), true),
            (Some(o), Some(n)) => class_changes(o, n, &sides, &mut b),
            (None, None) => {}
        }
    }
    relation_changes(old, new, &mut b);
    enum_changes(old, new, &mut b);
    error_changes(old, new, &mut b);
    b.finish()
}

/// Collects changes and sorts them into groups.
#[derive(Default)]
struct Builder {
    groups: BTreeMap<(Section, String), Vec<Entry>>,
    seq: usize,
}

/// A change and where it sorts inside its group.
struct Entry {
    rank: u8,
    item: String,
    seq: usize,
    change: Change,
}

impl Builder {
    /// Adds a change; inside its group, changes sort by `rank` (class,
    /// field, message), then `item` name, then the order they were added.
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        group: &(Section, String),
        rank: u8,
        item: &str,
        sign: Sign,
        subject: Subject,
        detail: String,
        breaking: bool,
    ) {
        self.seq += 1;
        let change = Change { sign, subject, detail, breaking };
        self.groups.entry(group.clone()).or_default().push(Entry {
            rank,
            item: item.to_string(),
            seq: self.seq,
            change,
        });
    }

    fn finish(self) -> Report {
        let groups = self
            .groups
            .into_iter()
            .map(|((section, name), mut changes)| {
                changes.sort_by(|a, b| (a.rank, &a.item, a.seq).cmp(&(b.rank, &b.item, b.seq)));
                Group { section, name, changes: changes.into_iter().map(|e| e.change).collect() }
            })
            .collect();
        Report { groups }
    }
}

const CLASS: u8 = 0;
const FIELD: u8 = 1;
const MESSAGE: u8 = 2;
const RELATION: u8 = 3;

/// The union of the keys of two maps, sorted.
fn keys<'a, V>(a: &BTreeMap<&'a str, V>, b: &BTreeMap<&'a str, V>) -> BTreeSet<&'a str> {
    a.keys().chain(b.keys()).copied().collect()
}

fn api_changes(old: &Api, new: &Api, b: &mut Builder) {
    let g = (Section::Api, String::new());
    for r in &new.roles {
        if !old.roles.contains(r) {
            b.push(&g, 0, r, Sign::Added, Subject::Role(r.clone()), String::new(), false);
        }
    }
    for r in &old.roles {
        if !new.roles.contains(r) {
            b.push(&g, 0, r, Sign::Removed, Subject::Role(r.clone()), String::new(), true);
        }
    }
    for r in &new.releases {
        if !old.releases.iter().any(|o| o.code == r.code) {
            b.push(&g, 1, &r.code, Sign::Added, Subject::Release(r.code.clone()), r.label.clone(), false);
        }
    }
    for r in &old.releases {
        if !new.releases.iter().any(|n| n.code == r.code) {
            b.push(&g, 1, &r.code, Sign::Removed, Subject::Release(r.code.clone()), String::new(), false);
        }
    }
}

/// `lifecycle A -> B`, breaking when the item is now removed.
fn lifecycle_change(old: LifecycleState, new: LifecycleState) -> Option<(String, bool)> {
    (old != new).then(|| (format!("lifecycle {} -> {}", old.as_str(), new.as_str()), new == LifecycleState::Removed))
}

/// The two APIs compared. Roles and message errors are ids into each
/// side's own lists, so they are compared and printed by name.
struct Sides<'a> {
    old: &'a Api,
    new: &'a Api,
    /// Every role of either side, in print order.
    order: &'a [String],
}

impl Sides<'_> {
    /// Role changes, breaking when a role that was allowed is not any more.
    /// An empty set means local root only: no role grants the message, so
    /// emptying a set narrows it and filling an empty one widens it.
    fn changes(&self, what: &str, old: Roles, new: Roles) -> Vec<(String, bool)> {
        role_changes(what, &self.old.role_names(old), &self.new.role_names(new), self.order)
    }
}

fn role_changes(what: &str, old: &[&str], new: &[&str], order: &[String]) -> Vec<(String, bool)> {
    let o: BTreeSet<&str> = old.iter().copied().collect();
    let n: BTreeSet<&str> = new.iter().copied().collect();
    if o == n {
        return Vec::new();
    }
    let list = |roles: &BTreeSet<&str>, prefix: &str| {
        let mut v: Vec<&str> = roles.iter().copied().collect();
        v.sort_by_key(|r| (order.iter().position(|x| x == r).unwrap_or(usize::MAX), *r));
        v.iter().map(|r| format!("{prefix}{r}")).collect::<Vec<_>>().join(", ")
    };
    if o.is_empty() {
        return vec![(format!("{what} widened ({} -> {})", Roles::NONE_LABEL, list(&n, "")), false)];
    }
    if n.is_empty() {
        return vec![(format!("{what} narrowed ({} -> {})", list(&o, ""), Roles::NONE_LABEL), true)];
    }
    let gone: BTreeSet<&str> = o.difference(&n).copied().collect();
    let extra: BTreeSet<&str> = n.difference(&o).copied().collect();
    let mut out = Vec::new();
    if !gone.is_empty() {
        out.push((format!("{what} narrowed ({})", list(&gone, "-")), true));
    }
    if !extra.is_empty() {
        out.push((format!("{what} widened ({})", list(&extra, "+")), false));
    }
    out
}

/// A derived message that appears, goes away or changes signature, as a
/// consequence of a field or a `derive` setting.
struct Consequence {
    sign: Sign,
    name: String,
}

impl Consequence {
    fn breaking(&self) -> bool {
        self.sign != Sign::Added
    }
}

/// `(+get_foo, +set_foo)`, accessors in derivation order.
fn consequence_list(field: Option<&str>, cons: &mut [Consequence]) -> String {
    cons.sort_by_key(|c| (derived_rank(field, &c.name), c.name.clone()));
    let items: Vec<String> = cons.iter().map(|c| format!("{}{}", c.sign.symbol(), c.name)).collect();
    format!("({})", items.join(", "))
}

/// The order derived messages are made in: class-level ones, then each
/// field's getter, setter and collection updates.
fn derived_rank(field: Option<&str>, name: &str) -> usize {
    match field {
        Some(f) => {
            let prefix = name.strip_suffix(f).unwrap_or(name);
            ["get_", "set_", "add_to_", "remove_from_", "add_", "remove_"]
                .iter()
                .position(|p| *p == prefix)
                .unwrap_or(usize::MAX)
        }
        None => [
            "get_record",
            "get_by_uuid",
            "get_by_name_label",
            "create",
            "destroy",
            "get_all",
            "get_all_records",
            "get_all_where",
            "get_all_records_where",
        ]
        .iter()
        .position(|p| *p == name)
        .unwrap_or(usize::MAX),
    }
}

/// Whether a client calling `create` must now pass the field.
fn required(class: &Class, f: &Field) -> bool {
    class.props.derive_create_destroy && f.in_constructor() && f.default.is_none()
}

fn default_text(d: &Option<Literal>) -> String {
    d.as_ref().map_or_else(|| "(none)".into(), Literal::to_notation)
}

fn same_signature(a: &Message, b: &Message) -> bool {
    a.result == b.result
        && a.params.len() == b.params.len()
        && a.params.iter().zip(&b.params).all(|(x, y)| x.ty == y.ty)
}

fn class_changes(o: &Class, n: &Class, sides: &Sides<'_>, b: &mut Builder) {
    let name = &n.name;
    let g = (Section::Class, name.clone());
    let (op, np) = (&o.props, &n.props);

    // Messages first: the derived ones become consequences of a field or a
    // class setting.
    let mut field_cons: BTreeMap<String, Vec<Consequence>> = BTreeMap::new();
    let mut class_cons: Vec<Consequence> = Vec::new();
    let om: BTreeMap<&str, &Message> = o.messages.iter().map(|m| (m.name.as_str(), m)).collect();
    let nm: BTreeMap<&str, &Message> = n.messages.iter().map(|m| (m.name.as_str(), m)).collect();
    for m in keys(&om, &nm) {
        let (a, z) = (om.get(m).copied(), nm.get(m).copied());
        let derived_field = match (a.map(|x| &x.origin), z.map(|x| &x.origin)) {
            (Some(MessageOrigin::Explicit), _) | (_, Some(MessageOrigin::Explicit)) => {
                message_changes(name, m, a, z, sides, &g, b);
                continue;
            }
            (_, Some(MessageOrigin::Derived { field, .. })) | (Some(MessageOrigin::Derived { field, .. }), None) => {
                field.clone()
            }
            (None, None) => continue,
        };
        let sign = match (a, z) {
            (None, Some(_)) => Sign::Added,
            (Some(_), None) => Sign::Removed,
            (Some(x), Some(y)) if !same_signature(x, y) => Sign::Changed,
            _ => continue,
        };
        let c = Consequence { sign, name: m.to_string() };
        match derived_field {
            Some(f) => field_cons.entry(f).or_default().push(c),
            None => class_cons.push(c),
        }
    }

    // Fields, with the accessors that follow from each.
    let of: BTreeMap<&str, &Field> = o.fields.iter().map(|f| (f.name.as_str(), f)).collect();
    let nf: BTreeMap<&str, &Field> = n.fields.iter().map(|f| (f.name.as_str(), f)).collect();
    for f in keys(&of, &nf) {
        let mut cons = field_cons.remove(f).unwrap_or_default();
        let (sign, mut aspects): (Sign, Vec<(String, bool)>) = match (of.get(f), nf.get(f)) {
            (None, Some(x)) => {
                let mut d = vec![(format!("{} {}", x.ty, x.qualifier), false)];
                if let Some(v) = &x.default {
                    d[0].0 += &format!(", default {}", v.to_notation());
                }
                if op.derive_create_destroy && required(n, x) {
                    d.push((format!("required by {name}.create (no default)"), true));
                }
                (Sign::Added, d)
            }
            (Some(x), None) => (Sign::Removed, vec![(format!("{} {}", x.ty, x.qualifier), true)]),
            (Some(x), Some(y)) => (Sign::Changed, field_aspects(o, n, x, y, sides)),
            (None, None) => continue,
        };
        if sign == Sign::Changed && aspects.is_empty() {
            if cons.is_empty() || op.derive_fields != np.derive_fields {
                // Nothing changed, or only what `derive.fields` explains.
                field_cons.insert(f.to_string(), cons);
                continue;
            }
            aspects.push(("accessors changed".into(), false));
        }
        let brk = aspects.iter().any(|a| a.1) || cons.iter().any(Consequence::breaking);
        let mut detail = aspects.into_iter().map(|a| a.0).collect::<Vec<_>>().join("; ");
        if !cons.is_empty() {
            detail.push(' ');
            detail.push_str(&consequence_list(Some(f), &mut cons));
        }
        b.push(&g, FIELD, f, sign, Subject::Field { class: name.clone(), field: f.to_string() }, detail, brk);
    }

    // The class itself.
    let mut class_line = |detail: String, breaking: bool| {
        b.push(&g, CLASS, "", Sign::Changed, Subject::Class(name.clone()), detail, breaking);
    };
    if let Some((d, brk)) = lifecycle_change(o.lifecycle.state(), n.lifecycle.state()) {
        class_line(d, brk);
    }
    let on_off = |on: bool| if on { "on" } else { "off" };
    if op.derive_fields != np.derive_fields {
        let count = field_cons.values().map(Vec::len).sum::<usize>();
        let sign = if np.derive_fields { '+' } else { '-' };
        class_line(
            format!("derive.fields {} ({sign}{count} field accessors)", on_off(np.derive_fields)),
            !np.derive_fields,
        );
    }
    let flags: [(&str, bool, bool, &[&str]); 4] = [
        ("record", op.derive_record, np.derive_record, &["get_record", "get_by_uuid"]),
        ("by_name_label", op.derive_by_name_label, np.derive_by_name_label, &["get_by_name_label"]),
        ("create_destroy", op.derive_create_destroy, np.derive_create_destroy, &["create", "destroy"]),
        (
            "all",
            op.derive_all,
            np.derive_all,
            &["get_all", "get_all_records", "get_all_where", "get_all_records_where"],
        ),
    ];
    for (flag, was, is, msgs) in flags {
        if was == is {
            continue;
        }
        let (mut mine, rest): (Vec<_>, Vec<_>) = class_cons.into_iter().partition(|c| msgs.contains(&c.name.as_str()));
        class_cons = rest;
        let brk = mine.iter().any(Consequence::breaking);
        let cons = if mine.is_empty() { String::new() } else { format!(" {}", consequence_list(None, &mut mine)) };
        class_line(format!("derive.{flag} {}{cons}", on_off(is)), brk);
    }
    if !class_cons.is_empty() {
        let brk = class_cons.iter().any(Consequence::breaking);
        class_line(format!("derived messages {}", consequence_list(None, &mut class_cons)), brk);
    }
    if op.async_messages != np.async_messages {
        // What it does to each message is listed with the message.
        class_line(format!("async {}", on_off(np.async_messages)), false);
    }
    for (what, a, z) in [
        ("read roles", op.read_roles, np.read_roles),
        ("write roles", op.write_roles, np.write_roles),
        ("create roles", op.create_roles, np.create_roles),
    ] {
        for (d, brk) in sides.changes(what, a, z) {
            class_line(d, brk);
        }
    }
}

fn field_aspects(oc: &Class, nc: &Class, x: &Field, y: &Field, sides: &Sides<'_>) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    if x.ty != y.ty {
        out.push((format!("type {} -> {}", x.ty, y.ty), true));
    }
    if x.qualifier != y.qualifier {
        out.push((format!("qualifier {} -> {}", x.qualifier, y.qualifier), x.qualifier == Qualifier::Rw));
    }
    if x.default != y.default {
        out.push((format!("default {} -> {}", default_text(&x.default), default_text(&y.default)), false));
    }
    if oc.props.derive_create_destroy && required(nc, y) && !required(oc, x) {
        out.push((format!("now required by {}.create (no default)", nc.name), true));
    }
    if let Some(l) = lifecycle_change(x.lifecycle.state(), y.lifecycle.state()) {
        out.push(l);
    }
    let (a, z) = (inverse_text(&x.inverse), inverse_text(&y.inverse));
    if a != z {
        out.push((format!("inverse {a} -> {z}"), false));
    }
    // Roles that follow the class's are reported once, with the class.
    let follows = |a: &Field, c: &Class, read: bool| {
        if read {
            a.read_roles == c.props.read_roles
        } else {
            a.write_roles == c.props.write_roles
        }
    };
    if !(follows(x, oc, true) && follows(y, nc, true)) {
        out.extend(sides.changes("read roles", x.read_roles, y.read_roles));
    }
    if !(follows(x, oc, false) && follows(y, nc, false))
        && (x.qualifier == Qualifier::Rw || y.qualifier == Qualifier::Rw)
    {
        out.extend(sides.changes("write roles", x.write_roles, y.write_roles));
    }
    out
}

fn param_text(p: &Param) -> String {
    format!("{}: {}", p.name, p.ty)
}

fn signature(m: &Message) -> String {
    format!("({}) -> {}", m.params.iter().map(param_text).collect::<Vec<_>>().join(", "), m.result)
}

fn message_changes(
    class: &str,
    m: &str,
    a: Option<&Message>,
    z: Option<&Message>,
    sides: &Sides<'_>,
    g: &(Section, String),
    b: &mut Builder,
) {
    let subject = Subject::Message { class: class.to_string(), message: m.to_string() };
    let (x, y) = match (a, z) {
        (None, Some(y)) => {
            let mut detail = signature(y);
            if y.has_async {
                detail.push_str(", async");
            }
            return b.push(g, MESSAGE, m, Sign::Added, subject, detail, false);
        }
        (Some(_), None) => return b.push(g, MESSAGE, m, Sign::Removed, subject, String::new(), true),
        (Some(x), Some(y)) => (x, y),
        (None, None) => return,
    };
    let mut out: Vec<(String, bool)> = Vec::new();
    param_changes(&x.params, &y.params, &mut out);
    if x.result != y.result {
        out.push((format!("result {} -> {}", x.result, y.result), true));
    }
    let xe: BTreeSet<&str> = sides.old.error_codes(&x.errors).collect();
    let ye: BTreeSet<&str> = sides.new.error_codes(&y.errors).collect();
    for e in ye.difference(&xe) {
        let since = y.errors.iter().find(|id| sides.new.error(**id).code == *e).and_then(|id| y.error_added(*id));
        match since {
            Some(t) => out.push((format!("error {e} added (since {})", t.release), false)),
            None => out.push((format!("error {e} added"), false)),
        }
    }
    for e in xe.difference(&ye) {
        out.push((format!("error {e} removed"), false));
    }
    out.extend(sides.changes("roles", x.roles, y.roles));
    if let Some(l) = lifecycle_change(x.lifecycle.state(), y.lifecycle.state()) {
        out.push(l);
    }
    match (x.has_async, y.has_async) {
        (true, false) => out.push((format!("Async.{class}.{m} removed"), true)),
        (false, true) => out.push((format!("Async.{class}.{m} added"), false)),
        _ => {}
    }
    for (detail, brk) in out {
        b.push(g, MESSAGE, m, Sign::Changed, subject.clone(), detail, brk);
    }
}

/// Positional param changes: renames (same place, both names new), params
/// added and removed, a different order of the params both sides have,
/// and new types.
fn param_changes(old: &[Param], new: &[Param], out: &mut Vec<(String, bool)>) {
    let in_old = |n: &str| old.iter().any(|p| p.name == n);
    let in_new = |n: &str| new.iter().any(|p| p.name == n);
    let renamed: BTreeSet<usize> =
        (0..old.len().min(new.len())).filter(|&i| !in_new(&old[i].name) && !in_old(&new[i].name)).collect();
    for &i in &renamed {
        let (p, q) = (&old[i], &new[i]);
        if p.ty == q.ty {
            out.push((format!("param {} renamed `{}` -> `{}`", i + 1, p.name, q.name), false));
        } else {
            out.push((format!("param {} `{}` replaced by `{}`", i + 1, param_text(p), param_text(q)), true));
        }
    }
    for (i, p) in old.iter().enumerate() {
        if !renamed.contains(&i) && !in_new(&p.name) {
            out.push((format!("param {} `{}` removed", i + 1, param_text(p)), true));
        }
    }
    // Added params that, from some point on, are all that follows and
    // all have defaults: calls written for the old list still fit.
    let appended_from = new
        .iter()
        .rposition(|p| in_old(&p.name) || p.default.is_none())
        .map_or(0, |i| i + 1)
        .max(old.len().min(new.len()));
    for (i, p) in new.iter().enumerate() {
        if !renamed.contains(&i) && !in_old(&p.name) {
            if i >= appended_from {
                let default = p.default.as_ref().map(Literal::to_notation).unwrap_or_default();
                let since = p.lifecycle.introduced().map(|t| format!(", since {}", t.release)).unwrap_or_default();
                out.push((
                    format!("param {} `{}` added at the end (default {default}{since})", i + 1, param_text(p)),
                    false,
                ));
            } else {
                out.push((format!("param {} `{}` added", i + 1, param_text(p)), true));
            }
        }
    }
    let common_old: Vec<&str> = old.iter().map(|p| p.name.as_str()).filter(|n| in_new(n)).collect();
    let common_new: Vec<&str> = new.iter().map(|p| p.name.as_str()).filter(|n| in_old(n)).collect();
    if common_old != common_new {
        let names = |ps: &[Param]| ps.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ");
        out.push((format!("params reordered ({}) -> ({})", names(old), names(new)), true));
    }
    for (i, q) in new.iter().enumerate() {
        if let Some(p) = old.iter().find(|p| p.name == q.name) {
            if p.ty != q.ty {
                out.push((format!("param {} `{}` type {} -> {}", i + 1, q.name, p.ty, q.ty), true));
            }
        }
    }
}

/// Every enum by name, each once.
fn enums(api: &Api) -> BTreeMap<&str, &EnumDef> {
    api.unique_enums().map(|(_, e)| (e.name.as_str(), e)).collect()
}

fn enum_changes(old: &Api, new: &Api, b: &mut Builder) {
    let (oe, ne) = (enums(old), enums(new));
    for name in keys(&oe, &ne) {
        let g = (Section::Enum, name.to_string());
        let subject = Subject::Enum(name.to_string());
        match (oe.get(name), ne.get(name)) {
            (None, Some(e)) => {
                let values = e.values.iter().map(|v| v.name.as_str()).collect::<Vec<_>>().join(", ");
                b.push(&g, 0, "", Sign::Added, subject, values, false);
            }
            (Some(_), None) => b.push(&g, 0, "", Sign::Removed, subject, String::new(), true),
            (Some(x), Some(y)) => {
                for v in &y.values {
                    let value = Subject::EnumValue { enum_name: name.to_string(), value: v.name.clone() };
                    match x.values.iter().find(|w| w.name == v.name) {
                        None => {
                            let since =
                                v.lifecycle.introduced().map(|t| format!("since {}", t.release)).unwrap_or_default();
                            b.push(&g, 1, &v.name, Sign::Added, value, since, false);
                        }
                        Some(w) => {
                            if let Some((detail, _)) = lifecycle_change(w.lifecycle.state(), v.lifecycle.state()) {
                                // The value stays in the bindings, so a client keeps working.
                                b.push(&g, 1, &v.name, Sign::Changed, value, detail, false);
                            }
                        }
                    }
                }
                for v in &x.values {
                    if !y.values.iter().any(|w| w.name == v.name) {
                        let value = Subject::EnumValue { enum_name: name.to_string(), value: v.name.clone() };
                        b.push(&g, 1, &v.name, Sign::Removed, value, String::new(), true);
                    }
                }
            }
            (None, None) => {}
        }
    }
}

fn error_changes(old: &Api, new: &Api, b: &mut Builder) {
    let g = (Section::Errors, String::new());
    let oe: BTreeMap<&str, &ErrorDef> = old.errors.iter().map(|e| (e.code.as_str(), e)).collect();
    let ne: BTreeMap<&str, &ErrorDef> = new.errors.iter().map(|e| (e.code.as_str(), e)).collect();
    let params = |p: &[String]| format!("({})", p.join(", "));
    for code in keys(&oe, &ne) {
        let subject = Subject::Error(code.to_string());
        match (oe.get(code), ne.get(code)) {
            (None, Some(e)) => {
                let since = e.lifecycle.introduced().map(|t| format!(", since {}", t.release)).unwrap_or_default();
                b.push(&g, 0, code, Sign::Added, subject, format!("params {}{since}", params(&e.params)), false)
            }
            (Some(_), None) => b.push(&g, 0, code, Sign::Removed, subject, String::new(), true),
            (Some(x), Some(y)) => {
                if x.params != y.params {
                    let detail = format!("params {} -> {}", params(&x.params), params(&y.params));
                    b.push(&g, 0, code, Sign::Changed, subject.clone(), detail, true);
                }
                if let Some((detail, _)) = lifecycle_change(x.lifecycle.state(), y.lifecycle.state()) {
                    // The code keeps its name in the bindings; a server that no longer sends it breaks no client.
                    b.push(&g, 0, code, Sign::Changed, subject, detail, false);
                }
            }
            _ => {}
        }
    }
}

/// A field's `inverse` declaration as the schema writes it; `(inferred)`
/// when it has none.
fn inverse_text(inverse: &Inverse) -> &str {
    match inverse {
        Inverse::Infer => "(inferred)",
        Inverse::Declared { name, .. } => name,
        Inverse::Never => "none",
    }
}

/// Relations added, removed or re-paired, each under the class of its ref
/// field, for the classes both APIs have (a class that comes or goes is
/// one line, its relations with it). Keyed by the ref field, as a server
/// looks them up; a relation's far end is `TARGET.INVERSE`.
fn relation_changes(old: &Api, new: &Api, b: &mut Builder) {
    let ends = |api: &Api| -> BTreeMap<(String, String), String> {
        api.relations()
            .iter()
            .map(|r| {
                let n = r.names(api);
                ((n.class.to_string(), n.field.to_string()), format!("{}.{}", n.target, n.inverse))
            })
            .collect()
    };
    let (o, n) = (ends(old), ends(new));
    let both = |class: &str| old.class(class).is_some() && new.class(class).is_some();
    let keys: BTreeSet<&(String, String)> = o.keys().chain(n.keys()).collect();
    for key in keys {
        let (class, field) = key;
        if !both(class) {
            continue;
        }
        let (sign, detail, breaking) = match (o.get(key), n.get(key)) {
            (None, Some(to)) => (Sign::Added, format!("<-> {to}"), false),
            (Some(from), None) => (Sign::Removed, format!("<-> {from}"), true),
            (Some(from), Some(to)) if from != to => (Sign::Changed, format!("<-> {from} -> {to}"), true),
            _ => continue,
        };
        let subject = Subject::Relation { class: class.clone(), field: field.clone() };
        b.push(&(Section::Class, class.clone()), RELATION, field, sign, subject, detail, breaking);
    }
}
