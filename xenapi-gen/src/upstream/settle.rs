//! Upstream facts put in the schema's terms before they are compared.
//!
//! xapi's sources say some things in ways that carry no difference a
//! client could see; each rule here turns one such way into the schema's,
//! so that the comparison reports only real differences:
//!
//! - a release written `X-next` (merged after release X, before the next
//!   tag) is the first numbered release of the schema after X; when that
//!   is the schema's newest release, the change may postdate its tag and
//!   counts as not released yet (left out);
//! - a parameter's release counts only when a later release than its
//!   message's own added it with a default (xapi also records the release
//!   of parameters that came with their message or without a default);
//! - a ref default written as a string is that ref;
//! - a numbered release the schema keeps and no upstream item names any
//!   more is upstream's too (xapi lists only the releases its lifecycles
//!   name);
//! - messages and classes upstream keeps out of its documentation count
//!   only where the schema has them (it takes in those that clients use);
//! - enums only such left-out messages use are left out with them;
//! - a field the schema keeps RW, for which upstream writes the same
//!   setters by hand and marks the field read-only, is the schema's field
//!   with its derived setters: same names, parameters, result and roles.

use super::facts::{Class, Facts, Lifecycle, Message};
use crate::model::{Api, DerivedKind, MessageOrigin, Qualifier};

/// Applies every rule of the module to `upstream`, against the schema `api`.
pub fn settle(upstream: &mut Facts, api: &Api) {
    let releases = Releases(api.releases.iter().map(|r| r.code.as_str()).collect());
    for c in &mut upstream.classes {
        settle_lifecycle(&mut c.lifecycle, &releases);
        for f in &mut c.fields {
            settle_lifecycle(&mut f.lifecycle, &releases);
            settle_ref_default(&f.ty, &mut f.default);
        }
        for m in &mut c.messages {
            settle_lifecycle(&mut m.lifecycle, &releases);
            settle_params(m, &releases);
            for p in &mut m.params {
                settle_ref_default(&p.ty, &mut p.default);
            }
        }
    }
    keep_named_releases(upstream, &releases);
    upstream.classes.retain(|c| !c.internal || api.class(&c.name).is_some());
    for c in &mut upstream.classes {
        let Some(ours) = api.class(&c.name) else { continue };
        c.messages.retain(|m| !m.internal || ours.messages.iter().any(|o| o.name == m.name));
        hand_written_setters(c, ours, api);
        drop_unused_enums(c);
    }
}

/// Enums that, once the rules above left items out, no field or message
/// of the class uses any more.
fn drop_unused_enums(c: &mut Class) {
    let uses = |ty: &str, name: &str| ty.split(|ch: char| !(ch.is_alphanumeric() || ch == '_')).any(|w| w == name);
    let used = |name: &str| {
        c.fields.iter().any(|f| uses(&f.ty, name))
            || c.messages.iter().any(|m| uses(&m.result, name) || m.params.iter().any(|p| uses(&p.ty, name)))
    };
    let unused: Vec<String> = c.enums.iter().filter(|e| !used(&e.name)).map(|e| e.name.clone()).collect();
    c.enums.retain(|e| !unused.contains(&e.name));
}

/// Upstream lists the numbered releases its lifecycles name today; one
/// that no item names any more (the schema keeps it, as xapi published
/// it then) is taken as upstream's too when it falls between two of them.
fn keep_named_releases(upstream: &mut Facts, releases: &Releases<'_>) {
    let newest = upstream.releases.iter().filter_map(|r| version(&r.code)).max();
    for (i, code) in releases.0.iter().enumerate() {
        let Some(v) = version(code) else { continue };
        if upstream.releases.iter().any(|r| r.code == *code) || newest.as_ref().is_none_or(|n| &v > n) {
            continue;
        }
        // After the schema's release before it, which upstream has by now.
        let at = match i.checked_sub(1).map(|p| releases.0[p]) {
            Some(prev) => upstream.releases.iter().position(|r| r.code == prev).map_or(0, |p| p + 1),
            None => 0,
        };
        upstream.releases.insert(at, super::facts::Release { code: code.to_string(), label: format!("XAPI {code}") });
    }
}

