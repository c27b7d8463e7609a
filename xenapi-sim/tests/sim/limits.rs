//! xapi's caps on sessions and tasks, memory that stays bounded whatever
//! an authenticated client does, and command-line values out of range.

use crate::common;

use common::*;
use xenapi::{Protocol, SessionRef, TaskRef, TaskStatusType};
use xenapi_rt::jsonrpc::Version;
use xenapi_sim::limits::{
    MAX_ANONYMOUS_SESSIONS, MAX_PENDING_TASKS, MAX_SESSIONS_PER_ORIGINATOR, MAX_SESSIONS_PER_USER_NAME, MAX_TASKS,
};

type S = xenapi::Session<xenapi_rt::transport::HttpTransport>;

async fn login_as(url: &str, user: &str, pwd: &str, originator: &str) -> SessionRef {
    let conn = xenapi::Connection::new(xenapi_rt::transport::HttpTransport::new(url).unwrap(), Protocol::XmlRpc);
    conn.login_with_password(user, pwd, "1.0", originator).await.unwrap().session_ref()
}

/// Whether a session still works (without logging in again).
async fn valid(url: &str, s: &SessionRef) -> bool {
    let conn = xenapi::Connection::new(xenapi_rt::transport::HttpTransport::new(url).unwrap(), Protocol::XmlRpc);
    match conn.with_session(s.clone()).session().get_uuid(s).await {
        Ok(_) => true,
        Err(e) => {
            assert_eq!(e.api().map(|a| a.code()), Some("SESSION_INVALID"), "{e}");
            false
        }
    }
}

