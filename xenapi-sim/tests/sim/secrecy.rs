//! Session references are bearer tokens: no session reference but the
//! caller's own ever leaves the simulator. And messages that no role grants
//! are local root only.

use crate::common;

use std::time::Duration;

use common::*;
use xenapi::{ApiError, Protocol, SessionRef};
use xenapi_rt::jsonrpc::Version;

type S = xenapi::Session<xenapi_rt::transport::HttpTransport>;

async fn vm_named(s: &S, name: &str) -> xenapi::VmRef {
    s.vm().get_by_name_label(name).await.unwrap().remove(0)
}

/// Every `OpaqueRef:...` in a text.
fn refs_in(text: &str) -> Vec<String> {
    let mut out: Vec<String> = text
        .match_indices("OpaqueRef:")
        .map(|(i, _)| {
            text[i..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == ':' || *c == '-').collect::<String>()
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_user_never_obtains_another_session() {
    let sim = start(quick()).await;
    for p in PROTOCOLS {
        let root = root(&sim.url, p).await;
        let root_ref = root.session_ref();
        let root_uuid = root.session().get_uuid(&root_ref).await.unwrap();
        root.session().add_to_other_config(&root_ref, "k", "v").await.unwrap();
        let viewer = login(&sim.url, p, "viewer", "secret").await.unwrap();
        let own = viewer.session_ref();
        let mut seen = String::new();

        // event.from, from the start and then from a token, by class name,
        // by `*` and by naming root's session outright.
        for classes in [vec!["session"], vec!["*"], vec!["SESSION", "vm"], vec![&*format!("session/{root_ref}")]] {
            let classes: Vec<Str> = classes.iter().map(|&c| Str::from(c)).collect();
            let batch = viewer.event().from(&classes, "", 0.0).await.unwrap();
            let sessions: Vec<_> = batch.events.iter().filter(|e| e.class == "session").collect();
            assert!(sessions.iter().all(|e| e.r#ref == own.as_str()), "{classes:?}: {sessions:?}");
            if let Some(n) = batch.valid_ref_counts.get("session") {
                assert_eq!(*n, 1, "{classes:?}");
            }
            seen.push_str(&format!("{batch:?}"));
            // Root changes its session and logs in again; the viewer's
            // next batch does not show either.
            root.session().remove_from_other_config(&root_ref, "k").await.unwrap();
            let again = login(&sim.url, p, "root", "xenroot").await.unwrap();
            let later = viewer.event().from(&classes, &batch.token, 0.5).await.unwrap();
            assert!(later.events.iter().all(|e| e.class != "session" || e.r#ref == own.as_str()), "{later:?}");
            seen.push_str(&format!("{later:?}"));
            again.session().logout().await.unwrap();
        }

        // event.register / event.next.
        #[allow(deprecated)]
        {
            viewer.event().register(&["session".into(), "*".into()]).await.unwrap();
            let nudge = login(&sim.url, p, "root", "xenroot").await.unwrap();
            let db = vm_named(&nudge, "db-01").await;
            let poke = tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(200)).await;
                nudge.session().add_to_other_config(&nudge.session_ref(), "n", "1").await.unwrap();
                nudge.vm().set_name_description(&db, "nudged").await.unwrap();
            });
            let events = viewer.event().next().await.unwrap();
            poke.await.unwrap();
            assert!(events.iter().all(|e| e.class != "session" || e.r#ref == own.as_str()), "{events:?}");
            seen.push_str(&format!("{events:?}"));
            viewer.event().unregister(&["session".into(), "*".into()]).await.unwrap();
        }

        // The session class's own reads.
        assert_eq!(
            desc(viewer.session().get_record(&root_ref).await),
            ["HANDLE_INVALID", "session", root_ref.as_str()]
        );
        assert_eq!(desc(viewer.session().get_by_uuid(&root_uuid).await), ["UUID_INVALID", "session", &*root_uuid]);
        assert_eq!(desc(viewer.session().get_parent(&root_ref).await)[0], "HANDLE_INVALID");
        assert_eq!(desc(viewer.session().get_other_config(&root_ref).await)[0], "HANDLE_INVALID");
        assert_eq!(viewer.session().get_record(&own).await.unwrap().auth_user_name, "viewer");
        let own_uuid = viewer.session().get_uuid(&own).await.unwrap();
        assert_eq!(viewer.session().get_by_uuid(&own_uuid).await.unwrap(), own);
        // Even root does not see the viewer's session.
        assert_eq!(desc(root.session().get_record(&own).await)[0], "HANDLE_INVALID");
        // There is no session.get_all to ask.
        let r = raw(&sim.url, p);
        let e = raw_desc(r.call("session.get_all_records").param(&own).send::<serde_json::Value>().await);
        assert_eq!(e[0], "MESSAGE_METHOD_UNKNOWN");

        // Tasks and every other record the viewer can read.
        let tasks = viewer.task().get_all_records().await.unwrap();
        seen.push_str(&format!("{tasks:?}"));
        let all = viewer.event().from(&["*".into()], "", 0.0).await.unwrap();
        seen.push_str(&format!("{all:?}"));

        // No reference the viewer saw is a session but its own.
        assert!(!seen.contains(root_ref.as_str()), "root's session leaked");
        let refs = refs_in(&seen);
        assert!(refs.len() > 20, "{refs:?}");
        for r in refs.into_iter().filter(|r| r != own.as_str()) {
            let conn = xenapi::Connection::new(xenapi_rt::transport::HttpTransport::new(&sim.url).unwrap(), p);
            let borrowed = conn.with_session(SessionRef::new(r.clone()));
            let e = borrowed.vm().set_name_label(&xenapi::VmRef::new("OpaqueRef:NULL"), "x").await;
            assert_eq!(desc(e)[0], "SESSION_INVALID", "{r} works as a session");
        }
        root.session().logout().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_that_no_role_grants_are_local_root_only() {
    let sim = start(xenapi_sim::Config {
        users: vec![
            xenapi_sim::User::parse("root:xenroot").unwrap(),
            xenapi_sim::User::parse("admin:adm").unwrap(),
            xenapi_sim::User::parse("viewer:secret:read-only").unwrap(),
        ],
        ..quick()
    })
    .await;
    for p in [Protocol::XmlRpc, Protocol::JsonRpc(Version::V2)] {
        let root = root(&sim.url, p).await;
        let admin = login(&sim.url, p, "admin", "adm").await.unwrap();
        let viewer = login(&sim.url, p, "viewer", "secret").await.unwrap();
        assert!(root.session().get_is_local_superuser(&root.session_ref()).await.unwrap());
        assert!(!admin.session().get_is_local_superuser(&admin.session_ref()).await.unwrap());

        // session.change_password: root may, a pool-admin user may not,
        // nor a read-only one.
        for (who, s, pwd) in [("viewer", &viewer, "secret"), ("admin", &admin, "adm")] {
            assert_eq!(
                desc(s.session().change_password(pwd, "new").await),
                ["RBAC_PERMISSION_DENIED", "session.change_password", "No permission in user session"],
                "{who}"
            );
        }
        root.session().change_password("xenroot", "changed").await.unwrap();
        root.session().change_password("changed", "xenroot").await.unwrap();
        // Another message with no roles, and root passing a role check.
        let host = root.host().get_all().await.unwrap()[0].clone();
        assert_eq!(desc(admin.host().get_sched_gran(&host).await)[0], "RBAC_PERMISSION_DENIED");
        if let Err(e) = root.host().get_sched_gran(&host).await {
            assert!(!matches!(e.api(), Some(ApiError::RbacPermissionDenied { .. })), "{e}");
        }
        let db = vm_named(&root, "db-01").await;
        root.vm().set_name_description(&db, "by root").await.unwrap();
        admin.vm().set_name_description(&db, "by admin").await.unwrap();
        assert_eq!(desc(viewer.vm().set_name_description(&db, "no").await)[0], "RBAC_PERMISSION_DENIED");
        let e = login(&sim.url, p, "viewer", "new").await.unwrap_err();
        assert_eq!(e.api(), Some(&ApiError::SessionAuthenticationFailed));
    }
    // The root account holds every role: it cannot be given a lesser one.
    assert!(xenapi_sim::User::parse("root:pw:read-only").is_err());
}
