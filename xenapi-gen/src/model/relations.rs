//! Object relations and the references between classes.
//!
//! A relation pairs a ref field on one class (`VBD.VM`) with the set field
//! of the class it points at that lists those objects back (`VM.VBDs`); a
//! server keeps both sides in step. The schema may say which set field is
//! the inverse of a ref field (`inverse: VBDs`) or that it has none
//! (`inverse: none`); every other ref field is paired by a heuristic.
//!
//! The heuristic looks at every `C.f: X ref` field and every `X.g: C ref
//! set` field that clients cannot write (RO/runtime), scores how well the
//! names agree, and takes pairs best first, each field at most once. A pair
//! that agrees on nothing but its types counts only when the ref field is
//! given at construction. Declared pairs are taken before any inferred
//! one, and a declared field is never inferred.
//!
//! Relations are computed when the schema is resolved and again whenever
//! the model drops classes or fields ([`Api::at_release`], [`Api::subset`]).

use super::{Api, Class, ClassId, Field, Qualifier, Type};
use crate::load::raw::Src;
use std::collections::{BTreeSet, HashMap, HashSet};

/// A field: its class and its position in that class's [`Class::fields`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FieldId {
    pub class: ClassId,
    pub index: usize,
}

/// What the schema says about the inverse of a field.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Inverse {
    /// Nothing: the heuristic decides (for ref fields).
    #[default]
    Infer,
    /// `inverse: NAME`: the set field `NAME` of the class this ref points
    /// at lists the objects that point at it.
    Declared { name: String, src: Src },
    /// `inverse: none`: this ref field is in no relation.
    Never,
}

/// One relation: a ref field and the set field that lists it back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Relation {
    /// The ref field (`VBD.VM`).
    pub field: FieldId,
    /// The set field of the class the ref points at (`VM.VBDs`).
    pub inverse: FieldId,
    /// Whether the schema declared the pair (else it was inferred).
    pub declared: bool,
}

/// The names of both ends of a relation, for printing and for code that
/// works with names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelationNames<'a> {
    /// Class holding the ref field.
    pub class: &'a str,
    /// The ref field.
    pub field: &'a str,
    /// Class the ref points at.
    pub target: &'a str,
    /// The set field of `target` that lists the objects pointing at it.
    pub inverse: &'a str,
}

impl Relation {
    /// Both ends by name.
    pub fn names<'a>(&self, api: &'a Api) -> RelationNames<'a> {
        RelationNames {
            class: &api.class_at(self.field.class).name,
            field: &api.field(self.field).name,
            target: &api.class_at(self.inverse.class).name,
            inverse: &api.field(self.inverse).name,
        }
    }
}

/// A reference from the fields of one class to another class (any field
/// whose type names it, in a ref, a set, a map or an option).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Reference {
    pub from: ClassId,
    pub to: ClassId,
}

impl Api {
    /// The field at `id`.
    pub fn field(&self, id: FieldId) -> &Field {
        &self.class_at(id.class).fields[id.index]
    }

    /// Every relation, in schema order of the ref fields.
    pub fn relations(&self) -> &[Relation] {
        &self.relations
    }

    /// Every pair of distinct classes where a field of the first names the
    /// second, in class order: what the class diagram draws. Every relation
    /// between two classes is among them.
    pub fn references(&self) -> BTreeSet<Reference> {
        let index: HashMap<&str, usize> = self.classes.iter().enumerate().map(|(i, c)| (c.name.as_str(), i)).collect();
        let mut out = BTreeSet::new();
        for (i, c) in self.classes.iter().enumerate() {
            for f in &c.fields {
                f.ty.visit(&mut |t| {
                    if let Type::Ref(other) = t {
                        match index.get(other.as_str()) {
                            Some(&j) if j != i => {
                                out.insert(Reference { from: ClassId(i as u32), to: ClassId(j as u32) });
                            }
                            _ => {}
                        }
                    }
                });
            }
        }
        out
    }

