//! `VM.provision`: the disks a template's `other_config:disks` describes.

use std::collections::HashMap;

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};
use xenapi::{
    ApiError, PoolRecord, SrRecord, SrRef, VbdMode, VbdRecord, VbdType, VdiRecord, VdiType, VmOperations as Op,
    VmRecord, VmRef,
};
use xenapi_rt::types::containers::format_compact;

use crate::behaviour::check_vm_op;
use crate::store::Tx;

/// One `<disk .../>` of a template's `disks` provisioning XML.
#[derive(Debug)]
struct DiskSpec {
    device: String,
    size: i64,
    sr: String,
    bootable: bool,
    kind: VdiType,
}

/// What xapi answers when the XML is well formed but not a provisioning
/// spec: its template reader raises an OCaml exception, which reaches the
/// client as an internal error carrying the exception's name.
fn not_a_spec() -> ApiError {
    ApiError::InternalError { message: "Xapi_templates.Parse_failure".into() }
}

/// What xapi answers when the text is not XML at all: its XML library's
/// error, printed as "XML Error: <reason> line <n>".
fn not_xml(xml: &str, at: u64, why: impl std::fmt::Display) -> ApiError {
    let upto = xml.len().min(usize::try_from(at).unwrap_or(usize::MAX));
    let line = 1 + xml.as_bytes()[..upto].iter().filter(|b| **b == b'\n').count();
    ApiError::InternalError { message: format!("XML Error: {why} line {line}") }
}

/// A disk type as xapi's template reader spells it; anything else (or no
/// `type` at all) makes a system disk, as there.
fn disk_type(name: Option<&str>) -> VdiType {
    match name {
        Some("user") => VdiType::User,
        Some("ephemeral") => VdiType::Ephemeral,
        Some("suspend") => VdiType::Suspend,
        Some("crashdump") => VdiType::Crashdump,
        _ => VdiType::System,
    }
}

/// The attributes of a `<disk/>`, by local name, their entities decoded.
fn disk_attrs(xml: &str, at: u64, e: &BytesStart<'_>) -> Result<HashMap<String, String>, ApiError> {
    let mut attrs = HashMap::new();
    for a in e.attributes() {
        let a = a.map_err(|err| not_xml(xml, at, err))?;
        let name = a.key.local_name().as_ref().to_string();
        let value = a.normalized_value(XmlVersion::Implicit1_0).map_err(|err| not_xml(xml, at, err))?.into_owned();
        attrs.insert(name, value);
    }
    Ok(attrs)
}

/// One disk from its attributes: `device`, `size`, `sr` and `bootable`
/// are required (else it is not a spec), `type` is optional.
fn disk(mut attrs: HashMap<String, String>) -> Option<DiskSpec> {
    let mut take = |k: &str| attrs.remove(k);
    let (device, size, sr, bootable) = (take("device")?, take("size")?, take("sr")?, take("bootable")?);
    Some(DiskSpec {
        device,
        size: size.parse().ok()?,
        sr,
        bootable: bootable == "true",
        kind: disk_type(attrs.get("type").map(String::as_str)),
    })
}

/// Reads a template's `<provision>` XML (one `<disk/>` per disk to make)
/// with a real XML parser, so that entities such as `&quot;` and `&amp;`
/// in attribute values are decoded. As in xapi the whole document is read
/// before its shape is judged: malformed XML gives the XML error, well
/// formed XML of another shape `Parse_failure` (see [`not_a_spec`]).
fn parse_disks(xml: &str) -> Result<Vec<DiskSpec>, ApiError> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().trim_text(true);
    let mut disks = Vec::new();
    let mut shape_ok = true;
    // Elements open: 1 inside <provision>, 2 inside a <disk>.
    let mut depth = 0usize;
    let mut open_disk = None;
    loop {
        let at = reader.buffer_position();
        let event = reader.read_event().map_err(|e| not_xml(xml, reader.error_position(), e))?;
        let (start, empty) = match &event {
            Event::Start(e) => (Some(e), false),
            Event::Empty(e) => (Some(e), true),
            _ => (None, false),
        };
        if let Some(e) = start {
            let name = e.local_name();
            match depth {
                0 => shape_ok &= name.as_ref() == "provision" && e.attributes().next().is_none(),
                1 if name.as_ref() == "disk" => {
                    let d = disk(disk_attrs(xml, at, e)?);
                    shape_ok &= d.is_some();
                    open_disk = d;
                }
                _ => shape_ok = false,
            }
            if empty {
                if depth == 1 {
                    disks.extend(open_disk.take());
                }
            } else {
                depth += 1;
            }
            if empty && depth == 0 {
                break;
            }
            continue;
        }
        match event {
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
            Event::Text(t) if t.bytes().all(|b| b.is_ascii_whitespace()) => {}
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                match depth {
                    0 => break,
                    1 => disks.extend(open_disk.take()),
                    _ => {}
                }
            }
            Event::Eof => return Err(not_xml(xml, at, "unexpected end of input")),
            _ => shape_ok = false,
        }
    }
    if shape_ok {
        Ok(disks)
    } else {
        Err(not_a_spec())
    }
}

