//! Small hand-written types shaped like generated XenAPI bindings.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use xenapi_rt::types::{DateTime, Float};

#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum PowerState {
    #[default]
    Halted,
    Paused,
    Running,
    Suspended,
    #[serde(rename = "unknown")]
    Unknown,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Default)]
#[serde(transparent)]
pub struct Ref(pub String);

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Default)]
#[serde(default)]
pub struct VmRecord {
    pub uuid: String,
    pub name_label: String,
    pub power_state: PowerState,
    #[serde(rename = "VCPUs_max")]
    pub vcpus_max: i64,
    #[serde(with = "xenapi_rt::types::float")]
    pub memory_ratio: f64,
    pub is_a_template: bool,
    pub last_booted: DateTime,
    pub tags: Vec<String>,
    pub allowed_operations: BTreeSet<PowerState>,
    pub other_config: BTreeMap<String, String>,
    #[serde(rename = "VCPUs_utilisation")]
    pub vcpus_utilisation: BTreeMap<i64, Float>,
    pub power_counts: BTreeMap<PowerState, i64>,
    pub nested: BTreeMap<String, BTreeMap<String, String>>,
    pub affinity: Ref,
    pub suspend_sr: Option<Ref>,
}

pub fn sample_vm() -> VmRecord {
    VmRecord {
        uuid: "0f6c8a2e-1111-2222-3333-444455556666".into(),
        name_label: "web <01> & \"friends\"".into(),
        power_state: PowerState::Running,
        vcpus_max: 4,
        memory_ratio: f64::NAN,
        is_a_template: false,
        last_booted: DateTime::parse("20240420T12:00:00Z").unwrap(),
        tags: vec!["prod".into(), "eu".into()],
        allowed_operations: [PowerState::Halted, PowerState::Suspended].into_iter().collect(),
        other_config: [("k".to_string(), "v".to_string())].into_iter().collect(),
        vcpus_utilisation: [(0, Float(0.25)), (1, Float(f64::INFINITY))].into_iter().collect(),
        power_counts: [(PowerState::Running, 3)].into_iter().collect(),
        nested: [("outer".to_string(), [("inner".to_string(), "x".to_string())].into_iter().collect())]
            .into_iter()
            .collect(),
        affinity: Ref("OpaqueRef:NULL".into()),
        suspend_sr: Some(Ref("OpaqueRef:abc".into())),
    }
}

/// Compares two records, treating NaN as equal to NaN.
pub fn assert_vm_eq(a: &VmRecord, b: &VmRecord) {
    let mut a2 = a.clone();
    let mut b2 = b.clone();
    assert_eq!(a.memory_ratio.is_nan(), b.memory_ratio.is_nan());
    if a.memory_ratio.is_nan() {
        a2.memory_ratio = 0.0;
        b2.memory_ratio = 0.0;
    }
    assert_eq!(a2, b2);
}