    /// Computes the relations again after classes or fields were dropped.
    pub(crate) fn relink(&mut self) {
        self.relations = relations(&self.classes);
    }
}

/// The set type a ref field of class `class` needs as its inverse.
fn back_type(class: &str) -> Type {
    Type::Set(Box::new(Type::Ref(class.to_string())))
}

/// The class a ref field points at, and its id.
fn target<'a>(classes: &'a [Class], f: &Field) -> Option<(ClassId, &'a Class)> {
    let Type::Ref(x) = &f.ty else { return None };
    classes.iter().enumerate().find(|(_, c)| c.name == *x).map(|(i, c)| (ClassId(i as u32), c))
}

/// Every relation of these classes, in schema order of the ref fields.
/// Declarations that do not fit (reported by [`check_declared`]) are
/// skipped.
pub(crate) fn relations(classes: &[Class]) -> Vec<Relation> {
    let mut taken_inv = HashSet::new();
    let mut chosen = Vec::new();
    // Declared pairs first: they win over any inferred one.
    for (ci, c) in classes.iter().enumerate() {
        for (fi, f) in c.fields.iter().enumerate() {
            let Inverse::Declared { name, .. } = &f.inverse else { continue };
            let Some((ti, t)) = target(classes, f) else { continue };
            let Some(gi) = t.fields.iter().position(|g| g.name == *name && g.ty == back_type(&c.name)) else {
                continue;
            };
            let inverse = FieldId { class: ti, index: gi };
            if taken_inv.insert(inverse) {
                chosen.push(Relation {
                    field: FieldId { class: ClassId(ci as u32), index: fi },
                    inverse,
                    declared: true,
                });
            }
        }
    }
    struct Cand {
        score: i32,
        field: FieldId,
        inverse: FieldId,
    }
    let mut cands = Vec::new();
    for (ci, c) in classes.iter().enumerate() {
        for (fi, f) in c.fields.iter().enumerate() {
            if f.inverse != Inverse::Infer {
                continue;
            }
            let Some((ti, t)) = target(classes, f) else { continue };
            for (gi, g) in t.fields.iter().enumerate() {
                if g.ty != back_type(&c.name) || g.qualifier != Qualifier::RoRuntime {
                    continue;
                }
                let score = score(&c.name, &f.name, f.qualifier, &t.name, &g.name);
                if score > 0 {
                    let field = FieldId { class: ClassId(ci as u32), index: fi };
                    cands.push(Cand { score, field, inverse: FieldId { class: ti, index: gi } });
                }
            }
        }
    }
    cands.sort_by(|a, b| b.score.cmp(&a.score).then(a.field.cmp(&b.field)));
    let mut taken_fwd = HashSet::new();
    for c in cands {
        if taken_fwd.contains(&c.field) || taken_inv.contains(&c.inverse) {
            continue;
        }
        taken_fwd.insert(c.field);
        taken_inv.insert(c.inverse);
        chosen.push(Relation { field: c.field, inverse: c.inverse, declared: false });
    }
    chosen.sort_by_key(|r| r.field);
    chosen
}

/// How well `class.field -> target.inverse` agree by name; 0 = not a pair.
fn score(class: &str, field: &str, qualifier: Qualifier, target: &str, inverse: &str) -> i32 {
    let (f, g) = (field.to_ascii_lowercase(), inverse.to_ascii_lowercase());
    let (c, x) = (class.to_ascii_lowercase(), target.to_ascii_lowercase());
    let stem = g.strip_suffix('s').unwrap_or(&g);
    let common = f.bytes().zip(g.bytes()).take_while(|(a, b)| a == b).count();
    let mut s = 0;
    // `VBD.VM` -> `VM.VBDs`: the field is named after the class it
    // points at, or the set after the class it lists.
    if f == x || g == format!("{c}s") {
        s += 4;
    }
    // `snapshot_of` -> `snapshots`, `access_PIF` -> `tunnel_access_PIF_of`,
    // `bond_slave_of` -> `slaves`, `parent` -> `children`.
    if common >= 4 || g.contains(&f) || f.contains(stem) || (f == "parent" && g == "children") {
        s += 3;
    }
    match qualifier {
        Qualifier::RoConstructor => s += 1,
        Qualifier::Rw => s -= 1,
        Qualifier::RoRuntime => {}
    }
    s
}

