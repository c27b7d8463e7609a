//! Golden wire tests for both protocols, both directions, plus malformed
//! input handling.

mod common;

use std::collections::{BTreeMap, HashMap};

use common::*;
use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::json;
use xenapi_rt::types::{DateTime, Float, Void};
use xenapi_rt::{jsonrpc, xmlrpc, CallError, Limits, WireError};

fn xml<T: serde::Serialize + ?Sized>(v: &T) -> String {
    String::from_utf8(xmlrpc::to_vec(v).unwrap()).unwrap()
}

fn from_xml<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, WireError> {
    xmlrpc::decode_value(s.as_bytes())
}

// ---------------------------------------------------------------- XML-RPC out

#[test]
fn xml_encodes_scalars() {
    assert_eq!(xml("a<b>&c\"'"), "<value><string>a&lt;b&gt;&amp;c\"'</string></value>");
    assert_eq!(xml("line\r\nnext\ttab\u{1}"), "<value><string>line&#13;\nnext\ttab\u{FFFD}</string></value>");
    assert_eq!(xml(&42i64), "<value><string>42</string></value>");
    assert_eq!(xml(&i64::MIN), "<value><string>-9223372036854775808</string></value>");
    assert_eq!(xml(&7i32), "<value><string>7</string></value>");
    assert_eq!(xml(&u64::MAX), "<value><string>18446744073709551615</string></value>");
    assert_eq!(xml(&1.5f64), "<value><double>1.5</double></value>");
    assert_eq!(xml(&-0.1f64), "<value><double>-0.1</double></value>");
    assert_eq!(xml(&1e300f64), "<value><double>1e300</double></value>");
    assert_eq!(xml(&f64::NAN), "<value><double>NaN</double></value>");
    assert_eq!(xml(&f64::INFINITY), "<value><double>Infinity</double></value>");
    assert_eq!(xml(&Float(f64::NEG_INFINITY)), "<value><double>-Infinity</double></value>");
    assert_eq!(xml(&true), "<value><boolean>1</boolean></value>");
    assert_eq!(xml(&false), "<value><boolean>0</boolean></value>");
    assert_eq!(
        xml(&DateTime::from_unix(1_713_614_400)),
        "<value><dateTime.iso8601>20240420T12:00:00Z</dateTime.iso8601></value>"
    );
    assert_eq!(xml(&Void), "<value><string></string></value>");
    assert_eq!(xml(&()), "<value><string></string></value>");
    assert_eq!(xml(&None::<i64>), "<value><string></string></value>");
    assert_eq!(xml(&Some(3i64)), "<value><string>3</string></value>");
    assert_eq!(xml(&PowerState::Running), "<value><string>Running</string></value>");
    assert_eq!(xml(&PowerState::Unknown), "<value><string>unknown</string></value>");
    assert_eq!(xml(&Ref("OpaqueRef:NULL".into())), "<value><string>OpaqueRef:NULL</string></value>");
}

#[test]
fn xml_encodes_collections() {
    assert_eq!(
        xml(&vec!["a", "b"]),
        "<value><array><data><value><string>a</string></value><value><string>b</string></value></data></array></value>"
    );
    assert_eq!(xml(&Vec::<i64>::new()), "<value><array><data></data></array></value>");
    let by_int: BTreeMap<i64, &str> = [(1, "x"), (-2, "y")].into_iter().collect();
    assert_eq!(
        xml(&by_int),
        "<value><struct><member><name>-2</name><value><string>y</string></value></member>\
         <member><name>1</name><value><string>x</string></value></member></struct></value>"
    );
    let by_enum: BTreeMap<PowerState, bool> = [(PowerState::Halted, true)].into_iter().collect();
    assert_eq!(
        xml(&by_enum),
        "<value><struct><member><name>Halted</name><value><boolean>1</boolean></value></member></struct></value>"
    );
    let nested: BTreeMap<&str, BTreeMap<&str, &str>> =
        [("o&", [("i", "v")].into_iter().collect())].into_iter().collect();
    assert_eq!(
        xml(&nested),
        "<value><struct><member><name>o&amp;</name><value><struct><member><name>i</name>\
         <value><string>v</string></value></member></struct></value></member></struct></value>"
    );
}

#[test]
fn xml_encodes_records() {
    #[derive(serde::Serialize)]
    struct Small {
        #[serde(rename = "VCPUs_max")]
        vcpus: i64,
        name: &'static str,
        parent: Option<Ref>,
    }
    assert_eq!(
        xml(&Small { vcpus: 2, name: "n", parent: None }),
        "<value><struct><member><name>VCPUs_max</name><value><string>2</string></value></member>\
         <member><name>name</name><value><string>n</string></value></member>\
         <member><name>parent</name><value><string></string></value></member></struct></value>"
    );
}

#[test]
fn xml_rejects_unencodable_keys() {
    let bad: BTreeMap<Vec<i64>, i64> = [(vec![1], 1)].into_iter().collect();
    assert!(matches!(xmlrpc::to_vec(&bad), Err(WireError::Custom(_))));
}

// ----------------------------------------------------------------- XML-RPC in

