//! Parameter defaults in the generated dispatcher, against the simulator
//! in every protocol: a call may leave trailing defaulted parameters out
//! (as most real clients do with `session.login_with_password`), and a
//! wrong count is reported with xapi's numbers.

use crate::common;

use common::*;
use xenapi::SessionRef;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_takes_two_three_or_four_parameters() {
    let sim = start(quick()).await;
    for p in PROTOCOLS {
        let r = raw(&sim.url, p);
        let forms: [(&[&str], &str); 4] = [
            (&["root", "xenroot"], ""),
            (&["root", "xenroot", "1.0"], ""),
            (&["root", "xenroot", "1.0", "tool"], "tool"),
            // As in xapi, parameters past the last one are ignored when a
            // message has defaults.
            (&["root", "xenroot", "1.0", "extra", "more"], "extra"),
        ];
        for (params, originator) in forms {
            let mut call = r.call("session.login_with_password");
            for v in params {
                call = call.param(v);
            }
            let session: SessionRef =
                call.send().await.unwrap_or_else(|e| panic!("{p:?} {} params: {e}", params.len()));
            // The session works, and carries the originator given or the
            // default one (read by the session itself: no other session
            // may see it).
            let vms: Vec<String> = r.call("VM.get_all").param(&session).send().await.unwrap();
            assert!(!vms.is_empty(), "{p:?}");
            let got: String = r.call("session.get_originator").param(&session).param(&session).send().await.unwrap();
            assert_eq!(got, originator, "{p:?} {params:?}");
            r.call("session.logout").param(&session).send::<xenapi_rt::types::Void>().await.unwrap();
        }
        // Fewer than the parameters without defaults: xapi counts those.
        let e = raw_desc(r.call("session.login_with_password").param(&"root").send::<String>().await);
        assert_eq!(e, ["MESSAGE_PARAMETER_COUNT_MISMATCH", "session.login_with_password", "2", "1"], "{p:?}");
        // A bad password is still refused with two parameters.
        let e = raw_desc(r.call("session.login_with_password").param(&"root").param(&"wrong").send::<String>().await);
        assert_eq!(e[0], "SESSION_AUTHENTICATION_FAILED", "{p:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counts_leave_the_session_out_as_xapi_does() {
    let sim = start(quick()).await;
    for p in PROTOCOLS {
        let s = root(&sim.url, p).await;
        let session = s.session_ref();
        let r = raw(&sim.url, p);
        let vm: Vec<String> = r.call("VM.get_all").param(&session).send().await.unwrap();
        // A message without defaults takes exactly its parameters.
        let e = raw_desc(r.call("VM.get_name_label").param(&session).param(&vm[0]).param(&1).send::<String>().await);
        assert_eq!(e, ["MESSAGE_PARAMETER_COUNT_MISMATCH", "VM.get_name_label", "1", "2"], "{p:?}");
        let e = raw_desc(r.call("VM.get_all").send::<Vec<String>>().await);
        assert_eq!(e, ["MESSAGE_PARAMETER_COUNT_MISMATCH", "VM.get_all", "0", "-1"], "{p:?}");
        // host.evacuate(session, host) leaves network and batch size to
        // their defaults: past the count check, the call reaches the
        // server (whatever it answers then).
        let hosts: Vec<String> = r.call("host.get_all").param(&session).send().await.unwrap();
        let e = r.call("host.evacuate").param(&session).param(&hosts[0]).send::<xenapi_rt::types::Void>().await;
        assert_ne!(
            e.err().and_then(|e| e.code().map(str::to_string)).as_deref(),
            Some("MESSAGE_PARAMETER_COUNT_MISMATCH"),
            "{p:?}"
        );
        let e = raw_desc(r.call("host.evacuate").param(&session).send::<xenapi_rt::types::Void>().await);
        assert_eq!(e, ["MESSAGE_PARAMETER_COUNT_MISMATCH", "host.evacuate", "1", "0"], "{p:?}");
    }
}
