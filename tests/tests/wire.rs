//! Golden wire tests for the generated types: every record in both
//! protocols and both directions, schema defaults for missing fields,
//! unknown fields and enum values, error descriptions (well-formed and
//! not), and the scalar forms servers are known to send.
#![allow(deprecated)]

use std::collections::HashMap;
use std::fmt::Debug;

use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use xenapi::server::Record;
use xenapi::{
    ApiError, DomainType, Error, NetworkRecord, OnSoftrebootBehavior, VmMetricsRecord, VmOperations, VmPowerState,
    VmRecord,
};
use xenapi_rt::types::{DateTime, Ref};
use xenapi_rt::{jsonrpc, xmlrpc, CallError};
use xenapi_tests::model::model;

fn to_xml<T: Serialize>(v: &T) -> String {
    String::from_utf8(xmlrpc::to_vec(v).expect("XML encode")).expect("UTF-8")
}

fn from_xml<T: DeserializeOwned>(s: &str) -> T {
    xmlrpc::decode_value(s.as_bytes()).unwrap_or_else(|e| panic!("XML decode of {s}: {e}"))
}

fn from_json<T: DeserializeOwned>(s: &str) -> T {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("JSON decode of {s}: {e}"))
}

/// Every record type with its class's wire name.
macro_rules! for_all_records {
    ($f:ident) => {{
        use xenapi::*;
        $f::<BlobRecord>("blob");
        $f::<BondRecord>("Bond");
        $f::<CertificateRecord>("Certificate");
        $f::<ClusterRecord>("Cluster");
        $f::<ClusterHostRecord>("Cluster_host");
        $f::<ConsoleRecord>("console");
        $f::<CrashdumpRecord>("crashdump");
        $f::<DataSourceRecord>("data_source");
        $f::<DrTaskRecord>("DR_task");
        $f::<EventRecord>("event");
        $f::<FeatureRecord>("Feature");
        $f::<GpuGroupRecord>("GPU_group");
        $f::<HostRecord>("host");
        $f::<HostCpuRecord>("host_cpu");
        $f::<HostCrashdumpRecord>("host_crashdump");
        $f::<HostMetricsRecord>("host_metrics");
        $f::<HostPatchRecord>("host_patch");
        $f::<LvhdRecord>("LVHD");
        $f::<MessageRecord>("message");
        $f::<NetworkRecord>("network");
        $f::<NetworkSriovRecord>("network_sriov");
        $f::<ObserverRecord>("Observer");
        $f::<PbdRecord>("PBD");
        $f::<PciRecord>("PCI");
        $f::<PgpuRecord>("PGPU");
        $f::<PifRecord>("PIF");
        $f::<PifMetricsRecord>("PIF_metrics");
        $f::<PoolRecord>("pool");
        $f::<PoolPatchRecord>("pool_patch");
        $f::<PoolUpdateRecord>("pool_update");
        $f::<ProbeResultRecord>("probe_result");
        $f::<PusbRecord>("PUSB");
        $f::<PvsCacheStorageRecord>("PVS_cache_storage");
        $f::<PvsProxyRecord>("PVS_proxy");
        $f::<PvsServerRecord>("PVS_server");
        $f::<PvsSiteRecord>("PVS_site");
        $f::<RepositoryRecord>("Repository");
        $f::<RoleRecord>("role");
        $f::<SdnControllerRecord>("SDN_controller");
        $f::<SecretRecord>("secret");
        $f::<SessionRecord>("session");
        $f::<SmRecord>("SM");
        $f::<SrRecord>("SR");
        $f::<SrStatRecord>("sr_stat");
        $f::<SubjectRecord>("subject");
        $f::<TaskRecord>("task");
        $f::<TunnelRecord>("tunnel");
        $f::<UsbGroupRecord>("USB_group");
        $f::<UserRecord>("user");
        $f::<VbdRecord>("VBD");
        $f::<VbdMetricsRecord>("VBD_metrics");
        $f::<VdiRecord>("VDI");
        $f::<VdiNbdServerInfoRecord>("vdi_nbd_server_info");
        $f::<VgpuRecord>("VGPU");
        $f::<VgpuTypeRecord>("VGPU_type");
        $f::<VifRecord>("VIF");
        $f::<VifMetricsRecord>("VIF_metrics");
        $f::<VlanRecord>("VLAN");
        $f::<VmRecord>("VM");
        $f::<VmApplianceRecord>("VM_appliance");
        $f::<VmGuestMetricsRecord>("VM_guest_metrics");
        $f::<VmMetricsRecord>("VM_metrics");
        $f::<VmppRecord>("VMPP");
        $f::<VmssRecord>("VMSS");
        $f::<VtpmRecord>("VTPM");
        $f::<VusbRecord>("VUSB");
    }};
}