/// A declared inverse that does not fit: where, what, and a likely fix.
pub(crate) struct Misfit {
    pub src: Src,
    pub message: String,
    pub help: String,
}

/// Checks every `inverse: NAME` of these classes: the class the ref points
/// at has a field `NAME` of type `C ref set`, RO/runtime, and no other
/// field declares the same inverse. Ref fields to classes that are not
/// there are skipped (reported elsewhere).
pub(crate) fn check_declared(classes: &[Class]) -> Vec<Misfit> {
    let mut out = Vec::new();
    let mut first: HashMap<FieldId, String> = HashMap::new();
    for c in classes {
        for f in &c.fields {
            let Inverse::Declared { name, src } = &f.inverse else { continue };
            let Some((ti, t)) = target(classes, f) else { continue };
            let what = format!("field `{}` of class `{}`", f.name, c.name);
            let back = back_type(&c.name);
            // The fields of the target that could be the inverse.
            let fitting: Vec<&str> = t.fields.iter().filter(|g| g.ty == back).map(|g| g.name.as_str()).collect();
            let suggest = || match crate::diag::did_you_mean(name, fitting.iter().copied()) {
                Some(help) => help,
                None if fitting.is_empty() => {
                    format!("give class `{}` a field `{name}` of type `{back}`, or write `inverse: none`", t.name)
                }
                None => format!("fields of class `{}` that can be the inverse: `{}`", t.name, fitting.join("`, `")),
            };
            let Some((gi, g)) = t.fields.iter().enumerate().find(|(_, g)| g.name == *name) else {
                let message = format!("the inverse `{name}` of {what} is not a field of class `{}`", t.name);
                out.push(Misfit { src: src.clone(), message, help: suggest() });
                continue;
            };
            if g.ty == Type::Void {
                // Its type did not resolve: reported already.
                continue;
            }
            if g.ty != back {
                let message =
                    format!("the inverse `{}.{name}` of {what} has type `{}`; it must be `{back}`", t.name, g.ty);
                out.push(Misfit { src: src.clone(), message, help: suggest() });
                continue;
            }
            if g.qualifier != Qualifier::RoRuntime {
                let message =
                    format!("the inverse `{}.{name}` of {what} is {}; the server keeps an inverse up to date, so it must be RO/runtime", t.name, g.qualifier);
                let help = format!("make `{}.{name}` RO/runtime", t.name);
                out.push(Misfit { src: src.clone(), message, help });
                continue;
            }
            let key = FieldId { class: ti, index: gi };
            match first.get(&key) {
                Some(owner) => {
                    let message =
                        format!("the inverse `{}.{name}` of {what} is already the inverse of {owner}", t.name);
                    let help =
                        "a set field lists the objects of one ref field only: write `inverse: none` on one of them"
                            .to_string();
                    out.push(Misfit { src: src.clone(), message, help });
                }
                None => {
                    first.insert(key, format!("`{}.{}`", c.name, f.name));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_score_prefers_names_that_agree() {
        // Named after the class it points at, given at construction.
        assert_eq!(score("VBD", "VM", Qualifier::RoConstructor, "VM", "VBDs"), 5);
        // Agrees on nothing but the types: only counts when constructed.
        assert_eq!(score("VM", "affinity", Qualifier::Rw, "host", "resident_VMs"), -1);
        assert_eq!(score("PVS_server", "site", Qualifier::RoConstructor, "PVS_site", "servers"), 1);
        assert_eq!(score("VM", "scheduled_to_be_resident_on", Qualifier::RoRuntime, "host", "resident_VMs"), 0);
        assert_eq!(score("VM", "parent", Qualifier::RoRuntime, "VM", "children"), 3);
    }
}
