//! Deterministic benchmark data shared by the benches: 1,000 fully
//! populated VM records, written as a `VM.get_all_records` reply in both
//! wire protocols.
//!
//! The documents are written from a small ordered value tree (not by the
//! codecs under test), so their bytes are identical on every run and the
//! encoder is not used to produce the decoder's input. Every field of
//! `VmRecord` is present, checked against the field names the record
//! itself serializes.

#![allow(dead_code)]

pub mod codec;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Number of VMs in the generated reply.
pub const VM_COUNT: usize = 1000;

/// A wire value in a fixed order.
#[derive(Clone, Debug)]
pub enum V {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    DateTime(String),
    Array(Vec<V>),
    Struct(Vec<(String, V)>),
}

fn s(x: impl Into<String>) -> V {
    V::Str(x.into())
}

fn strs<I: IntoIterator<Item = S>, S: Into<String>>(items: I) -> V {
    V::Array(items.into_iter().map(|x| V::Str(x.into())).collect())
}

fn smap<'a>(items: impl IntoIterator<Item = (&'a str, String)>) -> V {
    V::Struct(items.into_iter().map(|(k, v)| (k.to_string(), V::Str(v))).collect())
}

/// splitmix64: a tiny deterministic generator.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn uuid(&mut self) -> String {
        let a = self.next();
        let b = self.next();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | (b >> 48) & 0x3fff,
            b & 0xffff_ffff_ffff
        )
    }
    pub fn opaque_ref(&mut self) -> String {
        format!("OpaqueRef:{}", self.uuid())
    }
    pub fn refs(&mut self, n: usize) -> V {
        V::Array((0..n).map(|_| V::Str(self.opaque_ref())).collect())
    }
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
    pub fn hex(&mut self, len: usize) -> String {
        let mut out = String::with_capacity(len);
        while out.len() < len {
            let _ = write!(out, "{:016x}", self.next());
        }
        out.truncate(len);
        out
    }
    pub fn base64(&mut self, len: usize) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        (0..len).map(|_| A[self.below(64) as usize] as char).collect()
    }
}

const OPS: &[&str] = &[
    "snapshot",
    "clone",
    "copy",
    "create_template",
    "revert",
    "checkpoint",
    "snapshot_with_quiesce",
    "provision",
    "start",
    "start_on",
    "pause",
    "unpause",
    "clean_shutdown",
    "clean_reboot",
    "hard_shutdown",
    "power_state_reset",
    "hard_reboot",
    "suspend",
    "csvm",
    "resume",
    "resume_on",
    "pool_migrate",
    "migrate_send",
    "get_boot_record",
    "send_sysrq",
    "send_trigger",
    "query_services",
    "shutdown",
    "call_plugin",
    "changing_memory_live",
    "changing_dynamic_range",
    "changing_VCPUs_live",
    "changing_NVRAM",
    "assert_operation_valid",
];
const OSES: &[&str] = &[
    "Debian Bookworm 12",
    "Ubuntu Jammy Jellyfish 22.04",
    "Windows Server 2022 (64-bit)",
    "Rocky Linux 9",
    "Windows 11",
    "CentOS Stream 9",
    "SUSE Linux Enterprise Server 15 SP5",
];
const ROLES: &[&str] = &["web", "db", "cache", "build", "ci-runner", "ldap", "mail", "proxy"];
const GUIDANCES: &[&str] =
    &["reboot_host", "reboot_host_on_livepatch_failure", "restart_toolstack", "restart_device_model", "restart_vm"];

/// The restrictions a template puts on a VM, as xapi stores them: an XML
/// document inside a string (so it travels escaped).
fn recommendations(r: &mut Rng) -> String {
    let mem = 1u64 << (34 + r.below(4));
    format!(
        "<restrictions><restriction field=\"memory-static-max\" max=\"{mem}\" />\
         <restriction field=\"vcpus-max\" max=\"{}\" />\
         <restriction field=\"has-vendor-device\" value=\"false\" />\
         <restriction property=\"number-of-vbds\" max=\"255\" />\
         <restriction property=\"number-of-vifs\" max=\"7\" /></restrictions>",
        16 << r.below(3)
    )
}

