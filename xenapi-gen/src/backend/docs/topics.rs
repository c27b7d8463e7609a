//! Which topic each class belongs to: the grouping of the overview
//! diagram. This table is the one place that says it; a class missing
//! from it (a schema of your own) lands in the last topic, and a test
//! checks that the XenAPI schema's classes are each listed exactly once.

/// The topics in the order the overview lists them, each with its classes.
pub const TOPICS: &[(&str, &[&str])] = &[
    ("Compute", &["VM", "VM_appliance", "VM_group", "VMPP", "VMSS", "console", "crashdump", "VTPM"]),
    ("Devices", &["PCI", "PGPU", "GPU_group", "VGPU", "VGPU_type", "PUSB", "USB_group", "VUSB"]),
    (
        "Storage",
        &[
            "SR",
            "VDI",
            "VBD",
            "PBD",
            "SM",
            "LVHD",
            "DR_task",
            "sr_stat",
            "probe_result",
            "vdi_nbd_server_info",
            "PVS_site",
            "PVS_server",
            "PVS_proxy",
            "PVS_cache_storage",
        ],
    ),
    ("Network", &["network", "PIF", "VIF", "Bond", "VLAN", "tunnel", "network_sriov", "SDN_controller"]),
    (
        "Host and pool",
        &[
            "pool",
            "host",
            "host_cpu",
            "host_crashdump",
            "Cluster",
            "Cluster_host",
            "Certificate",
            "Feature",
            "Host_driver",
            "Driver_variant",
        ],
    ),
    ("Access", &["session", "user", "role", "auth", "subject", "secret", "Caller", "Rate_limit"]),
    ("Updates", &["pool_update", "pool_patch", "host_patch", "Repository"]),
    (
        "Metrics and monitoring",
        &[
            "VM_metrics",
            "VM_guest_metrics",
            "host_metrics",
            "PIF_metrics",
            "VBD_metrics",
            "VIF_metrics",
            "data_source",
            "message",
            "Observer",
        ],
    ),
    ("Other", &["event", "task", "blob"]),
];

/// The index in [`TOPICS`] of the topic that lists `class`, if one does.
pub fn listed_topic(class: &str) -> Option<usize> {
    TOPICS.iter().position(|(_, classes)| classes.contains(&class))
}

/// The topic of `class`: its listed one, else the last ("Other").
pub fn topic_of(class: &str) -> usize {
    listed_topic(class).unwrap_or(TOPICS.len() - 1)
}