/// A record with every field set (to a non-default value, as the model
/// describes it) survives XML-RPC and JSON-RPC encoding and decoding, and
/// its JSON form is exactly the model's: every field, by its wire name.
fn populated_round_trip<R: Record + PartialEq + Debug>(class: &str) {
    let want = model().populated(class);
    let rec: R = serde_json::from_value(want.clone()).unwrap_or_else(|e| panic!("{class}: {e}"));
    assert_ne!(rec, R::default(), "{class}: populated record equals the default");
    assert_eq!(serde_json::to_value(&rec).expect("to_value"), want, "{class}: JSON form differs from the model");

    let xml = to_xml(&rec);
    let back: R = from_xml(&xml);
    assert_eq!(back, rec, "{class}: XML-RPC round trip");

    let json = serde_json::to_string(&rec).expect("JSON encode");
    let back: R = from_json(&json);
    assert_eq!(back, rec, "{class}: JSON-RPC round trip");

    // Across protocols: decoded from XML, written as JSON, same value.
    let across: R = from_xml(&xml);
    assert_eq!(serde_json::to_value(&across).expect("to_value"), want, "{class}: XML -> JSON");
}

#[test]
fn every_record_fully_populated_round_trips_in_both_protocols() {
    for_all_records!(populated_round_trip);
}

/// An empty struct decodes to the schema defaults (else the type's empty
/// value), in both protocols, and that is also `Default::default()`.
fn empty_struct_takes_defaults<R: Record + PartialEq + Debug>(class: &str) {
    let want = model().defaults(class);
    let from_xml_rec: R = from_xml("<value><struct></struct></value>");
    let from_json_rec: R = from_json("{}");
    assert_eq!(serde_json::to_value(&from_xml_rec).expect("to_value"), want, "{class}: XML defaults");
    assert_eq!(serde_json::to_value(&from_json_rec).expect("to_value"), want, "{class}: JSON defaults");
    assert_eq!(serde_json::to_value(R::default()).expect("to_value"), want, "{class}: Default");
}

#[test]
fn every_record_decodes_missing_fields_as_schema_defaults() {
    for_all_records!(empty_struct_takes_defaults);
}

fn sample_vm() -> VmRecord {
    VmRecord {
        uuid: "0f0e0d0c-0000-4000-8000-000000000001".into(),
        name_label: "web <1> & co".into(),
        power_state: VmPowerState::Running,
        user_version: 7,
        memory_static_max: 8_589_934_592,
        hvm_shadow_multiplier: 1.5,
        snapshot_time: DateTime::from_civil(2024, 1, 31, 10, 0, 0).unwrap(),
        is_a_template: true,
        resident_on: Ref::new("OpaqueRef:host-1"),
        allowed_operations: vec![VmOperations::CleanShutdown, VmOperations::Clone],
        blocked_operations: [(VmOperations::Destroy, "locked".into())].into_iter().collect(),
        other_config: [("k".into(), "v".into())].into_iter().collect(),
        domain_type: DomainType::Hvm,
        ..VmRecord::default()
    }
}

