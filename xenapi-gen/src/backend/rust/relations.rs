//! Object relations: a ref field on one class (`VBD.VM`) whose objects are
//! listed back by a set field on the class it points at (`VM.VBDs`).
//!
//! The schema does not spell relations out, so they are inferred: a pair
//! is a `C.f: X ref` field and an `X.g: C ref set` field that clients
//! cannot write (RO/runtime), scored by how well the names agree. Pairs are
//! taken best first, each field at most once, and pairs that agree on
//! nothing but their types are kept only when the ref field is given at
//! construction (so `VM.affinity` does not claim `host.resident_VMs`).

use crate::model::{Api, Qualifier, Type};

/// One inferred relation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    /// Class holding the ref field.
    pub class: String,
    /// The ref field.
    pub field: String,
    /// Class the ref points at.
    pub target: String,
    /// The set field of `target` that lists the objects pointing at it.
    pub inverse: String,
}

/// Every relation of the API, in schema order of the ref fields.
pub fn relations(api: &Api) -> Vec<Relation> {
    struct Cand {
        score: i32,
        order: (usize, usize),
        rel: Relation,
    }
    let mut cands = Vec::new();
    for (ci, c) in api.classes.iter().enumerate() {
        for (fi, f) in c.fields.iter().enumerate() {
            let Type::Ref(x) = &f.ty else { continue };
            let Some(target) = api.class(x) else { continue };
            for g in &target.fields {
                let back = Type::Set(Box::new(Type::Ref(c.name.clone())));
                if g.ty != back || g.qualifier != Qualifier::RoRuntime {
                    continue;
                }
                let score = score(&c.name, &f.name, f.qualifier, &target.name, &g.name);
                if score > 0 {
                    let rel = Relation {
                        class: c.name.clone(),
                        field: f.name.clone(),
                        target: target.name.clone(),
                        inverse: g.name.clone(),
                    };
                    cands.push(Cand { score, order: (ci, fi), rel });
                }
            }
        }
    }
    cands.sort_by(|a, b| b.score.cmp(&a.score).then(a.order.cmp(&b.order)));
    let mut taken_fwd = std::collections::HashSet::new();
    let mut taken_inv = std::collections::HashSet::new();
    let mut chosen = Vec::new();
    for c in cands {
        let fwd = (c.rel.class.clone(), c.rel.field.clone());
        let inv = (c.rel.target.clone(), c.rel.inverse.clone());
        if taken_fwd.contains(&fwd) || taken_inv.contains(&inv) {
            continue;
        }
        taken_fwd.insert(fwd);
        taken_inv.insert(inv);
        chosen.push((c.order, c.rel));
    }
    chosen.sort_by_key(|a| a.0);
    chosen.into_iter().map(|(_, r)| r).collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_relations_are_inferred() {
        let api = crate::load_schema(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../schema"))).expect("schema loads");
        let rels = relations(&api);
        let has = |c: &str, f: &str, t: &str, g: &str| {
            rels.iter().any(|r| r.class == c && r.field == f && r.target == t && r.inverse == g)
        };
        for (c, f, t, g) in [
            ("VBD", "VM", "VM", "VBDs"),
            ("VBD", "VDI", "VDI", "VBDs"),
            ("VDI", "SR", "SR", "VDIs"),
            ("VIF", "VM", "VM", "VIFs"),
            ("VIF", "network", "network", "VIFs"),
            ("PIF", "network", "network", "PIFs"),
            ("PIF", "host", "host", "PIFs"),
            ("PBD", "SR", "SR", "PBDs"),
            ("PBD", "host", "host", "PBDs"),
            ("VM", "resident_on", "host", "resident_VMs"),
            ("VM", "snapshot_of", "VM", "snapshots"),
            ("VM", "parent", "VM", "children"),
            ("VDI", "snapshot_of", "VDI", "snapshots"),
            ("VLAN", "tagged_PIF", "PIF", "VLAN_slave_of"),
            ("Bond", "master", "PIF", "bond_master_of"),
            ("PIF", "bond_slave_of", "Bond", "slaves"),
            ("tunnel", "access_PIF", "PIF", "tunnel_access_PIF_of"),
            ("tunnel", "transport_PIF", "PIF", "tunnel_transport_PIF_of"),
            ("VTPM", "VM", "VM", "VTPMs"),
            ("host_cpu", "host", "host", "host_CPUs"),
            ("task", "subtask_of", "task", "subtasks"),
            ("PVS_server", "site", "PVS_site", "servers"),
        ] {
            assert!(has(c, f, t, g), "missing {c}.{f} -> {t}.{g}; got {rels:#?}");
        }
        for (c, f) in [("VM", "affinity"), ("VM", "scheduled_to_be_resident_on"), ("VTPM", "backend"), ("VDI", "parent")] {
            assert!(!rels.iter().any(|r| r.class == c && r.field == f), "{c}.{f} must not be a relation");
        }
    }
}
