//! Relations in the model: the real schema gives exactly the one-to-many
//! relations of xapi's data model (its `all_relations` list, restricted to
//! a ref field and the set field listing it back), declared and inferred
//! together; a declaration wins over the heuristic; relations follow the
//! model when it drops classes.

mod common;

use common::Edit::Replace;
use xenapi_gen::model::{Api, ClassKind};

/// `(class, ref field, target, set field, declared in the schema)`.
type Row = (String, String, String, String, bool);

fn rows(api: &Api) -> Vec<Row> {
    api.relations()
        .iter()
        .map(|r| {
            let n = r.names(api);
            (n.class.into(), n.field.into(), n.target.into(), n.inverse.into(), r.declared)
        })
        .collect()
}

fn real() -> Api {
    xenapi_gen::load_schema(&common::real_schema()).unwrap_or_else(|d| panic!("{d}"))
}

/// Every one-to-many relation xapi lists whose two fields the schema has;
/// `true` where the schema declares it. (xapi also pairs `VM.groups` with
/// `VM_group.VMs`, two sets: a many-to-many link, which the model's
/// relations, a ref field and its set, do not cover.)
const KNOWN: &[(&str, &str, &str, &str, bool)] = &[
    ("Bond", "master", "PIF", "bond_master_of", true),
    ("Caller", "rate_limit", "Rate_limit", "callers", false),
    ("Driver_variant", "driver", "Host_driver", "variants", true),
    ("Certificate", "host", "host", "certificates", false),
    ("Cluster_host", "cluster", "Cluster", "cluster_hosts", false),
    ("Feature", "host", "host", "features", false),
    ("PBD", "host", "host", "PBDs", false),
    ("PBD", "SR", "SR", "PBDs", false),
    ("PCI", "host", "host", "PCIs", false),
    ("PGPU", "GPU_group", "GPU_group", "PGPUs", false),
    ("PGPU", "host", "host", "PGPUs", false),
    ("PIF", "network", "network", "PIFs", false),
    ("PIF", "host", "host", "PIFs", false),
    ("PIF", "bond_slave_of", "Bond", "slaves", false),
    ("PUSB", "USB_group", "USB_group", "PUSBs", false),
    ("PUSB", "host", "host", "PUSBs", false),
    ("PVS_cache_storage", "site", "PVS_site", "cache_storage", true),
    ("PVS_proxy", "site", "PVS_site", "proxies", true),
    ("PVS_server", "site", "PVS_site", "servers", true),
    ("SR", "introduced_by", "DR_task", "introduced_SRs", false),
    ("VBD", "VM", "VM", "VBDs", false),
    ("VBD", "VDI", "VDI", "VBDs", false),
    ("VDI", "SR", "SR", "VDIs", false),
    ("VDI", "snapshot_of", "VDI", "snapshots", true),
    ("VDI", "metadata_of_pool", "pool", "metadata_VDIs", false),
    ("VGPU", "VM", "VM", "VGPUs", false),
    ("VGPU", "GPU_group", "GPU_group", "VGPUs", false),
    ("VGPU", "type", "VGPU_type", "VGPUs", false),
    ("VGPU", "resident_on", "PGPU", "resident_VGPUs", true),
    ("VIF", "network", "network", "VIFs", false),
    ("VIF", "VM", "VM", "VIFs", false),
    ("VLAN", "tagged_PIF", "PIF", "VLAN_slave_of", true),
    ("VM", "resident_on", "host", "resident_VMs", true),
    ("VM", "snapshot_of", "VM", "snapshots", true),
    ("VM", "parent", "VM", "children", true),
    ("VM", "protection_policy", "VMPP", "VMs", false),
    ("VM", "snapshot_schedule", "VMSS", "VMs", false),
    ("VM", "appliance", "VM_appliance", "VMs", false),
    ("VTPM", "VM", "VM", "VTPMs", true),
    ("VUSB", "VM", "VM", "VUSBs", false),
    ("VUSB", "USB_group", "USB_group", "VUSBs", false),
    ("console", "VM", "VM", "consoles", false),
    ("crashdump", "VM", "VM", "crash_dumps", false),
    ("crashdump", "VDI", "VDI", "crash_dumps", false),
    ("host_cpu", "host", "host", "host_CPUs", false),
    ("host_crashdump", "host", "host", "crashdumps", false),
    ("host_patch", "host", "host", "patches", false),
    ("host_patch", "pool_patch", "pool_patch", "host_patches", false),
    ("network_sriov", "physical_PIF", "PIF", "sriov_physical_PIF_of", true),
    ("network_sriov", "logical_PIF", "PIF", "sriov_logical_PIF_of", true),
    ("task", "subtask_of", "task", "subtasks", false),
    ("tunnel", "access_PIF", "PIF", "tunnel_access_PIF_of", true),
    ("tunnel", "transport_PIF", "PIF", "tunnel_transport_PIF_of", true),
];