#[test]
fn xml_decodes_ints_in_every_form() {
    for form in [
        "<value><string>42</string></value>",
        "<value><i4>42</i4></value>",
        "<value><int>42</int></value>",
        "<value><i8>42</i8></value>",
        "<value>42</value>",
        "<value>\n  <string> 42 </string>\n</value>",
    ] {
        assert_eq!(from_xml::<i64>(form).unwrap(), 42, "{form}");
        assert_eq!(from_xml::<i32>(form).unwrap(), 42, "{form}");
    }
    assert_eq!(from_xml::<i64>("<value><string>-9223372036854775808</string></value>").unwrap(), i64::MIN);
    assert!(matches!(
        from_xml::<i64>("<value><string>4x</string></value>"),
        Err(WireError::InvalidScalar { kind: "int", .. })
    ));
    assert!(from_xml::<i8>("<value><string>300</string></value>").is_err());
}

#[test]
fn xml_decodes_strings_and_untyped_values() {
    assert_eq!(from_xml::<String>("<value>plain</value>").unwrap(), "plain");
    assert_eq!(from_xml::<String>("<value/>").unwrap(), "");
    assert_eq!(from_xml::<String>("<value></value>").unwrap(), "");
    assert_eq!(from_xml::<String>("<value>  </value>").unwrap(), "  ");
    assert_eq!(from_xml::<String>("<value><string/></value>").unwrap(), "");
    assert_eq!(
        from_xml::<String>("<value><string>a&lt;b&gt;&amp;&quot;&apos;&#65;&#x42;</string></value>").unwrap(),
        "a<b>&\"'AB"
    );
    assert_eq!(from_xml::<String>("<value><string><![CDATA[<x>]]>&amp;y</string></value>").unwrap(), "<x>&y");
    assert_eq!(from_xml::<String>("<value><string>a&#13;\r\nb</string></value>").unwrap(), "a\r\nb");
    // Borrowed straight from the input when nothing needs unescaping.
    let input = b"<value><string>borrowed</string></value>";
    let s: &str = xmlrpc::decode_value(input).unwrap();
    assert_eq!(s, "borrowed");
    // Any scalar reads as a string when a string is asked for.
    assert_eq!(from_xml::<String>("<value><i4>5</i4></value>").unwrap(), "5");
    assert_eq!(from_xml::<PowerState>("<value><string>Suspended</string></value>").unwrap(), PowerState::Suspended);
    assert_eq!(from_xml::<PowerState>("<value>unknown</value>").unwrap(), PowerState::Unknown);
    assert!(from_xml::<PowerState>("<value>Exploded</value>").is_err());
}

#[test]
fn xml_decodes_floats_and_bools() {
    assert_eq!(from_xml::<f64>("<value><double>1.5</double></value>").unwrap(), 1.5);
    assert_eq!(from_xml::<f64>("<value><double>-2e3</double></value>").unwrap(), -2000.0);
    assert_eq!(from_xml::<f64>("<value><i4>2</i4></value>").unwrap(), 2.0);
    assert_eq!(from_xml::<f64>("<value><string>0.5</string></value>").unwrap(), 0.5);
    for (text, want) in [
        ("NaN", f64::NAN),
        ("nan", f64::NAN),
        ("Infinity", f64::INFINITY),
        ("+Infinity", f64::INFINITY),
        ("inf", f64::INFINITY),
        ("-Infinity", f64::NEG_INFINITY),
    ] {
        let doc = format!("<value><double>{text}</double></value>");
        let got: f64 = from_xml(&doc).unwrap();
        let via_helper: Float = from_xml(&doc).unwrap();
        for v in [got, via_helper.0] {
            assert!(v == want || (v.is_nan() && want.is_nan()), "{text}: {v}");
        }
    }
    assert!(from_xml::<f64>("<value><double>fast</double></value>").is_err());
    assert!(from_xml::<bool>("<value><boolean>1</boolean></value>").unwrap());
    assert!(!from_xml::<bool>("<value><boolean>0</boolean></value>").unwrap());
    assert!(from_xml::<bool>("<value>true</value>").unwrap());
    assert!(from_xml::<bool>("<value><boolean>2</boolean></value>").is_err());
}

#[test]
fn xml_decodes_datetimes_in_every_form() {
    let want = DateTime::from_unix(1_713_614_400);
    for form in [
        "<value><dateTime.iso8601>20240420T12:00:00Z</dateTime.iso8601></value>",
        "<value><dateTime.iso8601>20240420T12:00:00</dateTime.iso8601></value>",
        "<value><dateTime.iso8601>2024-04-20T12:00:00Z</dateTime.iso8601></value>",
        "<value><dateTime.iso8601>2024-04-20T14:00:00+02:00</dateTime.iso8601></value>",
        "<value><string>20240420T12:00:00Z</string></value>",
        "<value>2024-04-20T12:00:00Z</value>",
        "<value><string>1713614400</string></value>",
        "<value><i4>1713614400</i4></value>",
        "<value><double>1713614400.0</double></value>",
    ] {
        assert_eq!(from_xml::<DateTime>(form).unwrap(), want, "{form}");
    }
    assert!(from_xml::<DateTime>("<value><dateTime.iso8601>soon</dateTime.iso8601></value>").is_err());
    // Asked for a string, a date-time is handed over as its text.
    assert_eq!(
        from_xml::<String>("<value><dateTime.iso8601>20240420T12:00:00Z</dateTime.iso8601></value>").unwrap(),
        "20240420T12:00:00Z"
    );
}

