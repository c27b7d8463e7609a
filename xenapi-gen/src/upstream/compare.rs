//! Comparing two sets of [`Facts`] (upstream's and the schema's) item by
//! item, into a structured list of [`Difference`]s.
//!
//! Items one side has and the other lacks are reported once each (a
//! missing class is one difference, not one per field). For items on both
//! sides every compared fact that differs is one difference. Items whose
//! lifecycle has a `removed` step count as absent, and derived
//! (`implicit`) messages are skipped: the schema derives them from fields
//! and class properties, which are compared instead.
#![doc = include_str!("not_compared.md")]

use super::facts::{Class, ClassProps, Enum, Facts, Field, Lifecycle, Message, Origin, Param};
use std::collections::HashMap;
use std::fmt;

/// The bullet list of the module docs above, one item each: what the
/// command prints under "not compared".
pub fn not_compared() -> impl Iterator<Item = &'static str> {
    include_str!("not_compared.md").lines().filter_map(|l| l.strip_prefix("- "))
}

/// Which side of the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Upstream,
    Schema,
}

/// The item a difference is about. Classes, fields, enums and messages
/// belong to [`Difference::class`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Class,
    ClassProps,
    Field(String),
    Enum(String),
    EnumValue {
        enum_name: String,
        value: String,
    },
    Message(String),
    Param {
        message: String,
        param: String,
    },
    Error(String),
    Release(String),
    /// The order of the releases both sides have.
    ReleaseOrder,
}

impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Item::Class => f.write_str("class"),
            Item::ClassProps => f.write_str("class properties"),
            Item::Field(n) => write!(f, "field {n}"),
            Item::Enum(n) => write!(f, "enum {n}"),
            Item::EnumValue { enum_name, value } => write!(f, "enum {enum_name} value {value}"),
            Item::Message(n) => write!(f, "message {n}"),
            Item::Param { message, param } => write!(f, "message {message} param {param}"),
            Item::Error(c) => write!(f, "error {c}"),
            Item::Release(c) => write!(f, "release {c}"),
            Item::ReleaseOrder => f.write_str("releases"),
        }
    }
}

/// How the two sides differ on an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// Only this side has the item.
    OnlyIn(Side),
    /// Both have it; `fact` (`type`, `default`, `lifecycle`, ...) differs.
    Differs { fact: &'static str, upstream: String, schema: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The class the item belongs to; `None` for errors and releases.
    pub class: Option<String>,
    pub item: Item,
    pub kind: Kind,
    /// Where upstream defines the item, when its facts say.
    pub upstream_origin: Option<Origin>,
}

/// Which facts to compare beyond the ones every source records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Parameter defaults and releases (`since`): xapi's sources record
    /// them, the reference export does not.
    pub param_extras: bool,
    /// Messages and classes marked internal, and the mark itself: xapi's
    /// sources have them, its published export leaves them out.
    pub internal_messages: bool,
    /// Releases only the schema has: upstream lists every release when
    /// its whole model was read (its numbered releases are the ones its
    /// items name).
    pub every_release: bool,
}

impl Options {
    /// Everything, as for facts read from xapi's sources.
    pub const ALL: Options = Options { param_extras: true, internal_messages: true, every_release: true };

    /// Compares parameter extras and internal messages only when the
    /// upstream facts carry at least one: facts without any come from a
    /// source that does not record them.
    pub fn for_upstream(upstream: &Facts) -> Options {
        let messages = || upstream.classes.iter().flat_map(|c| &c.messages);
        Options {
            param_extras: messages().flat_map(|m| &m.params).any(|p| p.default.is_some() || p.since.is_some()),
            internal_messages: messages().any(|m| m.internal),
            every_release: true,
        }
    }
}