#[test]
fn declared_and_inferred_relations_give_the_known_list() {
    let api = real();
    let mut got = rows(&api);
    got.sort();
    let mut want: Vec<Row> =
        KNOWN.iter().map(|(c, f, t, g, d)| (c.to_string(), f.to_string(), t.to_string(), g.to_string(), *d)).collect();
    want.sort();
    assert_eq!(got, want);
    // In schema order of the ref fields, as `xenapi::RELATIONS` lists them.
    let ids: Vec<_> = api.relations().iter().map(|r| r.field).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
}

#[test]
fn ref_fields_declared_without_a_relation_have_none() {
    let api = real();
    let rels = rows(&api);
    for (c, f) in [
        ("VM", "affinity"),
        ("VM", "scheduled_to_be_resident_on"),
        ("VDI", "parent"),
        ("VTPM", "backend"),
        ("VGPU", "scheduled_to_be_resident_on"),
        ("VLAN", "untagged_PIF"),
        ("Bond", "primary_slave"),
    ] {
        assert!(!rels.iter().any(|r| r.0 == c && r.1 == f), "{c}.{f} must not be in a relation");
        let field = api.class(c).unwrap().fields.iter().find(|x| x.name == f).unwrap();
        assert_eq!(field.inverse, xenapi_gen::model::Inverse::Never, "{c}.{f} says so in the schema");
    }
}

#[test]
fn the_heuristic_pairs_the_mini_fixture_by_name() {
    let api = xenapi_gen::load_schema(&common::mini()).unwrap_or_else(|d| panic!("{d}"));
    let want: Vec<Row> = vec![
        ("VM".into(), "resident_on".into(), "host".into(), "resident_VMs".into(), false),
        ("console".into(), "VM".into(), "VM".into(), "consoles".into(), false),
    ];
    assert_eq!(rows(&api), want);
}

/// A second `VM -> host` ref field, given at construction: it scores lower
/// than `resident_on`, whose name agrees with `resident_VMs`.
const AFFINITY: &str = "  - name: VCPUs_params\n";
const AFFINITY_FIELD: &str = "  - name: affinity\n    description: The host the VM prefers.\n    type: host ref\n    qualifier: RO/constructor\n    lifecycle: [published rio]\n  - name: VCPUs_params\n";
const AFFINITY_DECLARED: &str = "  - name: affinity\n    description: The host the VM prefers.\n    type: host ref\n    qualifier: RO/constructor\n    inverse: resident_VMs\n    lifecycle: [published rio]\n  - name: VCPUs_params\n";

fn mini_with(edits: &[common::Edit]) -> Api {
    let dir = common::mini_copy();
    for e in edits {
        common::apply(dir.path(), *e);
    }
    xenapi_gen::load_schema(dir.path()).unwrap_or_else(|d| panic!("{d}"))
}

