//! xapi's caps on sessions and tasks, so that memory stays bounded
//! whatever an authenticated client does.
//!
//! * Sessions are grouped as xapi groups them: the root account's
//!   sessions without an originator share one group of at most
//!   [`MAX_ANONYMOUS_SESSIONS`]; the root account's other sessions are
//!   grouped by originator ([`MAX_SESSIONS_PER_ORIGINATOR`] each), and every
//!   other user's by user name ([`MAX_SESSIONS_PER_USER_NAME`] each). When a
//!   login takes a group past its cap, the group's least recently active
//!   sessions end, except those with a pending task (as in xapi). On top of
//!   that the simulator caps all sessions together at [`MAX_SESSIONS`]
//!   (xapi has no such cap, but a client that logs in under ever new
//!   originators would otherwise grow it without end).
//! * At most [`MAX_TASKS`] tasks are kept: past that the completed tasks
//!   that finished first are destroyed, never pending ones. A new task is
//!   refused with TOO_MANY_PENDING_TASKS when [`MAX_PENDING_TASKS`] are
//!   already pending.
//! * An `event.register` subscription holds at most [`MAX_SUBSCRIBED_NAMES`]
//!   names.
//!
//! xapi applies these caps in a periodic sweep; the simulator applies them
//! at once, on each login and each new task.

use xenapi_rt::types::DateTime;

/// Tasks kept (xapi's `max_tasks`).
pub const MAX_TASKS: usize = 200;
/// Pending tasks at once; past that a new task is TOO_MANY_PENDING_TASKS.
pub const MAX_PENDING_TASKS: usize = 1000;
/// Sessions of the root account with no originator (xapi's `max_sessions`).
pub const MAX_ANONYMOUS_SESSIONS: usize = 2 * MAX_TASKS;
/// Sessions of the root account per originator.
pub const MAX_SESSIONS_PER_ORIGINATOR: usize = 500;
/// Sessions of each other user.
pub const MAX_SESSIONS_PER_USER_NAME: usize = 500;
/// Sessions of every group together (the simulator's own cap).
pub const MAX_SESSIONS: usize = 10_000;
/// Names one session may hold in its `event.register` subscription (the
/// simulator's own cap).
pub const MAX_SUBSCRIBED_NAMES: usize = 1024;

/// The group a session counts in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Group {
    /// The root account (or no user name) with no originator.
    Anonymous,
    /// The root account with this originator.
    Originator(String),
    /// Any other user, by name.
    UserName(String),
}

impl Group {
    /// The group of a session of `user` made with `originator`.
    pub fn of(user: &str, originator: &str) -> Group {
        let root = user.is_empty() || user == crate::sim::ROOT;
        match (root, originator.is_empty()) {
            (true, true) => Group::Anonymous,
            (true, false) => Group::Originator(originator.to_string()),
            (false, _) => Group::UserName(user.to_string()),
        }
    }

    /// How many sessions the group may hold.
    pub fn cap(&self) -> usize {
        match self {
            Group::Anonymous => MAX_ANONYMOUS_SESSIONS,
            Group::Originator(_) => MAX_SESSIONS_PER_ORIGINATOR,
            Group::UserName(_) => MAX_SESSIONS_PER_USER_NAME,
        }
    }
}

/// A live session as the caps see it.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub r: String,
    pub group: Group,
    /// When it was last used, then the order of logins: smaller is older.
    pub age: (u64, u64),
    /// Whether it has a pending task (then its group's cap spares it).
    pub busy: bool,
}

