//! Release targeting: the API as it stood at a given release.

use super::{Api, ClassKind, ErrorId, Lifecycle, Type};
use std::collections::HashSet;

impl Lifecycle {
    /// Whether the item existed at release `idx` (it was prototyped or
    /// published by then). Items that name no introduction (no lifecycle,
    /// or only later steps such as `[removed R]` on an enum value) existed
    /// from the first release.
    pub fn exists_at(&self, idx: usize) -> bool {
        self.introduced().is_none_or(|t| t.release_index <= idx)
    }

    /// The lifecycle as known at release `idx`: later transitions dropped.
    pub fn at(&self, idx: usize) -> Lifecycle {
        Lifecycle { transitions: self.transitions.iter().filter(|t| t.release_index <= idx).cloned().collect() }
    }
}

impl Api {
    /// The API as it stood at release `code`: classes, fields, messages,
    /// parameters, enum values, error codes and the error entries of
    /// messages added later are left out; items deprecated or removed
    /// later are still present, marked as they were then. `None` if the
    /// release is unknown.
    pub fn at_release(&self, code: &str) -> Option<Api> {
        let idx = self.release_index(code)?;
        let mut api = self.clone();
        api.releases.truncate(idx + 1);
        // Error ids are positions: renumber the codes that stay.
        let mut renumber: Vec<Option<ErrorId>> = Vec::with_capacity(api.errors.len());
        let mut kept = 0u32;
        for e in &api.errors {
            renumber.push(e.lifecycle.exists_at(idx).then(|| {
                kept += 1;
                ErrorId(kept - 1)
            }));
        }
        api.errors.retain(|e| e.lifecycle.exists_at(idx));
        for e in &mut api.errors {
            e.lifecycle = e.lifecycle.at(idx);
        }
        api.classes.retain(|c| c.lifecycle.exists_at(idx));
        for c in &mut api.classes {
            c.lifecycle = c.lifecycle.at(idx);
            for e in &mut c.enums {
                e.values.retain(|v| v.lifecycle.exists_at(idx));
                for v in &mut e.values {
                    v.lifecycle = v.lifecycle.at(idx);
                }
            }
            // An enum all of whose values came later did not exist yet;
            // what uses it is pruned below.
            c.enums.retain(|e| !e.values.is_empty());
            c.fields.retain(|f| f.lifecycle.exists_at(idx));
            for f in &mut c.fields {
                f.lifecycle = f.lifecycle.at(idx);
            }
            c.messages.retain(|m| m.lifecycle.exists_at(idx));
            for m in &mut c.messages {
                m.lifecycle = m.lifecycle.at(idx);
                m.params.retain(|p| p.lifecycle.exists_at(idx));
                for p in &mut m.params {
                    p.lifecycle = p.lifecycle.at(idx);
                }
                let later: HashSet<ErrorId> =
                    m.errors_added.iter().filter(|(_, t)| t.release_index > idx).map(|(e, _)| *e).collect();
                m.errors.retain(|e| !later.contains(e));
                m.errors_added.retain(|(e, _)| !later.contains(e));
                let renumbered = |e: &ErrorId| renumber[e.0 as usize];
                m.errors = m.errors.iter().filter_map(renumbered).collect();
                m.errors_added = m.errors_added.iter().filter_map(|(e, t)| Some((renumbered(e)?, t.clone()))).collect();
            }
        }
        // Some lifecycles in the real API are older than the classes their
        // types name (VM.VUSBs says rio, VUSB came in inverness); such
        // items cannot be expressed at that release and are left out.
        api.prune_unresolvable();
        // An enum type that only later items use (a field or message
        // added later) did not exist yet either.
        let before = self.enums_in_use();
        let after = api.enums_in_use();
        for c in &mut api.classes {
            c.enums.retain(|e| !before.contains(&e.name) || after.contains(&e.name));
        }
        Some(api)
    }

    /// Names of the enum types some field, parameter or result uses.
    fn enums_in_use(&self) -> HashSet<String> {
        let mut used = HashSet::new();
        let mut note = |t: &Type| {
            t.visit(&mut |p| {
                if let Type::Enum(e) = p {
                    used.insert(e.clone());
                }
            })
        };
        for c in &self.classes {
            c.fields.iter().for_each(|f| note(&f.ty));
            for m in &c.messages {
                note(&m.result);
                m.params.iter().for_each(|p| note(&p.ty));
            }
        }
        used
    }
}

impl Api {
    /// Only the named classes, plus the session, task and event classes
    /// ([`ClassKind::SPECIAL`]), which every client and server needs.
    /// Fields and messages whose types name a class left out are dropped.
    /// Errs with the names that are not classes of the API.
    pub fn subset<S: AsRef<str>>(&self, classes: &[S]) -> Result<Api, Vec<String>> {
        let unknown: Vec<String> =
            classes.iter().map(AsRef::as_ref).filter(|c| self.class(c).is_none()).map(str::to_string).collect();
        if !unknown.is_empty() {
            return Err(unknown);
        }
        let mut keep: HashSet<&str> = classes.iter().map(AsRef::as_ref).collect();
        for name in ClassKind::SPECIAL.into_iter().filter_map(ClassKind::class_name) {
            keep.insert(name);
        }
        let mut api = self.clone();
        api.classes.retain(|c| keep.contains(c.name.as_str()));
        api.prune_unresolvable();
        Ok(api)
    }

    /// Drops fields and messages whose types name classes or enums that
    /// are not in the API, so that every type the backends see resolves,
    /// pairs the relations of what is left, and gives enums whose home class
    /// went a new home.
    pub(crate) fn prune_unresolvable(&mut self) {
        self.settle_enum_homes();
        let classes: HashSet<String> = self.classes.iter().map(|c| c.name.clone()).collect();
        let enums: HashSet<String> = self.enums().map(|e| e.name.clone()).collect();
        let resolvable = |t: &Type| {
            let mut ok = true;
            t.visit(&mut |p| match p {
                Type::Ref(c) | Type::Record(c) => ok &= classes.contains(c),
                Type::Enum(e) => ok &= enums.contains(e),
                _ => {}
            });
            ok
        };
        for c in &mut self.classes {
            c.fields.retain(|f| resolvable(&f.ty));
            c.messages.retain(|m| resolvable(&m.result) && m.params.iter().all(|p| resolvable(&p.ty)));
        }
        self.relink();
    }
}