#[test]
fn a_declaration_wins_over_a_better_score() {
    let inferred = mini_with(&[Replace("classes/VM.yaml", AFFINITY, AFFINITY_FIELD)]);
    assert!(rows(&inferred).contains(&(
        "VM".into(),
        "resident_on".into(),
        "host".into(),
        "resident_VMs".into(),
        false
    )));
    let declared = mini_with(&[Replace("classes/VM.yaml", AFFINITY, AFFINITY_DECLARED)]);
    let rels = rows(&declared);
    assert!(rels.contains(&("VM".into(), "affinity".into(), "host".into(), "resident_VMs".into(), true)), "{rels:?}");
    assert!(!rels.iter().any(|r| r.1 == "resident_on"), "the set field is taken once: {rels:?}");
}

#[test]
fn inverse_none_leaves_a_ref_field_out() {
    let api = mini_with(&[Replace(
        "classes/console.yaml",
        "    qualifier: RO/constructor\n    lifecycle",
        "    qualifier: RO/constructor\n    inverse: none\n    lifecycle",
    )]);
    let rels = rows(&api);
    assert_eq!(rels.len(), 1, "{rels:?}");
    assert_eq!(rels[0].1, "resident_on");
}

#[test]
fn relations_follow_the_model_when_classes_are_left_out() {
    let api = real();
    let sub = api.subset(&["VM", "VBD"]).expect("known classes");
    let rels = rows(&sub);
    // Every id points into the smaller model.
    assert!(rels.contains(&("VBD".into(), "VM".into(), "VM".into(), "VBDs".into(), false)), "{rels:?}");
    assert!(!rels.iter().any(|r| r.2 == "VDI" || r.0 == "VDI"), "VDI is not in the subset: {rels:?}");
    assert!(rels.contains(&("task".into(), "subtask_of".into(), "task".into(), "subtasks".into(), false)));
    // An older release: VTPMs came later, so that relation is not there.
    let old = api.at_release("rio").expect("a known release");
    let rels = rows(&old);
    assert!(rels.iter().any(|r| r.0 == "VBD" && r.1 == "VM"), "{rels:?}");
    assert!(!rels.iter().any(|r| r.0 == "VTPM"), "{rels:?}");
}

#[test]
fn every_relation_is_a_reference_between_its_classes() {
    let api = real();
    let refs = api.references();
    for r in api.relations() {
        let (from, to) = (r.field.class, r.inverse.class);
        if from != to {
            assert!(refs.contains(&xenapi_gen::model::Reference { from, to }), "{:?}", r.names(&api));
        }
    }
}

#[test]
fn the_special_classes_are_known_by_kind() {
    let api = real();
    for kind in ClassKind::SPECIAL {
        let class = api.class_of_kind(kind).unwrap_or_else(|| panic!("{kind:?} has a class"));
        assert_eq!(class.kind(), kind);
        assert_eq!(ClassKind::of(&class.name), kind);
    }
    assert_eq!(api.class("VM").unwrap().kind(), ClassKind::Ordinary);
    assert_eq!(api.class_of_kind(ClassKind::Ordinary).map(|c| c.name.as_str()), None);
}

#[test]
fn import_json_keeps_the_declared_relations() {
    // Export the real model, import it over a copy of the schema (as
    // `import-json` does to follow upstream), and load the result: the
    // export carries no relations, so the declared ones must be kept.
    let api = real();
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("model.json");
    std::fs::write(&export, xenapi_gen::export::model_json(&api).to_string()).unwrap();
    let schema = dir.path().join("schema");
    common::copy_dir(&common::real_schema(), &schema);
    let files = xenapi_gen::import::import_files(&export, None, None, &schema).unwrap_or_else(|e| panic!("{e}"));
    for (path, text) in files {
        std::fs::write(schema.join(path), text).unwrap();
    }
    let again = xenapi_gen::load_schema(&schema).unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(rows(&again), rows(&api));
}
