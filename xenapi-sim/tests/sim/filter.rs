//! `CLASS.get_all_where` and `CLASS.get_all_records_where` (xapi's filter
//! language) on the default fixture, in every protocol. What each filter
//! should select is worked out from `get_all_records` on the client side.

#![allow(deprecated)]

use crate::common;

use std::collections::BTreeSet;

use xenapi_rt::types::Map;

use common::*;
use xenapi::{PifRecord, PifRef, VmPowerState, VmRecord, VmRef};

fn refs<R: Clone + Ord, V>(m: &Map<R, V>) -> BTreeSet<R> {
    m.keys().cloned().collect()
}

fn picked(all: &Map<VmRef, VmRecord>, keep: impl Fn(&VmRecord) -> bool) -> BTreeSet<VmRef> {
    all.iter().filter(|(_, v)| keep(v)).map(|(r, _)| r.clone()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filtered_listings_select_what_the_expression_says() {
    let sim = start(quick()).await;
    for p in PROTOCOLS {
        let s = root(&sim.url, p).await;
        let vms = s.vm().get_all_records().await.unwrap();
        let running = picked(&vms, |v| v.power_state == VmPowerState::Running);
        let halted = picked(&vms, |v| v.power_state == VmPowerState::Halted);
        let templates = picked(&vms, |v| v.is_a_template);
        assert!(!running.is_empty() && !halted.is_empty() && !templates.is_empty(), "{p:?}: the fixture has all three");

        let got = s.vm().get_all_records_where(r#"field "power_state" = "Running""#).await.unwrap();
        assert_eq!(refs(&got), running, "{p:?}");
        for (r, rec) in &got {
            assert_eq!(rec, &vms[r], "{p:?}: the records are the stored ones");
        }
        let got: BTreeSet<VmRef> =
            s.vm().get_all_where(r#"field "power_state" = "Running""#).await.unwrap().into_iter().collect();
        assert_eq!(got, running, "{p:?}");

        let got = s.vm().get_all_records_where(r#"field "is_a_template" = "true""#).await.unwrap();
        assert_eq!(refs(&got), templates, "{p:?}");
        let got = s.vm().get_all_records_where(r#"not field "is_a_template" = "true""#).await.unwrap();
        assert_eq!(refs(&got), picked(&vms, |v| !v.is_a_template), "{p:?}");

        // true, false, and/or with parentheses; namespaced fields by their
        // database names.
        assert_eq!(refs(&s.vm().get_all_records_where("true").await.unwrap()), refs(&vms), "{p:?}");
        assert!(s.vm().get_all_where("false").await.unwrap().is_empty(), "{p:?}");
        let either = r#"(field "power_state" = "Running" or field "power_state" = "Halted") and field "is_a_template" = "false""#;
        let want =
            picked(&vms, |v| !v.is_a_template && matches!(v.power_state, VmPowerState::Running | VmPowerState::Halted));
        assert_eq!(refs(&s.vm().get_all_records_where(either).await.unwrap()), want, "{p:?}");
        let web = r#"field "name__label" = "web-01""#;
        let want = picked(&vms, |v| v.name_label == "web-01");
        assert_eq!(want.len(), 1);
        assert_eq!(refs(&s.vm().get_all_records_where(web).await.unwrap()), want, "{p:?}");
        let one = want.iter().next().unwrap();
        let by_ref = format!(r#"field "_ref" = "{}""#, one.as_str());
        assert_eq!(refs(&s.vm().get_all_records_where(&by_ref).await.unwrap()), want, "{p:?}");

        // PIFs by device, and by a number.
        let pifs = s.pif().get_all_records().await.unwrap();
        let eth1: BTreeSet<PifRef> = pifs.iter().filter(|(_, v)| v.device == "eth1").map(|(r, _)| r.clone()).collect();
        assert!(!eth1.is_empty());
        let got: Map<PifRef, PifRecord> = s.pif().get_all_records_where(r#"field "device" = "eth1""#).await.unwrap();
        assert_eq!(refs(&got), eth1, "{p:?}");
        let got: BTreeSet<PifRef> = s
            .pif()
            .get_all_where(r#"field "VLAN" = "-1" and field "device" = "eth1""#)
            .await
            .unwrap()
            .into_iter()
            .collect();
        assert_eq!(
            got,
            pifs.iter().filter(|(_, v)| v.device == "eth1" && v.vlan == -1).map(|(r, _)| r.clone()).collect(),
            "{p:?}"
        );
        s.logout().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_expressions_fail_as_in_xapi() {
    let sim = start(quick()).await;
    for p in PROTOCOLS {
        let s = root(&sim.url, p).await;
        let e = desc(s.vm().get_all_records_where(r#"field "power_state" ="#).await);
        assert_eq!(e, ["INVALID_VALUE", r#"field "power_state" ="#, "Xapi_database.Db_filter_parse.Error"], "{p:?}");
        let e = desc(s.vm().get_all_where(r#"field "power_state" <> "Running""#).await);
        assert_eq!(
            e,
            ["INVALID_VALUE", r#"field "power_state" <> "Running""#, "Failure(\"lexing: empty token\")"],
            "{p:?}"
        );
        let deep = format!("{}true{}", "(".repeat(5000), ")".repeat(5000));
        assert_eq!(desc(s.vm().get_all_where(&deep).await)[0], "INVALID_VALUE", "{p:?}");

        // A field the class lacks: xapi's database answers INTERNAL_ERROR
        // with three parameters, seen whole through a raw call.
        let r = raw(&sim.url, p);
        let session = s.session_ref();
        let e = raw_desc(
            r.call("VM.get_all_where").param(&session).param(&r#"field "no_such" = "x""#).send::<Vec<String>>().await,
        );
        assert_eq!(e, ["INTERNAL_ERROR", "missing field", "no_such", ""], "{p:?}");
        // ... but only when it is looked at.
        assert!(s.vm().get_all_where(r#"false and field "no_such" = "x""#).await.unwrap().is_empty());
        s.logout().await.unwrap();
    }
}