#[test]
fn xml_decodes_void_and_options() {
    from_xml::<Void>("<value><string></string></value>").unwrap();
    from_xml::<Void>("<value/>").unwrap();
    from_xml::<Void>("<value><array><data><value>1</value></data></array></value>").unwrap();
    from_xml::<()>("<value></value>").unwrap();
    assert_eq!(from_xml::<Option<i64>>("<value><i4>1</i4></value>").unwrap(), Some(1));
    assert_eq!(from_xml::<Option<i64>>("<value><nil/></value>").unwrap(), None);
    assert_eq!(from_xml::<Option<String>>("<value></value>").unwrap(), Some(String::new()));
}

#[test]
fn xml_decodes_sets_and_maps() {
    let set: Vec<String> = from_xml(
        "<value><array><data>\n<value>a</value>\n<value><string>b</string></value><value/></data></array></value>",
    )
    .unwrap();
    assert_eq!(set, ["a", "b", ""]);
    assert_eq!(from_xml::<Vec<i64>>("<value><array><data/></array></value>").unwrap(), Vec::<i64>::new());
    let m: HashMap<i64, String> = from_xml(
        "<value><struct><member><name>7</name><value>x</value></member>\
         <member><name>-1</name><value>y</value></member></struct></value>",
    )
    .unwrap();
    assert_eq!(m[&7], "x");
    assert_eq!(m[&-1], "y");
    let m: BTreeMap<PowerState, i64> = from_xml(
        "<value><struct><member><name>Paused</name><value><string>2</string></value></member></struct></value>",
    )
    .unwrap();
    assert_eq!(m[&PowerState::Paused], 2);
    let nested: BTreeMap<String, BTreeMap<String, Vec<i64>>> = from_xml(
        "<value><struct><member><name>o</name><value><struct><member><name>i</name><value>\
         <array><data><value><i4>1</i4></value></data></array></value></member></struct></value>\
         </member></struct></value>",
    )
    .unwrap();
    assert_eq!(nested["o"]["i"], [1]);
    assert!(matches!(
        from_xml::<HashMap<i64, String>>("<value><struct><member><name>x</name><value/></member></struct></value>"),
        Err(WireError::InvalidScalar { .. })
    ));
    let tuple: (String, i64) =
        from_xml("<value><array><data><value>a</value><value>1</value></data></array></value>").unwrap();
    assert_eq!(tuple, ("a".to_string(), 1));
}

#[test]
fn xml_record_round_trip() {
    let vm = sample_vm();
    let bytes = xmlrpc::to_vec(&vm).unwrap();
    let back: VmRecord = xmlrpc::decode_value(&bytes).unwrap();
    assert_vm_eq(&vm, &back);
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.contains("<member><name>VCPUs_max</name><value><string>4</string></value></member>"));
    assert!(text.contains("<member><name>memory_ratio</name><value><double>NaN</double></value></member>"));
    assert!(text.contains("<member><name>1</name><value><double>Infinity</double></value></member>"));
    assert!(text.contains("<name>last_booted</name><value><dateTime.iso8601>20240420T12:00:00Z</dateTime.iso8601>"));
}

#[test]
fn xml_record_with_missing_and_unknown_fields() {
    let doc = "<value><struct>\
        <member><name>uuid</name><value>u-1</value></member>\
        <member><name>future_field</name><value><struct><member><name>deep</name><value>\
            <array><data><value><struct/></value><value><i4>1</i4></value></data></array>\
        </value></member></struct></value></member>\
        <member><name>VCPUs_max</name><value><string>8</string></value></member>\
        <member><name>another_new_one</name><value><dateTime.iso8601>x</dateTime.iso8601></value></member>\
        <member><name>power_state</name><value>Paused</value></member>\
        </struct></value>";
    let vm: VmRecord = from_xml(doc).unwrap();
    assert_eq!(vm.uuid, "u-1");
    assert_eq!(vm.vcpus_max, 8);
    assert_eq!(vm.power_state, PowerState::Paused);
    assert_eq!(vm.name_label, "");
    assert!(vm.tags.is_empty());
    assert_eq!(vm.last_booted, DateTime::EPOCH);
    assert_eq!(vm.suspend_sr, None);
    // IgnoredAny walks anything.
    from_xml::<IgnoredAny>(doc).unwrap();
}

#[test]
fn xml_call_writer_and_parse_call() {
    let mut call = xmlrpc::CallWriter::begin("VM.set_tags");
    call.param("OpaqueRef:s").unwrap().param(&vec!["a", "b"]).unwrap().param(&12i64).unwrap();
    // A failing parameter leaves the call untouched.
    let bad: BTreeMap<Vec<i64>, i64> = [(vec![1], 1)].into_iter().collect();
    assert!(call.param(&bad).is_err());
    let body = call.finish();
    assert_eq!(
        String::from_utf8(body.clone()).unwrap(),
        "<?xml version=\"1.0\"?><methodCall><methodName>VM.set_tags</methodName><params>\
         <param><value><string>OpaqueRef:s</string></value></param>\
         <param><value><array><data><value><string>a</string></value><value><string>b</string></value></data></array></value></param>\
         <param><value><string>12</string></value></param></params></methodCall>\n"
    );
    let parsed = xmlrpc::parse_call(&body).unwrap();
    assert_eq!(parsed.method, "VM.set_tags");
    assert_eq!(parsed.params.len(), 3);
    assert_eq!(parsed.params[0], b"<value><string>OpaqueRef:s</string></value>");
    assert_eq!(xmlrpc::decode_value::<Vec<String>>(parsed.params[1]).unwrap(), ["a", "b"]);
    assert_eq!(xmlrpc::decode_value::<i64>(parsed.params[2]).unwrap(), 12);
    assert!(xmlrpc::decode_value::<i64>(parsed.params[1]).is_err());

    // Whitespace, comments, a declaration and empty values are fine.
    let doc = b"<?xml version='1.0'?>\n<!-- c --><methodCall>\n <methodName> session.logout </methodName>\n\
        <params>\n <param>\n  <value/>\n </param>\n <param><value>x</value></param></params>\n</methodCall>\n";
    let parsed = xmlrpc::parse_call(doc).unwrap();
    assert_eq!(parsed.method, "session.logout");
    assert_eq!(parsed.params, [&b"<value/>"[..], b"<value>x</value>"]);
    assert_eq!(xmlrpc::decode_value::<String>(parsed.params[0]).unwrap(), "");

    let no_params = xmlrpc::parse_call(b"<methodCall><methodName>m</methodName><params/></methodCall>").unwrap();
    assert!(no_params.params.is_empty());
    assert!(xmlrpc::parse_call(b"<methodCall><methodName>m</methodName></methodCall>").is_err());
}