pub fn provision(tx: &mut Tx<'_>, vm: &str) -> Result<(), ApiError> {
    let rec = tx.get::<VmRecord>(vm)?.clone();
    check_vm_op(vm, &rec, &Op::Provision)?;
    // xapi reads the spec before it changes anything.
    let disks = rec.other_config.get("disks").map(|xml| parse_disks(xml)).transpose()?;
    // As xapi does: the VM stops being a template first, so that it can
    // start once its disks are made.
    tx.update::<VmRecord, _>(vm, |v| {
        v.is_a_template = false;
        Ok(())
    })?;
    let Some(disks) = disks else { return Ok(()) };
    let default_sr = tx.db().all::<PoolRecord>().into_iter().map(|(_, p)| p.default_sr).find(|s| !s.is_null());
    for disk in disks {
        let sr = if disk.sr.is_empty() { None } else { tx.db().table::<SrRecord>().by_uuid(&disk.sr).cloned() };
        let sr = match (sr, &default_sr) {
            (Some(s), _) => s,
            (None, Some(d)) => d.to_string(),
            (None, None) => return Err(ApiError::DefaultSrNotFound { sr: disk.sr.clone() }),
        };
        let vdi = tx.create(VdiRecord {
            name_label: format_compact!("{} {}", rec.name_label, disk.device),
            sr: SrRef::new(sr),
            virtual_size: disk.size,
            r#type: disk.kind.clone(),
            ..Default::default()
        })?;
        tx.create(VbdRecord {
            vm: VmRef::new(vm),
            vdi,
            userdevice: disk.device.as_str().into(),
            bootable: disk.bootable,
            mode: VbdMode::Rw,
            r#type: VbdType::Disk,
            // As in xapi: a system disk cannot be unplugged from a running VM.
            unpluggable: disk.kind != VdiType::System,
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

    fn message(e: ApiError) -> String {
        match e {
            ApiError::InternalError { message } => message,
            other => panic!("not an internal error: {other:?}"),
        }
    }

    #[test]
    fn provisioning_xml_is_read() {
        let d = parse_disks(
            r#"<?xml version="1.0"?><provision><disk device="0" size="8589934592" sr="" bootable="true" type="system"/>
               <disk device='1' size="1" sr="abc" bootable="false" type="user" ></disk></provision>"#,
        )
        .unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!(
            (d[0].device.as_str(), d[0].size, d[0].bootable, &d[0].kind),
            ("0", 8589934592, true, &VdiType::System)
        );
        assert_eq!(
            (d[1].device.as_str(), d[1].sr.as_str(), d[1].bootable, &d[1].kind),
            ("1", "abc", false, &VdiType::User)
        );
        assert!(parse_disks("<provision/>").unwrap().is_empty());
    }

    #[test]
    fn entities_in_values_are_decoded() {
        let d = parse_disks(
            r#"<provision><disk device="&quot;x&amp;y&#39;" size="1" sr="a&lt;b" bootable="true"/></provision>"#,
        )
        .unwrap();
        assert_eq!((d[0].device.as_str(), d[0].sr.as_str()), ("\"x&y'", "a<b"));
        assert_eq!(d[0].kind, VdiType::System, "no type: a system disk, as in xapi");
    }

    #[test]
    fn malformed_xml_is_an_xml_error_with_its_line() {
        for bad in [
            "",
            "<provision>",
            "<provision><disk size=1/></provision>",
            "<provision>\n<disk device=\"&nope;\"/></provision>",
            "<provision></disk>",
        ] {
            let m = message(parse_disks(bad).unwrap_err());
            assert!(m.starts_with("XML Error: ") && m.contains(" line "), "{bad:?}: {m}");
        }
        assert!(message(parse_disks("<provision>\n\n<a></b></provision>").unwrap_err()).ends_with("line 3"));
    }

    #[test]
    fn xml_of_another_shape_is_a_parse_failure() {
        for other in [
            "<disks/>",
            r#"<provision version="2"/>"#,
            r#"<provision><disk device="0" size="1" sr=""/></provision>"#,
            r#"<provision><disk device="0" size="big" sr="" bootable="true"/></provision>"#,
            r#"<provision><disk device="0" size="1" sr="" bootable="true"><x/></disk></provision>"#,
            "<provision>text</provision>",
            "<provision><vif/></provision>",
        ] {
            assert_eq!(message(parse_disks(other).unwrap_err()), "Xapi_templates.Parse_failure", "{other:?}");
        }
    }
}