#[test]
fn vm_record_golden_xml() {
    let xml = to_xml(&sample_vm());
    for snippet in [
        "<member><name>uuid</name><value><string>0f0e0d0c-0000-4000-8000-000000000001</string></value></member>",
        "<member><name>name_label</name><value><string>web &lt;1&gt; &amp; co</string></value></member>",
        "<member><name>power_state</name><value><string>Running</string></value></member>",
        // Ints travel as strings, never as <i4>/<int>.
        "<member><name>user_version</name><value><string>7</string></value></member>",
        "<member><name>memory_static_max</name><value><string>8589934592</string></value></member>",
        "<member><name>HVM_shadow_multiplier</name><value><double>1.5</double></value></member>",
        "<member><name>snapshot_time</name><value><dateTime.iso8601>20240131T10:00:00Z</dateTime.iso8601></value></member>",
        "<member><name>is_a_template</name><value><boolean>1</boolean></value></member>",
        "<member><name>resident_on</name><value><string>OpaqueRef:host-1</string></value></member>",
        "<member><name>suspend_VDI</name><value><string>OpaqueRef:NULL</string></value></member>",
        "<member><name>allowed_operations</name><value><array><data><value><string>clean_shutdown</string></value><value><string>clone</string></value></data></array></value></member>",
        "<member><name>blocked_operations</name><value><struct><member><name>destroy</name><value><string>locked</string></value></member></struct></value></member>",
        "<member><name>other_config</name><value><struct><member><name>k</name><value><string>v</string></value></member></struct></value></member>",
        "<member><name>domain_type</name><value><string>hvm</string></value></member>",
        "<member><name>VCPUs_params</name><value><struct></struct></value></member>",
        "<member><name>tags</name><value><array><data></data></array></value></member>",
    ] {
        assert!(xml.contains(snippet), "missing {snippet}\nin {xml}");
    }
    assert!(!xml.contains("<i4>") && !xml.contains("<int>") && !xml.contains("<i8>"));
    assert!(xml.starts_with("<value><struct>") && xml.ends_with("</struct></value>"));
}

#[test]
fn vm_record_golden_json() {
    let v = serde_json::to_value(sample_vm()).unwrap();
    assert_eq!(v["uuid"], json!("0f0e0d0c-0000-4000-8000-000000000001"));
    assert_eq!(v["power_state"], json!("Running"));
    assert_eq!(v["user_version"], json!(7));
    assert_eq!(v["memory_static_max"], json!(8_589_934_592i64));
    assert_eq!(v["HVM_shadow_multiplier"], json!(1.5));
    assert_eq!(v["snapshot_time"], json!("20240131T10:00:00Z"));
    assert_eq!(v["is_a_template"], json!(true));
    assert_eq!(v["resident_on"], json!("OpaqueRef:host-1"));
    assert_eq!(v["allowed_operations"], json!(["clean_shutdown", "clone"]));
    assert_eq!(v["blocked_operations"], json!({"destroy": "locked"}));
    assert_eq!(v["domain_type"], json!("hvm"));
    assert_eq!(v["VCPUs_params"], json!({}));
    // And back.
    let back: VmRecord = serde_json::from_value(v).unwrap();
    assert_eq!(back, sample_vm());
}

#[test]
fn missing_fields_take_schema_defaults() {
    let xml = "<value><struct><member><name>uuid</name><value>u-1</value></member></struct></value>";
    let json = r#"{"uuid": "u-1"}"#;
    for vm in [from_xml::<VmRecord>(xml), from_json::<VmRecord>(json)] {
        assert_eq!(vm.uuid, "u-1");
        assert_eq!(vm.power_state, VmPowerState::Halted);
        assert_eq!(vm.hvm_shadow_multiplier, 1.0);
        assert_eq!(vm.actions_after_softreboot, OnSoftrebootBehavior::SoftReboot);
        assert_eq!(vm.generation_id, "0:0");
        assert_eq!(vm.domain_type, DomainType::Unspecified);
        assert!(vm.snapshot_of.is_null());
        assert_eq!(vm.snapshot_time, DateTime::EPOCH);
        assert_eq!(vm, VmRecord { uuid: "u-1".into(), ..VmRecord::default() });
    }
    for net in [from_xml::<NetworkRecord>(xml), from_json::<NetworkRecord>(json)] {
        assert_eq!(net.mtu, 1500);
        assert!(net.managed);
        assert_eq!(net.uuid, "u-1");
    }
}

#[test]
fn unknown_fields_are_ignored() {
    let xml = "<value><struct>\
        <member><name>uuid</name><value><string>u-2</string></value></member>\
        <member><name>field_from_the_future</name><value><struct>\
          <member><name>deep</name><value><array><data><value><i4>1</i4></value><value><struct></struct></value></data></array></value></member>\
        </struct></value></member>\
        <member><name>power_state</name><value>Paused</value></member>\
        <member><name>another_new_one</name><value><dateTime.iso8601>20300101T00:00:00Z</dateTime.iso8601></value></member>\
        </struct></value>";
    let json = r#"{"uuid": "u-2", "field_from_the_future": {"deep": [1, {}, null]}, "power_state": "Paused", "another_new_one": 3.5}"#;
    let want = VmRecord { uuid: "u-2".into(), power_state: VmPowerState::Paused, ..VmRecord::default() };
    assert_eq!(from_xml::<VmRecord>(xml), want);
    assert_eq!(from_json::<VmRecord>(json), want);
}