#[test]
fn xml_success_and_failure_replies() {
    let ok = xmlrpc::encode_success(&vec![1i64, 2]).unwrap();
    assert_eq!(
        String::from_utf8(ok.clone()).unwrap(),
        "<?xml version=\"1.0\"?><methodResponse><params><param><value><struct>\
         <member><name>Status</name><value>Success</value></member>\
         <member><name>Value</name><value><array><data><value><string>1</string></value>\
         <value><string>2</string></value></data></array></value></member>\
         </struct></value></param></params></methodResponse>\n"
    );
    assert_eq!(xmlrpc::decode_response::<Vec<i64>>(&ok).unwrap(), [1, 2]);

    let fail = xmlrpc::encode_failure(&["HANDLE_INVALID", "VM", "OpaqueRef:<x>"]);
    assert_eq!(
        String::from_utf8(fail.clone()).unwrap(),
        "<?xml version=\"1.0\"?><methodResponse><params><param><value><struct>\
         <member><name>Status</name><value>Failure</value></member>\
         <member><name>ErrorDescription</name><value><array><data><value>HANDLE_INVALID</value>\
         <value>VM</value><value>OpaqueRef:&lt;x&gt;</value></data></array></value></member>\
         </struct></value></param></params></methodResponse>\n"
    );
    match xmlrpc::decode_response::<Vec<i64>>(&fail) {
        Err(CallError::Failure { code, params }) => {
            assert_eq!(code, "HANDLE_INVALID");
            assert_eq!(params, ["VM", "OpaqueRef:<x>"]);
        }
        other => panic!("{other:?}"),
    }
    let void = xmlrpc::encode_success(&Void).unwrap();
    xmlrpc::decode_response::<Void>(&void).unwrap();
}

#[test]
fn xml_reply_members_in_any_order_and_extra() {
    let doc = b"<?xml version=\"1.0\"?>\n<methodResponse>\n<params>\n<param>\n<value><struct>\n\
        <member><name>Value</name><value><struct><member><name>uuid</name><value>u</value></member></struct></value></member>\n\
        <member><name>Extra</name><value><array><data/></array></value></member>\n\
        <member><name>Status</name><value><string>Success</string></value></member>\n\
        </struct></value>\n</param>\n</params>\n</methodResponse>\n";
    let vm: VmRecord = xmlrpc::decode_response(doc).unwrap();
    assert_eq!(vm.uuid, "u");

    let fail_first = b"<methodResponse><params><param><value><struct>\
        <member><name>ErrorDescription</name><value><array><data><value>SESSION_INVALID</value><value><i4>3</i4></value></data></array></value></member>\
        <member><name>Status</name><value>Failure</value></member>\
        </struct></value></param></params></methodResponse>";
    match xmlrpc::decode_response::<String>(fail_first) {
        Err(CallError::Failure { code, params }) => {
            assert_eq!((code.as_str(), params), ("SESSION_INVALID", vec!["3".to_string()]))
        }
        other => panic!("{other:?}"),
    }
    // A success without Value reads as void.
    let no_value = b"<methodResponse><params><param><value><struct>\
        <member><name>Status</name><value>Success</value></member></struct></value></param></params></methodResponse>";
    xmlrpc::decode_response::<Void>(no_value).unwrap();
    assert_eq!(xmlrpc::decode_response::<String>(no_value).unwrap(), "");
}