/// A last-booted record in the s-expression form older hosts store.
fn last_booted_record(r: &mut Rng, uuid: &str, name: &str) -> String {
    let mut out = String::from("('struct' ");
    let _ = write!(out, "('uuid' '{uuid}') ('name_label' '{name}') ");
    for key in ["memory_static_max", "memory_dynamic_min"] {
        let _ = write!(out, "('{key}' '{}') ", 1u64 << (30 + r.below(4)));
    }
    let _ = write!(
        out,
        "('VCPUs_params' ('struct' ('weight' '256'))) ('PV_args' 'console=hvc0 root=/dev/xvda1 ro') \
         ('other_config' ('struct' ('mac_seed' '{}'))) ('domarch' 'x64'))",
        r.uuid(),
    );
    out
}

/// One fully populated VM record, every field present in schema order.
pub fn vm_value(r: &mut Rng, i: usize) -> V {
    let uuid = r.uuid();
    let os = r.pick(OSES);
    let role = r.pick(ROLES);
    let name = format!("{role}-{i:04} ({os})");
    let running = r.below(10) < 7;
    let mem = 1i64 << (30 + r.below(4));
    let vcpus = 1i64 << r.below(4);
    let n_ops = 4 + r.below(8) as usize;
    let allowed: Vec<String> = (0..n_ops).map(|k| OPS[(k * 3 + i) % OPS.len()].to_string()).collect();
    let current = V::Struct((0..1).map(|_| (r.opaque_ref(), V::Str(r.pick(OPS).to_string()))).collect());
    let description = format!(
        "{os} {role} server #{i} for team {} & friends; owner: ops-{}@example.com. \
         Do not delete <see runbook RB-{}>.",
        r.pick(&["alpha", "beta", "gamma", "delta"]),
        r.below(100),
        r.below(10_000)
    );
    let platform = smap([
        ("timeoffset", "0".to_string()),
        ("device-model", "qemu-upstream-compat".to_string()),
        ("videoram", "8".to_string()),
        ("viridian", "true".to_string()),
        ("nx", "true".to_string()),
        ("acpi", "1".to_string()),
        ("apic", "true".to_string()),
        ("cores-per-socket", vcpus.to_string()),
        ("device_id", "0002".to_string()),
    ]);
    let other_config = smap([
        ("install-methods", "cdrom,nfs,http,ftp".to_string()),
        ("base_template_name", os.to_string()),
        ("linux_template", "true".to_string()),
        ("mac_seed", r.uuid()),
        ("folder", format!("/datacenter/{role}")),
        ("XenCenter.CustomFields.owner", format!("ops-{}", r.below(100))),
    ]);
    let bios = smap([
        ("bios-vendor", "Xen".to_string()),
        ("bios-version", "".to_string()),
        ("system-manufacturer", "Xen".to_string()),
        ("system-product-name", "HVM domU".to_string()),
        ("system-serial-number", r.hex(12)),
        ("enclosure-asset-tag", format!("asset-{}", r.below(1_000_000))),
        ("oem-2", "MS_VM_CERT/SHA1/bdbeb6e0a816d43fa6d3fe8aaef04c2bad9d3e3d".to_string()),
    ]);
    let snap_secs = 1_700_000_000 + r.below(30_000_000) as i64;
    let snap_time = {
        // YYYYMMDDTHH:MM:SSZ for the instant, computed by hand.
        let days = snap_secs.div_euclid(86_400);
        let rem = snap_secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        format!("{y:04}{m:02}{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem / 60 % 60, rem % 60)
    };
    let fields: Vec<(&str, V)> = vec![
        ("uuid", s(uuid.clone())),
        ("allowed_operations", strs(allowed)),
        ("current_operations", current),
        ("name_label", s(name.clone())),
        ("name_description", s(description)),
        ("power_state", s(if running { "Running" } else { "Halted" })),
        ("user_version", V::Int(1 + r.below(5) as i64)),
        ("is_a_template", V::Bool(false)),
        ("is_default_template", V::Bool(false)),
        ("suspend_VDI", s(r.opaque_ref())),
        ("resident_on", s(r.opaque_ref())),
        ("scheduled_to_be_resident_on", s(r.opaque_ref())),
        ("affinity", s(r.opaque_ref())),
        ("memory_overhead", V::Int(mem / 128 + 1_048_576)),
        ("memory_target", V::Int(mem)),
        ("memory_static_max", V::Int(mem)),
        ("memory_dynamic_max", V::Int(mem)),
        ("memory_dynamic_min", V::Int(mem / 2)),
        ("memory_static_min", V::Int(mem / 4)),
        (
            "VCPUs_params",
            smap([
                ("weight", "256".to_string()),
                ("cap", "0".to_string()),
                ("mask", (0..vcpus).map(|c| c.to_string()).collect::<Vec<_>>().join(",")),
            ]),
        ),
        ("VCPUs_max", V::Int(vcpus)),
        ("VCPUs_at_startup", V::Int(vcpus)),
        ("actions_after_softreboot", s("soft_reboot")),
        ("actions_after_shutdown", s("destroy")),
        ("actions_after_reboot", s("restart")),
        ("actions_after_crash", s(r.pick(&["restart", "preserve", "coredump_and_restart"]))),
        ("consoles", r.refs(1)),
        ("VIFs", {
            let n = 1 + r.below(2) as usize;
            r.refs(n)
        }),
        ("VBDs", {
            let n = 2 + r.below(2) as usize;
            r.refs(n)
        }),
        ("VUSBs", r.refs(1)),
        ("crash_dumps", r.refs(1)),
        ("VTPMs", r.refs(1)),
        ("PV_bootloader", s("pygrub")),
        ("PV_kernel", s("/boot/vmlinuz-6.1.0-18-amd64")),
        ("PV_ramdisk", s("/boot/initrd.img-6.1.0-18-amd64")),
        ("PV_args", s("console=hvc0 root=/dev/xvda1 ro quiet splash net.ifnames=0 biosdevname=0")),
        ("PV_bootloader_args", s("--kernel=/vmlinuz --ramdisk=/initrd.img")),
        ("PV_legacy_args", s("")),
        ("HVM_boot_policy", s("BIOS order")),
        ("HVM_boot_params", smap([("order", "cdn".to_string()), ("firmware", "uefi".to_string())])),
        ("HVM_shadow_multiplier", V::Float(1.0 + r.below(8) as f64 * 0.25)),
        ("platform", platform),
        ("PCI_bus", s("")),
        ("other_config", other_config),
        ("domid", V::Int(if running { 1 + r.below(5000) as i64 } else { -1 })),
        ("domarch", s("x64")),
        ("last_boot_CPU_flags", smap([("vendor", "GenuineIntel".to_string()), ("features", r.hex(71))])),
        ("is_control_domain", V::Bool(false)),
        ("metrics", s(r.opaque_ref())),
        ("guest_metrics", s(r.opaque_ref())),
        ("last_booted_record", s(last_booted_record(r, &uuid, &name))),
        ("recommendations", s(recommendations(r))),
        (
            "xenstore_data",
            smap([
                ("vm-data", "".to_string()),
                ("vm-data/mmio-hole-size", "268435456".to_string()),
                ("vm-data/hostname", format!("{role}-{i:04}.example.com")),
            ]),
        ),
        ("ha_always_run", V::Bool(running)),
        ("ha_restart_priority", s(if running { "restart" } else { "" })),
        ("is_a_snapshot", V::Bool(false)),
        ("snapshot_of", s("OpaqueRef:NULL")),
        ("snapshots", r.refs(1)),
        ("snapshot_time", V::DateTime(snap_time)),
        ("transportable_snapshot_id", s(r.uuid())),
        ("blobs", V::Struct(vec![("notes".into(), s(r.opaque_ref()))])),
        ("tags", strs([role.to_string(), format!("rack-{}", r.below(40))])),
        ("blocked_operations", smap([("destroy", "protected by policy".to_string())])),
        ("snapshot_info", smap([("power-state-at-snapshot", "Running".to_string())])),
        ("snapshot_metadata", s(format!("snapshot of {name} before upgrade"))),
        ("parent", s(r.opaque_ref())),
        ("children", r.refs(1)),
        ("bios_strings", bios),
        ("protection_policy", s("OpaqueRef:NULL")),
        ("is_snapshot_from_vmpp", V::Bool(false)),
        ("snapshot_schedule", s(r.opaque_ref())),
        ("is_vmss_snapshot", V::Bool(false)),
        ("appliance", s(r.opaque_ref())),
        ("start_delay", V::Int(r.below(60) as i64)),
        ("shutdown_delay", V::Int(r.below(60) as i64)),
        ("order", V::Int(r.below(10) as i64)),
        ("VGPUs", r.refs(1)),
        ("attached_PCIs", r.refs(1)),
        ("suspend_SR", s(r.opaque_ref())),
        ("version", V::Int(r.below(20) as i64)),
        ("generation_id", s(format!("{}:{}", r.below(1 << 40), r.below(1 << 40)))),
        ("hardware_platform_version", V::Int(2)),
        ("has_vendor_device", V::Bool(r.below(2) == 0)),
        ("requires_reboot", V::Bool(false)),
        ("reference_label", s(os.to_lowercase().replace(' ', "-"))),
        ("domain_type", s(r.pick(&["hvm", "pv", "pvh", "pv_in_pvh"]))),
        ("NVRAM", smap([("EFI-variables", r.base64(160)), ("EFI-variables-backend", "xapidb".to_string())])),
        ("pending_guidances", strs([r.pick(GUIDANCES)])),
        ("pending_guidances_recommended", strs([r.pick(GUIDANCES)])),
        ("pending_guidances_full", strs([r.pick(GUIDANCES)])),
        ("groups", r.refs(1)),
        ("secureboot_certificates_state", s(r.pick(&["ok", "update_available", "update_on_boot"]))),
    ];
    V::Struct(fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The `Value` of `VM.get_all_records`: a struct from VM ref to record.
pub fn all_records_value(count: usize) -> V {
    let mut r = Rng::new(0x005e_ed0f_7e57_da7a);
    V::Struct(
        (0..count)
            .map(|i| {
                let vm_ref = r.opaque_ref();
                (vm_ref, vm_value(&mut r, i))
            })
            .collect(),
    )
}

fn escape_xml(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
}

/// XenAPI's XML-RPC form of `v` (ints as `<string>`s).
pub fn write_xml(out: &mut String, v: &V) {
    match v {
        V::Str(t) => {
            out.push_str("<value><string>");
            escape_xml(out, t);
            out.push_str("</string></value>");
        }
        V::Int(n) => {
            let _ = write!(out, "<value><string>{n}</string></value>");
        }
        V::Float(f) => {
            let _ = write!(out, "<value><double>{f:?}</double></value>");
        }
        V::Bool(b) => {
            let _ = write!(out, "<value><boolean>{}</boolean></value>", u8::from(*b));
        }
        V::DateTime(t) => {
            let _ = write!(out, "<value><dateTime.iso8601>{t}</dateTime.iso8601></value>");
        }
        V::Array(items) => {
            out.push_str("<value><array><data>");
            for item in items {
                write_xml(out, item);
            }
            out.push_str("</data></array></value>");
        }
        V::Struct(members) => {
            out.push_str("<value><struct>");
            for (k, item) in members {
                out.push_str("<member><name>");
                escape_xml(out, k);
                out.push_str("</name>");
                write_xml(out, item);
                out.push_str("</member>");
            }
            out.push_str("</struct></value>");
        }
    }
}

/// JSON-RPC form of `v` (ints as numbers, datetimes as strings).
pub fn to_json(v: &V) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        V::Str(t) | V::DateTime(t) => J::String(t.clone()),
        V::Int(n) => J::from(*n),
        V::Float(f) => J::from(*f),
        V::Bool(b) => J::Bool(*b),
        V::Array(items) => J::Array(items.iter().map(to_json).collect()),
        V::Struct(members) => J::Object(members.iter().map(|(k, item)| (k.clone(), to_json(item))).collect()),
    }
}

/// The whole XML-RPC `methodResponse` for `value`.
pub fn xml_response(value: &V) -> Vec<u8> {
    let mut out = String::with_capacity(16 << 20);
    out.push_str(
        "<?xml version=\"1.0\"?><methodResponse><params><param><value><struct>\
         <member><name>Status</name><value>Success</value></member><member><name>Value</name>",
    );
    write_xml(&mut out, value);
    out.push_str("</member></struct></value></param></params></methodResponse>\n");
    out.into_bytes()
}

/// The whole JSON-RPC 2.0 reply for `value`.
pub fn json_response(value: &V) -> Vec<u8> {
    let doc = serde_json::json!({"jsonrpc": "2.0", "result": to_json(value), "id": 1});
    serde_json::to_vec(&doc).expect("JSON of plain values")
}

/// Both documents of the benchmark.
pub struct Data {
    pub xml: Vec<u8>,
    pub json: Vec<u8>,
}

/// Builds the benchmark documents for `count` VMs and checks that they
/// carry every field of `VmRecord` and decode to the same typed records.
pub fn build(count: usize) -> Data {
    let value = all_records_value(count);
    check_every_field(&value);
    let data = Data { xml: xml_response(&value), json: json_response(&value) };
    let from_xml = decode_xml(&data.xml);
    let from_json = decode_json(&data.json);
    assert_eq!(from_xml.len(), count);
    assert!(from_xml == from_json, "the XML and JSON documents decode differently");
    assert!(
        from_json == decode_json_serde_json(&data.json),
        "the direct JSON reader and serde_json decode differently"
    );
    data
}

/// The record of every VM in the generated data names every field the
/// typed record has.
fn check_every_field(value: &V) {
    let defaults = serde_json::to_value(xenapi::VmRecord::default()).expect("record to JSON");
    let want: Vec<&String> = defaults.as_object().expect("record is an object").keys().collect();
    let V::Struct(vms) = value else { unreachable!() };
    for (_, vm) in vms {
        let V::Struct(members) = vm else { unreachable!() };
        let have: std::collections::HashSet<&str> = members.iter().map(|(k, _)| k.as_str()).collect();
        let missing: Vec<&&String> = want.iter().filter(|k| !have.contains(k.as_str())).collect();
        assert!(missing.is_empty(), "generated VM lacks fields {missing:?}");
        assert_eq!(have.len(), want.len(), "generated VM has fields VmRecord lacks");
    }
}

/// What `VM.get_all_records` returns to a generated client.
pub type AllRecords = xenapi_rt::types::Map<xenapi::VmRef, xenapi::VmRecord>;

pub fn decode_xml(body: &[u8]) -> AllRecords {
    xenapi_rt::xmlrpc::decode_response(body).expect("XML-RPC reply decodes")
}

pub fn decode_json(body: &[u8]) -> AllRecords {
    xenapi_rt::jsonrpc::decode_response(body).expect("JSON-RPC reply decodes")
}

/// [`decode_json`] by `serde_json` alone (the reader replies had before
/// the direct one), for comparison.
pub fn decode_json_serde_json(body: &[u8]) -> AllRecords {
    xenapi_rt::jsonrpc::decode_response_serde_json(body, &xenapi_rt::Limits::default())
        .expect("JSON-RPC reply decodes with serde_json")
}

/// Where the driver asks the benches to put (and Python to read) the data;
/// `None` when the bench runs on its own.
pub fn data_dir() -> Option<PathBuf> {
    std::env::var_os("XENAPI_BENCH_DATA").map(PathBuf::from)
}

/// Writes the documents under `dir` as `vm_all_records.xml` and
/// `vm_all_records.json`.
pub fn write_files(data: &Data, dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("vm_all_records.xml"), &data.xml)?;
    std::fs::write(dir.join("vm_all_records.json"), &data.json)?;
    Ok(())
}