#[test]
fn unknown_enum_values_are_kept_and_re_encoded_unchanged() {
    let xml = "<value><struct>\
        <member><name>power_state</name><value><string>Crashed</string></value></member>\
        <member><name>allowed_operations</name><value><array><data><value>clone</value><value>teleport</value></data></array></value></member>\
        <member><name>current_operations</name><value><struct><member><name>OpaqueRef:task</name><value>levitate</value></member></struct></value></member>\
        <member><name>blocked_operations</name><value><struct><member><name>warp_drive</name><value>no</value></member></struct></value></member>\
        </struct></value>";
    let json = r#"{"power_state": "Crashed", "allowed_operations": ["clone", "teleport"],
        "current_operations": {"OpaqueRef:task": "levitate"}, "blocked_operations": {"warp_drive": "no"}}"#;
    for vm in [from_xml::<VmRecord>(xml), from_json::<VmRecord>(json)] {
        assert_eq!(vm.power_state, VmPowerState::Unknown("Crashed".into()));
        assert_eq!(vm.allowed_operations, vec![VmOperations::Clone, VmOperations::Unknown("teleport".into())]);
        assert_eq!(vm.current_operations["OpaqueRef:task"], VmOperations::Unknown("levitate".into()));
        assert_eq!(vm.blocked_operations[&VmOperations::Unknown("warp_drive".into())], "no");

        let out = to_xml(&vm);
        assert!(
            out.contains("<member><name>power_state</name><value><string>Crashed</string></value></member>"),
            "{out}"
        );
        assert!(out.contains("<value><string>teleport</string></value>"));
        assert!(out.contains("<member><name>OpaqueRef:task</name><value><string>levitate</string></value></member>"));
        assert!(out.contains("<member><name>warp_drive</name><value><string>no</string></value></member>"));
        let v = serde_json::to_value(&vm).unwrap();
        assert_eq!(v["power_state"], json!("Crashed"));
        assert_eq!(v["allowed_operations"], json!(["clone", "teleport"]));
        assert_eq!(v["current_operations"], json!({"OpaqueRef:task": "levitate"}));
        assert_eq!(v["blocked_operations"], json!({"warp_drive": "no"}));
        // Decoding the re-encoded forms gives the same record again.
        assert_eq!(from_xml::<VmRecord>(&out), vm);
        assert_eq!(serde_json::from_value::<VmRecord>(v).unwrap(), vm);
    }
    assert_eq!(VmPowerState::Unknown("Crashed".into()).as_str(), "Crashed");
    assert_eq!(from_xml::<VmPowerState>("<value>Running</value>"), VmPowerState::Running);
}