/// The schema's releases, oldest first.
struct Releases<'a>(Vec<&'a str>);

impl Releases<'_> {
    fn index(&self, code: &str) -> Option<usize> {
        self.0.iter().position(|r| *r == code)
    }

    /// What `X-next` stands for: the first numbered release after X, unless
    /// that is the newest release, whose tag the change may postdate (the
    /// tags say so of every such case so far); then nothing yet.
    fn after_next(&self, code: &str) -> Option<String> {
        let base = version(code.strip_suffix("-next")?)?;
        let newest = self.0.last()?;
        let next = self.0.iter().filter_map(|r| Some((*r, version(r)?))).find(|(_, v)| *v > base).map(|(r, _)| r)?;
        (next != *newest).then(|| next.to_string())
    }

    /// `Some(code)` with `-next` settled; `None` when not released yet.
    fn settle(&self, code: &str) -> Option<String> {
        if code.ends_with("-next") {
            self.after_next(code)
        } else {
            Some(code.to_string())
        }
    }
}

fn version(code: &str) -> Option<Vec<u64>> {
    code.split('.').map(|p| p.parse().ok()).collect()
}

fn settle_lifecycle(l: &mut Lifecycle, releases: &Releases<'_>) {
    l.transitions = std::mem::take(&mut l.transitions)
        .into_iter()
        .filter_map(|mut t| {
            t.release = releases.settle(&t.release)?;
            Some(t)
        })
        .collect();
}

/// A ref default xapi writes as a string (`"OpaqueRef:NULL"`) is that ref.
fn settle_ref_default(ty: &str, default: &mut Option<String>) {
    if !ty.ends_with(" ref") {
        return;
    }
    if let Some(d) = default {
        if let Some(inner) = d.strip_prefix('"').and_then(|x| x.strip_suffix('"')) {
            *d = inner.to_string();
        }
    }
}

fn settle_params(m: &mut Message, releases: &Releases<'_>) {
    let intro = m.lifecycle.transitions.first().and_then(|t| releases.index(&t.release));
    for p in &mut m.params {
        let Some(since) = p.since.take() else { continue };
        let Some(since) = releases.settle(&since) else { continue };
        let later = match (intro, releases.index(&since)) {
            (Some(i), Some(s)) => s > i,
            // A release the schema does not know: keep it, so that it shows.
            _ => true,
        };
        if later && p.default.is_some() {
            p.since = Some(since);
        }
    }
}

/// Upstream's hand-written setters of a field the schema keeps RW, when
/// they match the setters the schema derives for it (`set_F`, and
/// `add_to_F`/`remove_from_F` or `add_F`/`remove_F` as its type has them).
fn hand_written_setters(c: &mut Class, ours: &crate::model::Class, api: &Api) {
    let same = |o: &crate::model::Message, m: &Message| {
        o.result.to_string() == m.result
            && o.params.len() == m.params.len()
            && o.params.iter().zip(&m.params).all(|(a, b)| a.name == b.name && a.ty.to_string() == b.ty)
            && api.role_names(o.roles) == m.roles
    };
    let mut drop: Vec<String> = Vec::new();
    for f in &mut c.fields {
        let Some(of) = ours.fields.iter().find(|o| o.name == f.name) else { continue };
        if of.qualifier != Qualifier::Rw || f.qualifier == Qualifier::Rw.as_str() {
            continue;
        }
        let setters: Vec<&crate::model::Message> = ours
            .messages
            .iter()
            .filter(|o| {
                matches!(&o.origin, MessageOrigin::Derived { kind, field: Some(x) }
                    if x == &f.name && *kind != DerivedKind::GetField)
            })
            .collect();
        let written: Vec<&Message> = c.messages.iter().filter(|m| setters.iter().any(|o| o.name == m.name)).collect();
        if !written.is_empty() && written.iter().all(|m| setters.iter().any(|o| o.name == m.name && same(o, m))) {
            f.qualifier = Qualifier::Rw.as_str().to_string();
            drop.extend(written.iter().map(|m| m.name.clone()));
        }
    }
    c.messages.retain(|m| !drop.contains(&m.name));
}