/// The sessions to end so that every cap holds again after `newest`
/// logged in. The newest session itself is never chosen.
pub fn sessions_to_end(sessions: &[Candidate], newest: &str) -> Vec<String> {
    let mut out = Vec::new();
    let Some(new) = sessions.iter().find(|c| c.r == newest) else { return out };
    let mut group: Vec<&Candidate> = sessions.iter().filter(|c| c.group == new.group).collect();
    if group.len() > new.group.cap() {
        let excess = group.len() - new.group.cap();
        group.retain(|c| !c.busy && c.r != newest);
        group.sort_by_key(|c| c.age);
        out.extend(group.iter().take(excess).map(|c| c.r.clone()));
    }
    let left = sessions.len() - out.len();
    if left > MAX_SESSIONS {
        let mut rest: Vec<&Candidate> = sessions.iter().filter(|c| c.r != newest && !out.contains(&c.r)).collect();
        rest.sort_by_key(|c| c.age);
        out.extend(rest.iter().take(left - MAX_SESSIONS).map(|c| c.r.clone()));
    }
    out
}

/// A task as the cap sees it.
#[derive(Debug, Clone)]
pub struct TaskInfo {
    pub r: String,
    pub completed: bool,
    /// When it finished, then the generation of its last change.
    pub finished: (DateTime, u64),
}

/// The completed tasks to destroy so that at most [`MAX_TASKS`] remain
/// (pending tasks count against the cap but are never chosen): those that
/// finished first.
pub fn tasks_to_destroy(tasks: &[TaskInfo]) -> Vec<String> {
    if tasks.len() <= MAX_TASKS {
        return Vec::new();
    }
    let (mut completed, pending): (Vec<&TaskInfo>, Vec<&TaskInfo>) = tasks.iter().partition(|t| t.completed);
    let keep = MAX_TASKS.saturating_sub(pending.len());
    if completed.len() <= keep {
        return Vec::new();
    }
    completed.sort_by_key(|t| t.finished);
    let excess = completed.len() - keep;
    completed.iter().take(excess).map(|t| t.r.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(i: u64, group: Group, busy: bool) -> Candidate {
        Candidate { r: format!("s{i}"), group, age: (i, i), busy }
    }

    #[test]
    fn groups_follow_xapi() {
        assert_eq!(Group::of("root", ""), Group::Anonymous);
        assert_eq!(Group::of("", ""), Group::Anonymous);
        assert_eq!(Group::of("root", "app"), Group::Originator("app".into()));
        assert_eq!(Group::of("bob", "app"), Group::UserName("bob".into()));
        assert_eq!(Group::of("bob", ""), Group::UserName("bob".into()));
    }

    #[test]
    fn the_oldest_idle_session_of_the_group_ends() {
        let mut all: Vec<Candidate> = (0..400).map(|i| session(i, Group::Anonymous, i == 0)).collect();
        all.push(session(1000, Group::UserName("bob".into()), false));
        all.push(session(400, Group::Anonymous, false));
        // s0 is busy, so s1 (the next oldest) goes.
        assert_eq!(sessions_to_end(&all, "s400"), vec!["s1".to_string()]);
        assert!(sessions_to_end(&all, "s1000").is_empty());
    }

    #[test]
    fn completed_tasks_go_first_and_pending_ones_never() {
        let mut tasks: Vec<TaskInfo> = (0..150)
            .map(|i| TaskInfo { r: format!("p{i}"), completed: false, finished: (DateTime::default(), i) })
            .collect();
        tasks.extend((0..60).map(|i| TaskInfo {
            r: format!("c{i}"),
            completed: true,
            finished: (DateTime::from_unix(100 - i as i64), 0),
        }));
        let gone = tasks_to_destroy(&tasks);
        assert_eq!(gone.len(), 10);
        assert!(gone.iter().all(|r| r.starts_with('c')));
        // The ten that finished first: c59 .. c50.
        assert!(gone.contains(&"c59".to_string()) && gone.contains(&"c50".to_string()));
        let pending_only: Vec<TaskInfo> = (0..300)
            .map(|i| TaskInfo { r: format!("p{i}"), completed: false, finished: (DateTime::default(), i) })
            .collect();
        assert!(tasks_to_destroy(&pending_only).is_empty());
    }
}