/// Every difference between `upstream` and `schema`, classes in upstream
/// order (then the schema's extra ones), then errors, then releases.
pub fn compare(upstream: &Facts, schema: &Facts, opts: Options) -> Vec<Difference> {
    let mut cx = Cx { out: Vec::new(), opts };
    let (theirs, ours) = (visible(&upstream.classes, opts), visible(&schema.classes, opts));
    for u in &theirs {
        match lookup(&ours, &u.name) {
            Some(s) => cx.class(u, s),
            None => cx.push(Some(&u.name), Item::Class, Kind::OnlyIn(Side::Upstream), u.origin.clone()),
        }
    }
    for s in ours.iter().filter(|s| lookup(&theirs, &s.name).is_none()) {
        cx.push(Some(&s.name), Item::Class, Kind::OnlyIn(Side::Schema), None);
    }
    cx.errors(upstream, schema);
    cx.releases(upstream, schema);
    cx.out
}

fn is_removed(l: &Lifecycle) -> bool {
    l.transitions.iter().any(|t| t.transition == "removed")
}

/// An item with a name and a lifecycle: classes, fields and messages.
trait Named {
    fn name(&self) -> &str;
    fn lifecycle(&self) -> &Lifecycle;
}

macro_rules! named {
    ($($t:ty),*) => {$(
        impl Named for $t {
            fn name(&self) -> &str {
                &self.name
            }
            fn lifecycle(&self) -> &Lifecycle {
                &self.lifecycle
            }
        }
    )*};
}
named!(Class, Field, Message);

/// The items not removed, in their order.
fn live<T: Named>(items: &[T]) -> Vec<&T> {
    items.iter().filter(|i| !is_removed(i.lifecycle())).collect()
}

/// The classes not removed, internal ones only when those are compared.
fn visible(cs: &[Class], opts: Options) -> Vec<&Class> {
    live(cs).into_iter().filter(|c| opts.internal_messages || !c.internal).collect()
}

/// The fields not removed that clients see: the schema has no
/// internal-only fields.
fn public(fs: &[Field]) -> Vec<&Field> {
    live(fs).into_iter().filter(|f| !f.internal_only).collect()
}

/// The explicit messages not removed, in their order.
fn explicit(ms: &[Message]) -> Vec<&Message> {
    live(ms).into_iter().filter(|m| !m.implicit).collect()
}

fn lookup<'a, T: Named>(items: &[&'a T], name: &str) -> Option<&'a T> {
    items.iter().find(|i| i.name() == name).copied()
}

/// A lifecycle's steps as the schema writes them: `published rio`, ...
pub fn steps(l: &Lifecycle) -> Vec<String> {
    l.transitions.iter().map(|t| format!("{} {}", t.transition, t.release)).collect()
}

/// A lifecycle in one line: `published rio, deprecated boston`.
pub fn lifecycle_text(l: &Lifecycle) -> String {
    steps(l).join(", ")
}

fn list_text(l: &[String]) -> String {
    format!("[{}]", l.join(", "))
}

fn opt_text(o: &Option<String>) -> String {
    o.clone().unwrap_or_else(|| "(none)".into())
}

struct Cx {
    out: Vec<Difference>,
    opts: Options,
}

impl Cx {
    fn push(&mut self, class: Option<&str>, item: Item, kind: Kind, upstream_origin: Option<Origin>) {
        self.out.push(Difference { class: class.map(str::to_string), item, kind, upstream_origin });
    }

    fn fact(
        &mut self,
        class: Option<&str>,
        item: &Item,
        fact: &'static str,
        upstream: String,
        schema: String,
        at: &Option<Origin>,
    ) {
        if upstream != schema {
            self.push(class, item.clone(), Kind::Differs { fact, upstream, schema }, at.clone());
        }
    }

    fn class(&mut self, u: &Class, s: &Class) {
        let c = Some(u.name.as_str());
        self.fact(c, &Item::Class, "lifecycle", lifecycle_text(&u.lifecycle), lifecycle_text(&s.lifecycle), &u.origin);
        if let (Some(up), Some(sp)) = (&u.props, &s.props) {
            self.props(c, up, sp, &u.origin);
        }
        self.enums(c, &u.enums, &s.enums);
        self.fields(c, &u.fields, &s.fields);
        self.messages(c, &u.messages, &s.messages);
    }

