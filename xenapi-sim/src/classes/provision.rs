//! `VM.provision`: the disks a template's `other_config:disks` describes.

use xenapi::{ApiError, PoolRecord, SrRecord, SrRef, VbdMode, VbdRecord, VbdType, VdiRecord, VdiType, VmOperations as Op, VmRecord, VmRef};

use crate::behaviour::check_vm_op;
use crate::store::Tx;

/// One `<disk .../>` of a template's `disks` provisioning XML.
#[derive(Debug, Default)]
struct DiskSpec {
    device: String,
    size: i64,
    sr: String,
    bootable: bool,
    kind: String,
}

/// Reads `<provision><disk device="0" size="…" sr="" bootable="true"
/// type="system"/></provision>`.
fn parse_disks(xml: &str) -> Result<Vec<DiskSpec>, ApiError> {
    let bad = |why: &str| ApiError::InvalidValue { field: "other_config:disks".into(), value: format!("{why}: {xml}") };
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find("<disk") {
        let after = &rest[start + 5..];
        let end = after.find('>').ok_or_else(|| bad("unterminated <disk>"))?;
        let attrs = after[..end].trim_end_matches('/');
        let mut d = DiskSpec::default();
        let mut a = attrs.trim();
        while !a.is_empty() {
            let eq = a.find('=').ok_or_else(|| bad("attribute without a value"))?;
            let name = a[..eq].trim();
            let v = a[eq + 1..].trim_start();
            let q = v.chars().next().filter(|c| *c == '"' || *c == '\'').ok_or_else(|| bad("unquoted attribute"))?;
            let close = v[1..].find(q).ok_or_else(|| bad("unterminated attribute"))?;
            let value = &v[1..1 + close];
            match name {
                "device" => d.device = value.to_string(),
                "size" => d.size = value.parse().map_err(|_| bad("size is not a number"))?,
                "sr" => d.sr = value.to_string(),
                "bootable" => d.bootable = value == "true",
                "type" => d.kind = value.to_string(),
                _ => {}
            }
            a = v[1 + close + 1..].trim_start();
        }
        out.push(d);
        rest = &after[end..];
    }
    Ok(out)
}

pub fn provision(tx: &mut Tx<'_>, vm: &str) -> Result<(), ApiError> {
    let rec = tx.get::<VmRecord>(vm)?.clone();
    check_vm_op(vm, &rec, &Op::Provision)?;
    // As xapi does: the VM stops being a template first, so that it can
    // start once its disks are made.
    tx.update::<VmRecord, _>(vm, |v| {
        v.is_a_template = false;
        Ok(())
    })?;
    let Some(xml) = rec.other_config.get("disks").cloned() else { return Ok(()) };
    let default_sr = tx.db().all::<PoolRecord>().into_iter().map(|(_, p)| p.default_sr).find(|s| !s.is_null());
    for disk in parse_disks(&xml)? {
        let sr = if disk.sr.is_empty() {
            None
        } else {
            tx.db().table::<SrRecord>().by_uuid(&disk.sr).cloned()
        };
        let sr = match (sr, &default_sr) {
            (Some(s), _) => s,
            (None, Some(d)) => d.to_string(),
            (None, None) => return Err(ApiError::DefaultSrNotFound { sr: disk.sr.clone() }),
        };
        let vdi = tx.create(VdiRecord {
            name_label: format!("{} {}", rec.name_label, disk.device),
            sr: SrRef::new(sr),
            virtual_size: disk.size,
            r#type: if disk.kind == "system" { VdiType::System } else { VdiType::User },
            ..Default::default()
        })?;
        tx.create(VbdRecord {
            vm: VmRef::new(vm),
            vdi,
            userdevice: disk.device.clone(),
            bootable: disk.bootable,
            mode: VbdMode::Rw,
            r#type: VbdType::Disk,
            unpluggable: true,
            ..Default::default()
        })?;
    }
    tx.update::<VmRecord, _>(vm, |v| {
        v.other_config.remove("disks");
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provisioning_xml_is_read() {
        let d = parse_disks(
            r#"<provision><disk device="0" size="8589934592" sr="" bootable="true" type="system"/><disk device='1' size="1" sr="abc" bootable="false" type="user" /></provision>"#,
        )
        .unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!((d[0].device.as_str(), d[0].size, d[0].bootable, d[0].kind.as_str()), ("0", 8589934592, true, "system"));
        assert_eq!((d[1].device.as_str(), d[1].sr.as_str(), d[1].bootable), ("1", "abc", false));
        assert!(parse_disks("<provision><disk size=1/></provision>").is_err());
    }
}

