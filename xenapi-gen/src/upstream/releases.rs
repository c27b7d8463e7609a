//! Releases as the export lists them: the named releases of
//! `release_order_full` that have a release date, then every numbered
//! released version a published item's lifecycle names, in version order
//! (`x.y.z-next`, not yet released, has no date and is left out).

use std::cmp::Ordering;

use super::facts::{Facts, Release};
use super::ocaml::eval::Interp;
use super::read::Unread;
use super::shape::{field, list, option, string, Shape};

const TYPES: &str = "ocaml/idl/datamodel_types.ml";

pub fn releases(it: &mut Interp<'_>, facts: &Facts, unread: &mut Vec<Unread>) -> Vec<Release> {
    let order = it.module("Datamodel_types").and_then(|m| m.export("release_order_full"));
    let named = match order.as_ref().map(named) {
        Some(Ok(n)) => n,
        Some(Err(_)) if matches!(order, Some(super::ocaml::value::Value::Poison(_))) => {
            unread.push(super::shape::unread_value(order.as_ref(), TYPES, "release_order_full"));
            return Vec::new();
        }
        Some(Err(why)) => {
            unread.push(Unread { file: TYPES.into(), line: 0, why: format!("release_order_full: {why}") });
            return Vec::new();
        }
        None => {
            unread.push(super::shape::unread_value(None, TYPES, "release_order_full"));
            return Vec::new();
        }
    };
    let mut out: Vec<Release> = named
        .iter()
        .filter(|(_, _, dated)| *dated)
        .map(|(c, b, _)| Release { code: c.clone(), label: b.clone() })
        .collect();
    let mut versions: Vec<String> = Vec::new();
    // an unreleased version (`x.y.z-next`) gets no release date, and the export lists dated releases only
    let mut note = |r: &str| {
        if !r.contains('-') && !named.iter().any(|(c, _, _)| c == r) && !versions.iter().any(|v| v == r) {
            versions.push(r.to_string());
        }
    };
    for c in &facts.classes {
        c.lifecycle.transitions.iter().for_each(|t| note(&t.release));
        for f in c.fields.iter().filter(|f| !f.internal_only) {
            f.lifecycle.transitions.iter().for_each(|t| note(&t.release));
        }
        for m in c.messages.iter().filter(|m| !m.internal) {
            m.lifecycle.transitions.iter().for_each(|t| note(&t.release));
        }
    }
    versions.sort_by(|a, b| version_cmp(a, b));
    out.extend(versions.into_iter().map(|v| Release { label: format!("XAPI {v}"), code: v }));
    out
}

/// (code, branding, has a release date) of every named release.
fn named(v: &super::ocaml::value::Value<'_>) -> Shape<Vec<(String, String, bool)>> {
    let mut out = Vec::new();
    for r in list(v)?.iter() {
        let Some(code) = option(field(r, "code_name")?)? else { continue };
        let dated = option(field(r, "release_date")?)?.is_some();
        out.push((string(code)?, string(field(r, "branding")?)?, dated));
    }
    Ok(out)
}

/// `x.y.z` numerically, and `x.y.z-next` after `x.y.z`.
pub fn version_cmp(a: &str, b: &str) -> Ordering {
    fn parts(v: &str) -> (Vec<u64>, Option<&str>) {
        let (nums, tag) = match v.find('-') {
            Some(i) => (&v[..i], Some(&v[i..])),
            None => (v, None),
        };
        (nums.split('.').map(|n| n.parse().unwrap_or(0)).collect(), tag)
    }
    parts(a).cmp(&parts(b))
}