    fn props(&mut self, c: Option<&str>, u: &ClassProps, s: &ClassProps, at: &Option<Origin>) {
        let text = |b: bool| b.to_string();
        self.fact(
            c,
            &Item::ClassProps,
            "gen_constructor_destructor",
            text(u.gen_constructor_destructor),
            text(s.gen_constructor_destructor),
            at,
        );
    }

    fn enums(&mut self, c: Option<&str>, u: &[Enum], s: &[Enum]) {
        let by_name = |es: &[Enum]| es.iter().map(|e| (e.name.clone(), e.clone())).collect::<HashMap<_, _>>();
        let (um, sm) = (by_name(u), by_name(s));
        for e in u {
            let Some(se) = sm.get(&e.name) else {
                self.push(c, Item::Enum(e.name.clone()), Kind::OnlyIn(Side::Upstream), e.origin.clone());
                continue;
            };
            for v in e.values.iter().filter(|v| !se.values.contains(v)) {
                let item = Item::EnumValue { enum_name: e.name.clone(), value: v.clone() };
                self.push(c, item, Kind::OnlyIn(Side::Upstream), e.origin.clone());
            }
            for v in se.values.iter().filter(|v| !e.values.contains(v)) {
                let item = Item::EnumValue { enum_name: e.name.clone(), value: v.clone() };
                self.push(c, item, Kind::OnlyIn(Side::Schema), e.origin.clone());
            }
            let common = |a: &[String], b: &[String]| a.iter().filter(|v| b.contains(v)).cloned().collect::<Vec<_>>();
            let (uo, so) = (common(&e.values, &se.values), common(&se.values, &e.values));
            self.fact(c, &Item::Enum(e.name.clone()), "value order", list_text(&uo), list_text(&so), &e.origin);
        }
        for e in s.iter().filter(|e| !um.contains_key(&e.name)) {
            self.push(c, Item::Enum(e.name.clone()), Kind::OnlyIn(Side::Schema), None);
        }
    }

    fn fields(&mut self, c: Option<&str>, u: &[Field], s: &[Field]) {
        let (theirs, ours) = (public(u), public(s));
        for f in &theirs {
            let name = &f.name;
            let Some(sf) = lookup(&ours, name) else {
                self.push(c, Item::Field(name.to_string()), Kind::OnlyIn(Side::Upstream), f.origin.clone());
                continue;
            };
            let item = Item::Field(name.to_string());
            let at = &f.origin;
            self.fact(c, &item, "type", f.ty.clone(), sf.ty.clone(), at);
            self.fact(c, &item, "qualifier", f.qualifier.clone(), sf.qualifier.clone(), at);
            self.fact(c, &item, "default", opt_text(&f.default), opt_text(&sf.default), at);
            self.fact(c, &item, "lifecycle", lifecycle_text(&f.lifecycle), lifecycle_text(&sf.lifecycle), at);
        }
        for f in ours.iter().filter(|f| lookup(&theirs, &f.name).is_none()) {
            self.push(c, Item::Field(f.name.clone()), Kind::OnlyIn(Side::Schema), None);
        }
    }

    fn messages(&mut self, c: Option<&str>, u: &[Message], s: &[Message]) {
        let keep = |m: &&Message| self.opts.internal_messages || !m.internal;
        let theirs: Vec<&Message> = explicit(u).into_iter().filter(keep).collect();
        let ours: Vec<&Message> = explicit(s).into_iter().filter(keep).collect();
        for m in &theirs {
            match lookup(&ours, &m.name) {
                Some(sm) => self.message(c, m, sm),
                None => self.push(c, Item::Message(m.name.clone()), Kind::OnlyIn(Side::Upstream), m.origin.clone()),
            }
        }
        for m in ours.iter().filter(|m| lookup(&theirs, &m.name).is_none()) {
            self.push(c, Item::Message(m.name.clone()), Kind::OnlyIn(Side::Schema), None);
        }
    }