#[test]
fn option_fields_are_left_out_when_none_and_read_back_as_none() {
    use xenapi::{ProbeResultRecord, SrStatRecord};
    let none = ProbeResultRecord { complete: true, sr: None, ..ProbeResultRecord::default() };
    let xml = to_xml(&none);
    assert!(!xml.contains("<name>sr</name>"), "{xml}");
    assert!(!serde_json::to_value(&none).unwrap().as_object().unwrap().contains_key("sr"));
    assert_eq!(from_xml::<ProbeResultRecord>(&xml), none);
    assert_eq!(from_json::<ProbeResultRecord>(&serde_json::to_string(&none).unwrap()), none);
    // What other servers may send for None: nil / null.
    let nil = "<value><struct><member><name>complete</name><value><boolean>1</boolean></value></member>\
        <member><name>sr</name><value><nil/></value></member></struct></value>";
    assert_eq!(from_xml::<ProbeResultRecord>(nil), none);
    assert_eq!(from_json::<ProbeResultRecord>(r#"{"complete": true, "sr": null}"#), none);

    // Some, including Some of an empty string, stays Some in both protocols.
    for uuid in [Some(xenapi_rt::types::Str::default()), Some("u".into()), None] {
        let rec = ProbeResultRecord {
            sr: Some(SrStatRecord { uuid: uuid.clone(), name_label: "x".into(), ..SrStatRecord::default() }),
            ..ProbeResultRecord::default()
        };
        let xml = to_xml(&rec);
        assert_eq!(xml.contains("<name>uuid</name>"), uuid.is_some(), "{xml}");
        assert_eq!(from_xml::<ProbeResultRecord>(&xml), rec);
        assert_eq!(from_json::<ProbeResultRecord>(&serde_json::to_string(&rec).unwrap()), rec);
    }
}

// ---------------------------------------------------------------- errors

fn xml_failure(desc: &[&str]) -> Vec<u8> {
    xmlrpc::encode_failure(desc)
}

fn json_failure(version: jsonrpc::Version, desc: &[&str]) -> Vec<u8> {
    let id = serde_json::value::RawValue::from_string("3".into()).unwrap();
    jsonrpc::encode_failure(version, &id, desc)
}

/// The typed error a client gets from a reply body, in each protocol.
fn errors_from(desc: &[&str]) -> Vec<Error> {
    let mut out = vec![xmlrpc::decode_response::<String>(&xml_failure(desc)).expect_err("XML")];
    for v in [jsonrpc::Version::V1, jsonrpc::Version::V2] {
        out.push(jsonrpc::decode_response::<String>(&json_failure(v, desc)).expect_err("JSON"));
    }
    out.into_iter().map(Error::from).collect()
}

#[test]
fn known_error_codes_give_typed_params_by_name() {
    for e in errors_from(&["HANDLE_INVALID", "VM", "OpaqueRef:gone"]) {
        assert_eq!(e.api(), Some(&ApiError::HandleInvalid { class: "VM".into(), handle: "OpaqueRef:gone".into() }));
    }
    for e in errors_from(&["VM_BAD_POWER_STATE", "OpaqueRef:vm", "halted", "running"]) {
        match e {
            Error::Api(ApiError::VmBadPowerState { vm, expected, actual }) => {
                assert_eq!((vm.as_str(), expected.as_str(), actual.as_str()), ("OpaqueRef:vm", "halted", "running"))
            }
            other => panic!("{other:?}"),
        }
    }
    // Missing params are empty strings.
    for e in errors_from(&["MAP_DUPLICATE_KEY", "VM"]) {
        assert_eq!(
            e.api(),
            Some(&ApiError::MapDuplicateKey {
                r#type: "VM".into(),
                param_name: String::new(),
                uuid: String::new(),
                key: String::new()
            })
        );
    }
    for e in errors_from(&["SESSION_AUTHENTICATION_FAILED"]) {
        assert_eq!(e.api(), Some(&ApiError::SessionAuthenticationFailed));
    }
    // The typed error writes back the same description.
    let e = ApiError::HandleInvalid { class: "VM".into(), handle: "OpaqueRef:x".into() };
    assert_eq!(e.to_description(), vec!["HANDLE_INVALID", "VM", "OpaqueRef:x"]);
    assert_eq!(ApiError::from_description(&e.to_description()), e);
    assert_eq!(e.code(), "HANDLE_INVALID");
}

#[test]
fn unknown_error_codes_are_kept_with_their_params() {
    for e in errors_from(&["FLUX_CAPACITOR_OVERLOAD", "1.21", "GW"]) {
        assert_eq!(
            e.api(),
            Some(&ApiError::Unknown {
                code: "FLUX_CAPACITOR_OVERLOAD".into(),
                params: vec!["1.21".into(), "GW".into()]
            })
        );
    }
    let u = ApiError::Unknown { code: "NEW_CODE".into(), params: vec!["a".into()] };
    assert_eq!(u.to_description(), vec!["NEW_CODE", "a"]);
    assert_eq!(ApiError::from_description(&[]), ApiError::Unknown { code: String::new(), params: vec![] });
}

#[test]
fn hand_written_xml_failures_decode() {
    // Typed <string> elements and bare values, members in either order.
    let body = br#"<?xml version="1.0"?>
<methodResponse><params><param><value><struct>
  <member><name>ErrorDescription</name><value><array><data>
    <value><string>HANDLE_INVALID</string></value><value>SR</value><value><string>OpaqueRef:s</string></value>
  </data></array></value></member>
  <member><name>Status</name><value><string>Failure</string></value></member>
</struct></value></param></params></methodResponse>"#;
    let e = Error::from(xmlrpc::decode_response::<String>(body).unwrap_err());
    assert_eq!(e.api(), Some(&ApiError::HandleInvalid { class: "SR".into(), handle: "OpaqueRef:s".into() }));
}

fn json_reply_error(body: &str) -> Error {
    match jsonrpc::decode_response::<String>(body.as_bytes()) {
        Ok(v) => panic!("{body} decoded to {v:?}"),
        Err(e) => Error::from(e),
    }
}

#[test]
fn malformed_json_error_payloads_become_errors() {
    // Payloads that cannot be read as an error description at all.
    for body in [
        r#"{"jsonrpc":"2.0","error":{"code":-32000,"message":42,"data":[]},"id":1}"#,
        r#"{"jsonrpc":"2.0","error":{"code":-32000,"message":["HANDLE_INVALID"]},"id":1}"#,
        r#"{"jsonrpc":"2.0","error":{"code":-32000,"data":["x"]},"id":1}"#,
        r#"{"jsonrpc":"2.0","error":17,"id":1}"#,
        r#"{"jsonrpc":"2.0","error":true,"id":1}"#,
        r#"{"result":null,"error":[],"id":1}"#,
        r#"{"result":null,"error":[42,"x"],"id":1}"#,
        r#"{"result":null,"error":[null],"id":1}"#,
        r#"{"result":null,"error":{"message":{"nested":"object"}},"id":1}"#,
    ] {
        match json_reply_error(body) {
            Error::Call(CallError::Malformed(_)) => {}
            other => panic!("{body}: {other:?}"),
        }
    }
    // Payloads with the code readable but other parts of the wrong type:
    // still the typed error, never a crash.
    let e = json_reply_error(
        r#"{"jsonrpc":"2.0","error":{"code":"not a number","message":"HANDLE_INVALID","data":"VM"},"id":1}"#,
    );
    assert_eq!(e.api(), Some(&ApiError::HandleInvalid { class: "VM".into(), handle: String::new() }));
    let e = json_reply_error(
        r#"{"jsonrpc":"2.0","error":{"code":-1,"message":"HANDLE_INVALID","data":["VM",42,{"a":1}]},"id":1}"#,
    );
    assert_eq!(e.api(), Some(&ApiError::HandleInvalid { class: "VM".into(), handle: "42".into() }));
    let e = json_reply_error(r#"{"jsonrpc":"2.0","error":{"code":-1,"message":"SESSION_INVALID","data":null},"id":1}"#);
    assert_eq!(e.api(), Some(&ApiError::SessionInvalid { handle: String::new() }));
    let e = json_reply_error(r#"{"result":null,"error":"SESSION_INVALID","id":1}"#);
    assert_eq!(e.api(), Some(&ApiError::SessionInvalid { handle: String::new() }));
    let e = json_reply_error(r#"{"result":null,"error":["UUID_INVALID", 1, 2.5],"id":1}"#);
    assert_eq!(e.api(), Some(&ApiError::UuidInvalid { r#type: "1".into(), uuid: "2.5".into() }));

    // Not a reply at all, or a result of the wrong type.
    for body in ["", "null", "[]", "{", r#"{"result": 42, "id": 1}"#, r#"{"result": {"a": 1}, "id": 1}"#, "\u{0}\u{1}"]
    {
        match json_reply_error(body) {
            Error::Call(_) => {}
            other => panic!("{body:?}: {other:?}"),
        }
    }
}

#[test]
fn malformed_xml_error_payloads_become_errors() {
    let wrap = |members: &str| {
        format!("<methodResponse><params><param><value><struct>{members}</struct></value></param></params></methodResponse>")
    };
    let failure = "<member><name>Status</name><value>Failure</value></member>";
    for body in [
        // ErrorDescription not an array.
        wrap(&format!("{failure}<member><name>ErrorDescription</name><value>HANDLE_INVALID</value></member>")),
        // An array holding a struct.
        wrap(&format!(
            "{failure}<member><name>ErrorDescription</name><value><array><data><value><struct></struct></value></data></array></value></member>"
        )),
        // Empty description, or none.
        wrap(&format!("{failure}<member><name>ErrorDescription</name><value><array><data></data></array></value></member>")),
        wrap(failure),
        // No Status, or an unknown one.
        wrap("<member><name>Value</name><value>x</value></member>"),
        wrap("<member><name>Status</name><value>Maybe</value></member>"),
        // Not a struct, not XML-RPC, not XML.
        "<methodResponse><params><param><value>Failure</value></param></params></methodResponse>".to_string(),
        "<html><body>502 Bad Gateway</body></html>".to_string(),
        "<methodResponse><params><param><value><struct>".to_string(),
        String::new(),
    ] {
        match xmlrpc::decode_response::<String>(body.as_bytes()).map_err(Error::from) {
            Err(Error::Call(_)) => {}
            other => panic!("{body}: {other:?}"),
        }
    }
    // An XML-RPC fault (from a proxy, say) is an error too.
    let fault = "<methodResponse><fault><value><struct><member><name>faultCode</name><value><int>4</int></value></member>\
        <member><name>faultString</name><value>Too many parameters.</value></member></struct></value></fault></methodResponse>";
    match xmlrpc::decode_response::<String>(fault.as_bytes()).map_err(Error::from) {
        Err(Error::Call(CallError::Fault { code: 4, message })) => assert_eq!(message, "Too many parameters."),
        other => panic!("{other:?}"),
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        "[A-Z_]{0,12}".prop_map(Value::from),
        ".{0,8}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::hash_map("(code|message|data|[a-z]{1,4})", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Whatever a server puts in `error`, the client gets an error back
    /// (typed when a string code can be found) and never panics.
    #[test]
    fn any_json_error_payload_is_an_error(error in json_value(), v2 in any::<bool>()) {
        prop_assume!(!error.is_null());
        let mut reply = json!({"result": null, "error": error, "id": 1});
        if v2 {
            reply["jsonrpc"] = json!("2.0");
        }
        let body = serde_json::to_vec(&reply).unwrap();
        let err = jsonrpc::decode_response::<String>(&body).expect_err("an error payload must not decode as a result");
        let _ = Error::from(err).to_string();
    }

    /// Any error description round-trips through both protocols into the
    /// same typed error.
    #[test]
    fn any_description_gives_the_same_typed_error(desc in prop::collection::vec("[A-Za-z_:0-9 ]{0,10}", 1..5)) {
        let desc: Vec<&str> = desc.iter().map(String::as_str).collect();
        let want = ApiError::from_description(&desc.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        for e in errors_from(&desc) {
            prop_assert_eq!(e.api(), Some(&want));
        }
    }
}

// ---------------------------------------------------------------- scalars

#[test]
fn ints_travel_as_strings_and_decode_from_every_xml_int_form() {
    assert_eq!(to_xml(&42i64), "<value><string>42</string></value>");
    assert_eq!(to_xml(&i64::MIN), "<value><string>-9223372036854775808</string></value>");
    // A bare int in each XML form is xenapi-rt's own test (tests/wire.rs
    // there); here the largest one, and each form inside a record.
    assert_eq!(from_xml::<i64>("<value><i8>9223372036854775807</i8></value>"), i64::MAX);
    for member in ["<i4>3</i4>", "<int>3</int>", "<i8>3</i8>", "<string>3</string>", "3"] {
        let xml = format!(
            "<value><struct><member><name>user_version</name><value>{member}</value></member></struct></value>"
        );
        assert_eq!(from_xml::<VmRecord>(&xml).user_version, 3, "{member}");
    }
    // Int-keyed maps: keys are member names.
    let m: VmMetricsRecord = from_xml(
        "<value><struct><member><name>VCPUs_CPU</name><value><struct>\
         <member><name>0</name><value><i4>2</i4></value></member>\
         <member><name>1</name><value><string>3</string></value></member>\
         </struct></value></member></struct></value>",
    );
    assert_eq!(m.vcpus_cpu, HashMap::from([(0, 2), (1, 3)]));
    let out = to_xml(&m);
    assert!(out.contains("<member><name>0</name><value><string>2</string></value></member>"), "{out}");
    // JSON: plain numbers.
    assert_eq!(serde_json::to_string(&m.vcpus_cpu[&1]).unwrap(), "3");
    // Not an int: an error, not a panic or a zero.
    assert!(xmlrpc::decode_value::<i64>(b"<value><string>4x</string></value>").is_err());
    assert!(xmlrpc::decode_value::<i64>(b"<value><i4>99999999999999999999</i4></value>").is_err());
}

#[test]
fn datetimes_decode_from_every_accepted_form() {
    let want = DateTime::from_civil(2024, 4, 20, 12, 0, 0).unwrap();
    let texts =
        ["20240420T12:00:00Z", "20240420T12:00:00", "2024-04-20T12:00:00Z", "2024-04-20T14:00:00+02:00", "1713614400"];
    for t in texts {
        for xml in [
            format!("<value><dateTime.iso8601>{t}</dateTime.iso8601></value>"),
            format!("<value><string>{t}</string></value>"),
            format!("<value>{t}</value>"),
        ] {
            assert_eq!(from_xml::<DateTime>(&xml), want, "{xml}");
        }
        assert_eq!(from_json::<DateTime>(&format!("\"{t}\"")), want, "JSON {t}");
    }
    // Epoch seconds as JSON numbers (int and float).
    assert_eq!(from_json::<DateTime>("1713614400"), want);
    assert_eq!(from_json::<DateTime>("1713614400.0"), want);
    // In a record, both protocols.
    let vm: VmRecord = from_xml(
        "<value><struct><member><name>snapshot_time</name><value><dateTime.iso8601>20240420T12:00:00</dateTime.iso8601></value></member></struct></value>",
    );
    assert_eq!(vm.snapshot_time, want);
    let vm: VmRecord = from_json(r#"{"snapshot_time": "2024-04-20T12:00:00Z"}"#);
    assert_eq!(vm.snapshot_time, want);
    // Written in one form only.
    assert_eq!(to_xml(&want), "<value><dateTime.iso8601>20240420T12:00:00Z</dateTime.iso8601></value>");
    assert_eq!(serde_json::to_string(&want).unwrap(), "\"20240420T12:00:00Z\"");
    // Garbage is an error.
    for bad in ["\"yesterday\"", "\"2024-13-01T00:00:00Z\"", "\"\"", "true"] {
        assert!(serde_json::from_str::<DateTime>(bad).is_err(), "{bad}");
    }
}

#[test]
fn non_finite_floats_travel_as_words() {
    let cases = [
        ("\"NaN\"", f64::NAN),
        ("\"Infinity\"", f64::INFINITY),
        ("\"+Infinity\"", f64::INFINITY),
        ("\"-Infinity\"", f64::NEG_INFINITY),
    ];
    for (word, want) in cases {
        let vm: VmRecord = from_json(&format!(r#"{{"HVM_shadow_multiplier": {word}}}"#));
        let m: VmMetricsRecord = from_json(&format!(r#"{{"VCPUs_utilisation": {{"0": {word}, "1": 0.5}}}}"#));
        for got in [vm.hvm_shadow_multiplier, m.vcpus_utilisation[&0].0] {
            assert!(got.is_nan() == want.is_nan() && (want.is_nan() || got == want), "{word}: {got}");
        }
        assert_eq!(m.vcpus_utilisation[&1].0, 0.5);
        // XML-RPC carries the same words inside <double>.
        let bare = word.trim_matches('"');
        let x: VmRecord = from_xml(&format!(
            "<value><struct><member><name>HVM_shadow_multiplier</name><value><double>{bare}</double></value></member></struct></value>"
        ));
        assert!(
            x.hvm_shadow_multiplier.is_nan() == want.is_nan() && (want.is_nan() || x.hvm_shadow_multiplier == want)
        );
    }
    // Written as words, read back in both protocols.
    for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let vm = VmRecord { hvm_shadow_multiplier: v, ..VmRecord::default() };
        let json = serde_json::to_value(&vm).unwrap();
        let word = if v.is_nan() {
            "NaN"
        } else if v > 0.0 {
            "Infinity"
        } else {
            "-Infinity"
        };
        assert_eq!(json["HVM_shadow_multiplier"], json!(word));
        assert!(to_xml(&vm).contains(&format!(
            "<member><name>HVM_shadow_multiplier</name><value><double>{word}</double></value></member>"
        )));
        for back in [serde_json::from_value::<VmRecord>(json).unwrap(), from_xml::<VmRecord>(&to_xml(&vm))] {
            let b = back.hvm_shadow_multiplier;
            assert!(b.is_nan() == v.is_nan() && (v.is_nan() || b == v));
        }
    }
    // Finite floats: numbers; ints accepted where floats are expected.
    let vm: VmRecord = from_json(r#"{"HVM_shadow_multiplier": 2}"#);
    assert_eq!(vm.hvm_shadow_multiplier, 2.0);
    let vm: VmRecord = from_xml("<value><struct><member><name>HVM_shadow_multiplier</name><value><double>1e1</double></value></member></struct></value>");
    assert_eq!(vm.hvm_shadow_multiplier, 10.0);
    assert!(serde_json::from_str::<VmRecord>(r#"{"HVM_shadow_multiplier": "lots"}"#).is_err());
}