/// Logs in `cap + 1` times in one group and checks that exactly the
/// oldest session of the group ended and that `bystander` did not.
async fn check_group(url: &str, user: &str, pwd: &str, originator: &str, cap: usize, bystander: &SessionRef) {
    let mut group = Vec::new();
    for _ in 0..cap {
        group.push(login_as(url, user, pwd, originator).await);
    }
    assert!(valid(url, &group[0]).await, "{user}/{originator}: ended before the cap");
    // Using the first makes the second the least recently active.
    let newest = login_as(url, user, pwd, originator).await;
    assert!(!valid(url, &group[1]).await, "{user}/{originator}: the oldest session did not end");
    for s in [&group[0], &group[2], &group[cap - 1], &newest, bystander] {
        assert!(valid(url, s).await, "{user}/{originator}: a session that should stay ended");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_are_capped_per_group_oldest_first() {
    let sim = start(quick()).await;
    let bystander = login_as(&sim.url, "operator", "op", "elsewhere").await;
    check_group(&sim.url, "root", "xenroot", "", MAX_ANONYMOUS_SESSIONS, &bystander).await;
    check_group(&sim.url, "root", "xenroot", "my-app", MAX_SESSIONS_PER_ORIGINATOR, &bystander).await;
    check_group(&sim.url, "viewer", "secret", "any", MAX_SESSIONS_PER_USER_NAME, &bystander).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_with_a_pending_task_is_spared() {
    let sim = start(quick()).await;
    let conn = xenapi::Connection::new(xenapi_rt::transport::HttpTransport::new(&sim.url).unwrap(), Protocol::XmlRpc);
    let busy: S = conn.login_with_password("viewer", "secret", "1.0", "").await.unwrap();
    busy.task().create("work", "").await.unwrap();
    let mut rest = Vec::new();
    for _ in 0..MAX_SESSIONS_PER_USER_NAME {
        rest.push(login_as(&sim.url, "viewer", "secret", "").await);
    }
    assert!(valid(&sim.url, &busy.session_ref()).await);
    assert!(!valid(&sim.url, &rest[0]).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completed_tasks_past_the_cap_go_oldest_first_and_pending_ones_stay() {
    let sim = start(quick()).await;
    let s = root(&sim.url, Protocol::JsonRpc(Version::V2)).await;
    let mut done = Vec::new();
    for i in 0..100 {
        let t = s.task().create(&format!("done {i}"), "").await.unwrap();
        s.task().set_status(&t, &TaskStatusType::Success).await.unwrap();
        done.push(t);
    }
    let mut pending: Vec<TaskRef> = Vec::new();
    for i in 0..150 {
        pending.push(s.task().create(&format!("pending {i}"), "").await.unwrap());
    }
    let all = s.task().get_all().await.unwrap();
    assert_eq!(all.len(), MAX_TASKS);
    assert!(pending.iter().all(|t| all.contains(t)), "a pending task was destroyed");
    assert!(done[..50].iter().all(|t| !all.contains(t)), "the oldest completed tasks were kept");
    assert!(done[50..].iter().all(|t| all.contains(t)), "newer completed tasks were destroyed");

    // Pending tasks are never destroyed, so past a cap new ones are refused.
    for _ in pending.len()..MAX_PENDING_TASKS {
        s.task().create("more", "").await.unwrap();
    }
    assert_eq!(desc(s.task().create("one too many", "").await), ["TOO_MANY_PENDING_TASKS"]);
    let all = s.task().get_all().await.unwrap();
    assert_eq!(all.len(), MAX_PENDING_TASKS);
    // Once one completes there is room again.
    s.task().cancel(&pending[0]).await.unwrap();
    s.task().create("room again", "").await.unwrap();
}

/// The resident memory of a process, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn memory_stays_bounded_under_logins_tasks_and_subscriptions() {
    let sim = Process::spawn(&["--task-delay-ms", "0"]).expect("starts");
    let pid = sim.child.id();
    let url = sim.url.clone();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let start = rss_kib(pid);
    rt.block_on(async {
        // 20,000 logins never logged out, over four clients.
        let clients: Vec<_> = (0..4)
            .map(|c| {
                let url = url.clone();
                tokio::spawn(async move {
                    let r = raw(&url, Protocol::XmlRpc);
                    for i in 0..5000 {
                        let originator = if i % 2 == 0 { String::new() } else { format!("app-{c}") };
                        r.call("session.login_with_password")
                            .param(&"root")
                            .param(&"xenroot")
                            .param(&"1.0")
                            .param(&originator)
                            .send::<String>()
                            .await
                            .unwrap();
                    }
                })
            })
            .collect();
        for c in clients {
            c.await.unwrap();
        }
        // task.create in a loop, and a subscription that keeps growing.
        let s = root(&url, Protocol::XmlRpc).await;
        let mut refused = 0;
        for i in 0..3000 {
            let t = s.task().create("loop", "").await;
            match t {
                Ok(t) if i % 2 == 0 => s.task().set_status(&t, &TaskStatusType::Success).await.unwrap(),
                Ok(_) => {}
                Err(e) => {
                    assert_eq!(e.api().map(|a| a.code()), Some("TOO_MANY_PENDING_TASKS"), "{e}");
                    refused += 1;
                }
            }
        }
        assert!(refused > 0);
        #[allow(deprecated)]
        for i in 0..2000 {
            let r = s.event().register(&[format_compact!("vm/OpaqueRef:{i:040}")]).await;
            if i >= 1024 {
                assert_eq!(desc(r)[0], "INVALID_VALUE");
            }
        }
        assert!(s.task().get_all().await.unwrap().len() <= MAX_PENDING_TASKS);
    });
    let end = rss_kib(pid);
    eprintln!("simulator RSS: {start} KiB at start, {end} KiB after 20,000 logins and 3,000 tasks");
    assert!(end < start + 64 * 1024, "RSS grew from {start} KiB to {end} KiB");
}

#[test]
fn command_line_values_out_of_range_are_refused() {
    for args in [
        &["--session-timeout", "1e20"][..],
        &["--session-timeout", "0"],
        &["--session-timeout=-1"],
        &["--session-timeout", "nan"],
        &["--session-timeout", "inf"],
        &["--session-timeout", "soon"],
        &["--task-delay-ms", "99999999999"],
        &["--task-delay-ms=-1"],
        &["--max-body", "0"],
        &["--max-body", "999999999999999"],
        &["--max-body", "18446744073709551616"],
        &["--listen", "nowhere"],
        &["--user", "nocolon"],
        &["--user", "root:pw:read-only"],
    ] {
        let (code, err) = Process::spawn(args).err().unwrap_or_else(|| panic!("{args:?} accepted"));
        assert_eq!(code, Some(2), "{args:?}: {err}");
        let option = args[0].split('=').next().unwrap();
        assert!(err.contains(option) || err.contains("--user"), "{args:?}: {err}");
        assert_no_panic("refusing", &err);
    }
    // In range: starts.
    Process::spawn(&["--session-timeout", "0.5", "--task-delay-ms", "0", "--max-body", "1024"]).expect("starts");
}