    fn message(&mut self, c: Option<&str>, u: &Message, s: &Message) {
        let item = Item::Message(u.name.clone());
        let at = &u.origin;
        self.fact(c, &item, "result", u.result.clone(), s.result.clone(), at);
        self.fact(c, &item, "errors", list_text(&u.errors), list_text(&s.errors), at);
        self.fact(c, &item, "roles", list_text(&u.roles), list_text(&s.roles), at);
        self.fact(c, &item, "lifecycle", lifecycle_text(&u.lifecycle), lifecycle_text(&s.lifecycle), at);
        if self.opts.internal_messages {
            self.fact(c, &item, "internal", u.internal.to_string(), s.internal.to_string(), at);
        }
        self.params(c, u, s);
    }

    fn params(&mut self, c: Option<&str>, u: &Message, s: &Message) {
        let find = |ps: &[Param], n: &str| ps.iter().find(|p| p.name == n).cloned();
        let param = |p: &str| Item::Param { message: u.name.clone(), param: p.to_string() };
        let at = &u.origin;
        for p in &u.params {
            let Some(sp) = find(&s.params, &p.name) else {
                self.push(c, param(&p.name), Kind::OnlyIn(Side::Upstream), at.clone());
                continue;
            };
            self.fact(c, &param(&p.name), "type", p.ty.clone(), sp.ty.clone(), at);
            if self.opts.param_extras {
                self.fact(c, &param(&p.name), "default", opt_text(&p.default), opt_text(&sp.default), at);
                self.fact(c, &param(&p.name), "since", opt_text(&p.since), opt_text(&sp.since), at);
            }
        }
        for p in s.params.iter().filter(|p| find(&u.params, &p.name).is_none()) {
            self.push(c, param(&p.name), Kind::OnlyIn(Side::Schema), None);
        }
        let common = |a: &[Param], b: &[Param]| {
            a.iter().filter(|p| b.iter().any(|q| q.name == p.name)).map(|p| p.name.clone()).collect::<Vec<_>>()
        };
        let (uo, so) = (common(&u.params, &s.params), common(&s.params, &u.params));
        self.fact(c, &Item::Message(u.name.clone()), "param order", list_text(&uo), list_text(&so), at);
    }

    fn errors(&mut self, upstream: &Facts, schema: &Facts) {
        for e in &upstream.errors {
            match schema.errors.iter().find(|x| x.code == e.code) {
                Some(se) => {
                    let item = Item::Error(e.code.clone());
                    self.fact(None, &item, "params", list_text(&e.params), list_text(&se.params), &e.origin);
                }
                None => self.push(None, Item::Error(e.code.clone()), Kind::OnlyIn(Side::Upstream), e.origin.clone()),
            }
        }
        for e in schema.errors.iter().filter(|e| !upstream.errors.iter().any(|x| x.code == e.code)) {
            self.push(None, Item::Error(e.code.clone()), Kind::OnlyIn(Side::Schema), None);
        }
    }

    fn releases(&mut self, upstream: &Facts, schema: &Facts) {
        let has = |f: &Facts, code: &str| f.releases.iter().any(|r| r.code == code);
        for r in &upstream.releases {
            match schema.releases.iter().find(|x| x.code == r.code) {
                Some(sr) => {
                    self.fact(None, &Item::Release(r.code.clone()), "label", r.label.clone(), sr.label.clone(), &None)
                }
                None => self.push(None, Item::Release(r.code.clone()), Kind::OnlyIn(Side::Upstream), None),
            }
        }
        if self.opts.every_release {
            for r in schema.releases.iter().filter(|r| !has(upstream, &r.code)) {
                self.push(None, Item::Release(r.code.clone()), Kind::OnlyIn(Side::Schema), None);
            }
        }
        let common = |a: &Facts, b: &Facts| {
            a.releases.iter().filter(|r| has(b, &r.code)).map(|r| r.code.clone()).collect::<Vec<_>>()
        };
        let (uo, so) = (common(upstream, schema), common(schema, upstream));
        if uo != so {
            self.push(
                None,
                Item::ReleaseOrder,
                Kind::Differs { fact: "order", upstream: list_text(&uo), schema: list_text(&so) },
                None,
            );
        }
    }
}