#[test]
fn xml_malformed_replies_are_typed_errors() {
    type Check = fn(&CallError) -> bool;
    let cases: &[(&[u8], Check)] = &[
        (b"<methodResponse><params><param><value><struct><member><name>Status</name><value>Failure</value></member></struct></value></param></params></methodResponse>",
         |e| matches!(e, CallError::Malformed(_))),
        (b"<methodResponse><params><param><value><struct><member><name>Status</name><value>Failure</value></member><member><name>ErrorDescription</name><value><array><data/></array></value></member></struct></value></param></params></methodResponse>",
         |e| matches!(e, CallError::Malformed(_))),
        (b"<methodResponse><params><param><value><struct><member><name>Status</name><value>Failure</value></member><member><name>ErrorDescription</name><value><struct/></value></member></struct></value></param></params></methodResponse>",
         |e| matches!(e, CallError::Malformed(_))),
        (b"<methodResponse><params><param><value><struct><member><name>Value</name><value>1</value></member></struct></value></param></params></methodResponse>",
         |e| matches!(e, CallError::Protocol(_))),
        (b"<methodResponse><params><param><value><struct><member><name>Status</name><value>Maybe</value></member></struct></value></param></params></methodResponse>",
         |e| matches!(e, CallError::Protocol(_))),
        (b"<methodResponse><params><param><value>not a struct</value></param></params></methodResponse>",
         |e| matches!(e, CallError::Protocol(_))),
        (b"<methodResponse><fault><value><struct><member><name>faultCode</name><value><int>4</int></value></member><member><name>faultString</name><value>Too many</value></member></struct></value></fault></methodResponse>",
         |e| matches!(e, CallError::Fault { code: 4, message } if message == "Too many")),
        (b"<methodResponse><params><param><value><struct><member><name>Status</name><value>Success</value></member><member><name>Value</name><value><array><data/></array></value></member></struct></value></param></params></methodResponse>",
         |e| matches!(e, CallError::Decode(_))),
        (b"<html><body>502 Bad Gateway</body></html>", |e| matches!(e, CallError::Decode(WireError::Unexpected { .. }))),
    ];
    for (doc, check) in cases {
        let err = xmlrpc::decode_response::<i64>(doc).unwrap_err();
        assert!(check(&err), "{}: {err:?}", String::from_utf8_lossy(doc));
    }
}

#[test]
fn xml_truncated_input_always_errors() {
    let full = xmlrpc::encode_success(&sample_vm()).unwrap();
    for cut in 0..full.len() - 1 {
        let r = xmlrpc::decode_response::<VmRecord>(&full[..cut]);
        assert!(r.is_err(), "prefix of {cut} bytes decoded");
    }
    let call = {
        let mut c = xmlrpc::CallWriter::begin("VM.create");
        c.param("s").unwrap().param(&sample_vm()).unwrap();
        c.finish()
    };
    for cut in 0..call.len() - 2 {
        assert!(xmlrpc::parse_call(&call[..cut]).is_err(), "prefix of {cut} bytes parsed");
    }
}

#[test]
fn xml_wrong_element_types() {
    assert!(matches!(from_xml::<i64>("<value><array><data/></array></value>"), Err(WireError::Custom(_))));
    assert!(from_xml::<String>("<value><struct/></value>").is_err());
    assert!(from_xml::<Vec<String>>("<value>x</value>").is_err());
    assert!(matches!(from_xml::<String>("<value><blob>x</blob></value>"), Err(WireError::Unexpected { .. })));
    assert!(matches!(from_xml::<String>("<value>x<string>y</string></value>"), Err(WireError::Unexpected { .. })));
    assert!(matches!(from_xml::<String>("<value><string>x<b/></string></value>"), Err(WireError::Unexpected { .. })));
    assert!(matches!(
        from_xml::<BTreeMap<String, String>>(
            "<value><struct><member><value>v</value><name>k</name></member></struct></value>"
        ),
        Err(WireError::Unexpected { .. })
    ));
    assert!(from_xml::<BTreeMap<String, String>>("<value><struct><member><name>k</name></member></struct></value>")
        .is_err());
    assert!(from_xml::<Vec<i64>>("<value><array><value>1</value></array></value>").is_err());
    assert!(matches!(from_xml::<String>("<value>a</value><value>b</value>"), Err(WireError::Unexpected { .. })));
    assert!(matches!(from_xml::<String>("<value>a</valu>"), Err(WireError::Xml { .. })));
}

#[test]
fn xml_refuses_doctype_and_unknown_entities() {
    let laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n\
        <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n]>\n\
        <value><string>&lol2;</string></value>";
    assert!(matches!(from_xml::<String>(laughs), Err(WireError::DocType)));
    let external = "<!DOCTYPE x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><methodCall><methodName>&xxe;</methodName><params/></methodCall>";
    assert!(matches!(xmlrpc::parse_call(external.as_bytes()), Err(WireError::DocType)));
    assert!(matches!(from_xml::<String>("<value>&lol;</value>"), Err(WireError::Entity(e)) if e == "lol"));
    assert!(matches!(from_xml::<String>("<value>&#0;</value>"), Err(WireError::Entity(_))));
    assert!(from_xml::<String>("<value>&#xZZ;</value>").is_err());
}

fn deep_array(depth: usize) -> String {
    let mut s = String::new();
    for _ in 0..depth {
        s.push_str("<value><array><data>");
    }
    s.push_str("<value>x</value>");
    for _ in 0..depth {
        s.push_str("</data></array></value>");
    }
    s
}

#[test]
fn xml_deep_nesting_is_an_error_not_a_crash() {
    let deep = deep_array(10_000);
    assert!(matches!(from_xml::<IgnoredAny>(&deep), Err(WireError::TooDeep(64))));
    assert!(matches!(from_xml::<serde_json::Value>(&deep), Err(WireError::TooDeep(64))));
    let call = format!("<methodCall><methodName>m</methodName><params><param>{deep}</param></params></methodCall>");
    assert!(matches!(xmlrpc::parse_call(call.as_bytes()), Err(WireError::TooDeep(64))));
    let reply = format!(
        "<methodResponse><params><param><value><struct><member><name>Status</name><value>Success</value></member>\
         <member><name>Value</name>{deep}</member></struct></value></param></params></methodResponse>"
    );
    assert!(matches!(
        xmlrpc::decode_response::<IgnoredAny>(reply.as_bytes()),
        Err(CallError::Decode(WireError::TooDeep(64)))
    ));
    // Nesting within the limit is fine, through the reply envelope too.
    let ok = deep_array(64);
    from_xml::<serde_json::Value>(&ok).unwrap();
    let reply = format!(
        "<methodResponse><params><param><value><struct><member><name>Status</name><value>Success</value></member>\
         <member><name>Value</name>{ok}</member></struct></value></param></params></methodResponse>"
    );
    xmlrpc::decode_response::<serde_json::Value>(reply.as_bytes()).unwrap();
    // And the limit is configurable.
    assert!(matches!(from_xml::<IgnoredAny>(&deep_array(65)), Err(WireError::TooDeep(64))));
    let tight = Limits { max_depth: 3, ..Limits::default() };
    xmlrpc::decode_value_with_limits::<IgnoredAny>(deep_array(3).as_bytes(), &tight).unwrap();
    assert!(matches!(
        xmlrpc::decode_value_with_limits::<IgnoredAny>(deep_array(4).as_bytes(), &tight),
        Err(WireError::TooDeep(3))
    ));
    // Deep markup that is not arrays or structs hits the element backstop.
    let values = format!("{}x{}", "<value>".repeat(10_000), "</value>".repeat(10_000));
    assert!(matches!(from_xml::<IgnoredAny>(&values), Err(WireError::TooDeep(64))));
    assert!(matches!(from_xml::<String>(&values), Err(WireError::Unexpected { .. })));
    let call = format!(
        "<methodCall><methodName>m</methodName><params><param><value>{}</value></param></params></methodCall>",
        "<x>".repeat(10_000)
    );
    assert!(matches!(xmlrpc::parse_call(call.as_bytes()), Err(WireError::TooDeep(64))));
}

#[test]
fn xml_other_limits() {
    let limits = Limits { max_elements: 10, ..Limits::default() };
    let many = format!("<value><array><data>{}</data></array></value>", "<value>1</value>".repeat(20));
    assert!(matches!(
        xmlrpc::decode_value_with_limits::<Vec<i64>>(many.as_bytes(), &limits),
        Err(WireError::TooManyElements(10))
    ));
    let limits = Limits { max_string_len: 8, ..Limits::default() };
    assert!(matches!(
        xmlrpc::decode_value_with_limits::<String>(b"<value>0123456789</value>", &limits),
        Err(WireError::StringTooLong(8))
    ));
    assert!(matches!(
        xmlrpc::decode_value_with_limits::<String>(b"<value>01234&amp;56789</value>", &limits),
        Err(WireError::StringTooLong(8))
    ));
}

#[test]
fn xml_non_utf8_is_an_error() {
    assert!(matches!(xmlrpc::decode_value::<String>(b"<value>caf\xe9</value>"), Err(WireError::Utf8(10))));
    assert!(matches!(xmlrpc::parse_call(b"<methodCall>\xff"), Err(WireError::Utf8(12))));
    assert!(matches!(xmlrpc::decode_response::<String>(b"\xfe\xff"), Err(CallError::Decode(WireError::Utf8(0)))));
}

// ---------------------------------------------------------------- JSON-RPC

#[test]
fn json_encodes_calls_in_both_versions() {
    let v2 = jsonrpc::encode_call("VM.get_record", &("OpaqueRef:s", "OpaqueRef:v"), 3, jsonrpc::Version::V2).unwrap();
    assert_eq!(
        String::from_utf8(v2).unwrap(),
        r#"{"jsonrpc":"2.0","method":"VM.get_record","id":3,"params":["OpaqueRef:s","OpaqueRef:v"]}"#
    );
    let mut w = jsonrpc::CallWriter::begin("event.from", 9, jsonrpc::Version::V1);
    w.param("s").unwrap().param(&["*"]).unwrap().param("").unwrap().param(&30.0f64).unwrap();
    assert_eq!(
        String::from_utf8(w.finish()).unwrap(),
        r#"{"method":"event.from","id":9,"params":["s",["*"],"",30.0]}"#
    );
    let empty = jsonrpc::CallWriter::begin("pool.get_all", 1, jsonrpc::Version::V2).finish();
    assert_eq!(String::from_utf8(empty).unwrap(), r#"{"jsonrpc":"2.0","method":"pool.get_all","id":1,"params":[]}"#);
    assert!(jsonrpc::encode_call("m", &42, 1, jsonrpc::Version::V2).is_err());
}

#[test]
fn json_value_shapes() {
    let vm = sample_vm();
    let text = serde_json::to_value(&vm).unwrap();
    assert_eq!(text["VCPUs_max"], json!(4));
    assert_eq!(text["memory_ratio"], json!("NaN"));
    assert_eq!(text["VCPUs_utilisation"], json!({"0": 0.25, "1": "Infinity"}));
    assert_eq!(text["last_booted"], json!("20240420T12:00:00Z"));
    assert_eq!(text["power_state"], json!("Running"));
    assert_eq!(text["allowed_operations"], json!(["Halted", "Suspended"]));
    assert_eq!(text["power_counts"], json!({"Running": 3}));
    assert_eq!(text["suspend_sr"], json!("OpaqueRef:abc"));
    assert_eq!(serde_json::to_value(Void).unwrap(), json!(""));
    assert_eq!(serde_json::to_value(Float(f64::NEG_INFINITY)).unwrap(), json!("-Infinity"));
    let back: VmRecord = serde_json::from_value(text).unwrap();
    assert_vm_eq(&vm, &back);

    // What real servers send.
    let vm: VmRecord = serde_json::from_value(json!({
        "uuid": "u",
        "VCPUs_max": 2,
        "memory_ratio": "+Infinity",
        "VCPUs_utilisation": {"0": "NaN", "1": 1, "2": "-Infinity", "3": "0.5"},
        "last_booted": "2024-04-20T12:00:00Z",
        "unknown_field": {"deep": [1, 2, {"x": null}]},
    }))
    .unwrap();
    assert_eq!(vm.memory_ratio, f64::INFINITY);
    assert!(vm.vcpus_utilisation[&0].is_nan());
    assert_eq!(vm.vcpus_utilisation[&1].0, 1.0);
    assert_eq!(vm.vcpus_utilisation[&2].0, f64::NEG_INFINITY);
    assert_eq!(vm.vcpus_utilisation[&3].0, 0.5);
    assert_eq!(vm.last_booted, DateTime::from_unix(1_713_614_400));
    assert_eq!(vm.name_label, "");
    for (form, want) in [
        (json!("20240420T12:00:00Z"), 1_713_614_400),
        (json!("20240420T12:00:00"), 1_713_614_400),
        (json!(1_713_614_400), 1_713_614_400),
        (json!(1_713_614_400.0), 1_713_614_400),
        (json!("1713614400"), 1_713_614_400),
    ] {
        assert_eq!(serde_json::from_value::<DateTime>(form.clone()).unwrap().unix_seconds(), want, "{form}");
    }
    #[derive(Deserialize)]
    struct Lenient {
        #[serde(deserialize_with = "xenapi_rt::types::de_int")]
        a: i64,
        #[serde(deserialize_with = "xenapi_rt::types::de_int")]
        b: i64,
        #[serde(deserialize_with = "xenapi_rt::jsonrpc::de_float")]
        c: f64,
    }
    let l: Lenient = serde_json::from_value(json!({"a": "12", "b": 13, "c": "Infinity"})).unwrap();
    assert_eq!((l.a, l.b, l.c), (12, 13, f64::INFINITY));
    assert!(serde_json::from_value::<Lenient>(json!({"a": "x", "b": 1, "c": 1})).is_err());
}

#[test]
fn json_replies_in_both_versions() {
    let id: Box<serde_json::value::RawValue> = serde_json::value::RawValue::from_string("\"abc\"".into()).unwrap();
    let v1 = jsonrpc::encode_success(jsonrpc::Version::V1, &id, &vec![1i64]).unwrap();
    assert_eq!(String::from_utf8(v1.clone()).unwrap(), r#"{"result":[1],"error":null,"id":"abc"}"#);
    let v2 = jsonrpc::encode_success(jsonrpc::Version::V2, &id, &"OpaqueRef:x").unwrap();
    assert_eq!(String::from_utf8(v2.clone()).unwrap(), r#"{"jsonrpc":"2.0","result":"OpaqueRef:x","id":"abc"}"#);
    assert_eq!(jsonrpc::decode_response::<Vec<i64>>(&v1).unwrap(), [1]);
    assert_eq!(jsonrpc::decode_response::<String>(&v2).unwrap(), "OpaqueRef:x");

    let f1 = jsonrpc::encode_failure(jsonrpc::Version::V1, &id, &["SESSION_INVALID", "OpaqueRef:s"]);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&f1).unwrap(),
        json!({"result": null, "error": ["SESSION_INVALID", "OpaqueRef:s"], "id": "abc"})
    );
    let f2 = jsonrpc::encode_failure(jsonrpc::Version::V2, &id, &["SESSION_INVALID", "OpaqueRef:s"]);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&f2).unwrap(),
        json!({"jsonrpc": "2.0", "error": {"code": jsonrpc::FAILURE_CODE, "message": "SESSION_INVALID", "data": ["OpaqueRef:s"]}, "id": "abc"})
    );
    for f in [f1, f2] {
        match jsonrpc::decode_response::<String>(&f) {
            Err(CallError::Failure { code, params }) => {
                assert_eq!(code, "SESSION_INVALID");
                assert_eq!(params, ["OpaqueRef:s"]);
            }
            other => panic!("{other:?}"),
        }
    }
    // Void results.
    jsonrpc::decode_response::<Void>(br#"{"result":"","error":null,"id":1}"#).unwrap();
    jsonrpc::decode_response::<Void>(br#"{"jsonrpc":"2.0","result":null,"id":1}"#).unwrap();
    jsonrpc::decode_response::<Void>(br#"{"jsonrpc":"2.0","id":1}"#).unwrap();
    assert_eq!(jsonrpc::decode_response::<Option<String>>(br#"{"result":null,"error":null,"id":1}"#).unwrap(), None);
}

#[test]
fn json_malformed_error_payloads() {
    let failure = |body: &str| match jsonrpc::decode_response::<String>(body.as_bytes()) {
        Err(CallError::Failure { code, params }) => Ok((code, params)),
        Err(e) => Err(e),
        Ok(v) => panic!("decoded {v:?} from {body}"),
    };
    assert_eq!(
        failure(r#"{"jsonrpc":"2.0","error":{"code":"oops","message":"VM_BAD_POWER_STATE","data":["v",1,true,null]},"id":1}"#).unwrap(),
        ("VM_BAD_POWER_STATE".to_string(), vec!["v".to_string(), "1".into(), "true".into(), "null".into()])
    );
    assert_eq!(
        failure(r#"{"jsonrpc":"2.0","error":{"code":1,"message":"UUID_INVALID","data":"single"},"id":1}"#).unwrap(),
        ("UUID_INVALID".to_string(), vec!["single".to_string()])
    );
    assert_eq!(
        failure(r#"{"jsonrpc":"2.0","error":{"code":1,"message":"X","data":{"k":1}},"id":1}"#).unwrap(),
        ("X".to_string(), vec![r#"{"k":1}"#.to_string()])
    );
    assert_eq!(failure(r#"{"jsonrpc":"2.0","error":{"message":"X"},"id":1}"#).unwrap(), ("X".to_string(), vec![]));
    assert_eq!(
        failure(r#"{"result":null,"error":"JUST_A_CODE","id":1}"#).unwrap(),
        ("JUST_A_CODE".to_string(), vec![])
    );
    assert_eq!(
        failure(r#"{"result":null,"error":["CODE",{"a":1},2.5],"id":1}"#).unwrap(),
        ("CODE".to_string(), vec![r#"{"a":1}"#.to_string(), "2.5".into()])
    );
    for bad in [
        r#"{"jsonrpc":"2.0","error":{"code":-32000,"message":17,"data":[]},"id":1}"#,
        r#"{"jsonrpc":"2.0","error":{"code":-32000},"id":1}"#,
        r#"{"result":null,"error":[],"id":1}"#,
        r#"{"result":null,"error":[42,"x"],"id":1}"#,
        r#"{"result":null,"error":17,"id":1}"#,
        r#"{"result":null,"error":true,"id":1}"#,
    ] {
        assert!(matches!(failure(bad), Err(CallError::Malformed(_))), "{bad}");
    }
    for broken in ["", "null", "[]", "42", "{", r#"{"result":1"#, "\u{feff}{}", r#"{"result":[1,2],"id":1}"#] {
        assert!(matches!(failure(broken), Err(CallError::Decode(_))), "{broken:?}");
    }
    assert!(matches!(
        jsonrpc::decode_response::<String>(b"{\"result\":\"\xff\"}"),
        Err(CallError::Decode(WireError::Utf8(_)))
    ));
}

#[test]
fn json_parse_call_shapes() {
    let p = jsonrpc::parse_call(br#"{"jsonrpc":"2.0","method":"VM.start","params":["s","v",false,true],"id":"x-1"}"#)
        .unwrap();
    assert_eq!(p.method, "VM.start");
    assert_eq!(p.version, jsonrpc::Version::V2);
    assert_eq!(p.id.get(), r#""x-1""#);
    assert_eq!(p.params.len(), 4);
    assert_eq!(p.params[1].get(), r#""v""#);
    let p = jsonrpc::parse_call(br#"{"method":"session.logout","params":[ "s" ],"id":17}"#).unwrap();
    assert_eq!(p.version, jsonrpc::Version::V1);
    assert_eq!(p.id.get(), "17");
    let p = jsonrpc::parse_call(br#"{"method":"pool.get_all","id":1}"#).unwrap();
    assert!(p.params.is_empty());
    let p = jsonrpc::parse_call(br#"{"method":"a\u002eb","id":1,"params":[]}"#).unwrap();
    assert_eq!(p.method, "a.b");

    for invalid in [
        r#"{"method":"m","params":[]}"#,
        r#"{"method":"m","params":[],"id":null}"#,
        r#"{"jsonrpc":"1.5","method":"m","params":[],"id":1}"#,
        r#"{"jsonrpc":2.0,"method":"m","params":[],"id":1}"#,
        r#"{"params":[],"id":1}"#,
        r#"{"method":7,"params":[],"id":1}"#,
        r#"{"method":"m","params":{"a":1},"id":1}"#,
        r#"{"method":"m","params":"x","id":1}"#,
        r#"[1,2]"#,
        r#""just a string""#,
    ] {
        assert!(matches!(jsonrpc::parse_call(invalid.as_bytes()), Err(WireError::InvalidRequest(_))), "{invalid}");
    }
    for unparsable in ["", "{", "{\"method\":", "nul", "{\"a\":1}}"] {
        assert!(matches!(jsonrpc::parse_call(unparsable.as_bytes()), Err(WireError::Json(_))), "{unparsable:?}");
    }
    assert!(matches!(jsonrpc::parse_call(b"{\"method\":\"\xc3\x28\"}"), Err(WireError::Utf8(_))));
    let deep = format!("{{\"method\":\"m\",\"id\":1,\"params\":[{}1{}]}}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(matches!(jsonrpc::parse_call(deep.as_bytes()), Err(WireError::TooDeep(64))));
    let deep_reply = format!("{{\"result\":{}1{},\"id\":1}}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(matches!(
        jsonrpc::decode_response::<IgnoredAny>(deep_reply.as_bytes()),
        Err(CallError::Decode(WireError::TooDeep(64)))
    ));
    // Brackets inside strings do not count.
    let brackets = format!("{{\"method\":\"m\",\"id\":1,\"params\":[\"{}\"]}}", "[".repeat(1000));
    jsonrpc::parse_call(brackets.as_bytes()).unwrap();
}

#[test]
fn json_protocol_error_object() {
    let e = jsonrpc::encode_error(jsonrpc::PARSE_ERROR, "Parse error", Some("eof"));
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&e).unwrap(),
        json!({"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error", "data": "eof"}, "id": null})
    );
}
