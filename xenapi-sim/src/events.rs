//! Events from the store's change index: `event.from` and the older
//! `event.register` / `event.next`.
//!
//! An event names an object that changed since a token, with its record
//! as it is now (so several changes to one object between two calls come
//! back as one event). Class names in events are lower case, as xapi
//! sends them; filters accept any case, `*` for every class and
//! `class/ref` for one object.
//!
//! A session reference is a bearer token, so the session class is
//! filtered at the root: a subscriber sees its own session and no other,
//! whatever it names (`session`, `*`, `session/REF`), in events and in
//! `valid_ref_counts` alike.

use std::collections::{HashMap, HashSet};

use xenapi::{ApiError, EventOperation, EventRecord};
use xenapi_rt::types::Str;

use crate::store::Db;
use crate::util::ascii_lower;

/// Which objects a subscriber wants.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    all: bool,
    classes: HashSet<usize>,
    objects: HashSet<(usize, String)>,
    /// The session class, and the only session the subscriber may see.
    session: Option<(usize, String)>,
}

impl Filter {
    /// Reads `event.from` / `event.register` class names for the caller
    /// whose session is `own_session`. Names of no known class match
    /// nothing.
    pub fn parse(db: &Db, names: &[Str], own_session: &str) -> Filter {
        let mut f = Filter {
            session: db.class_index("session").map(|idx| (idx, own_session.to_string())),
            ..Filter::default()
        };
        for n in names {
            let n = n.trim();
            if n == "*" {
                f.all = true;
            } else if let Some((class, r)) = n.split_once('/') {
                if let Some(idx) = db.class_index(class) {
                    f.objects.insert((idx, r.to_string()));
                }
            } else if let Some(idx) = db.class_index(n) {
                f.classes.insert(idx);
            }
        }
        f
    }

    fn matches(&self, idx: usize, r: &str) -> bool {
        if self.session.as_ref().is_some_and(|(s, own)| *s == idx && own != r) {
            return false;
        }
        self.all
            || self.classes.contains(&idx)
            || (!self.objects.is_empty() && self.objects.contains(&(idx, r.to_string())))
    }

    fn wants_class(&self, idx: usize) -> bool {
        self.all || self.classes.contains(&idx) || self.objects.iter().any(|(i, _)| *i == idx)
    }

    /// Whether the filter names anything at all.
    pub fn is_empty(&self) -> bool {
        !self.all && self.classes.is_empty() && self.objects.is_empty()
    }
}

/// Reads a token: empty for "everything now", else the generation.
pub fn parse_token(token: &str) -> Result<Option<u64>, ApiError> {
    let t = token.trim();
    if t.is_empty() {
        return Ok(None);
    }
    // Accept xapi's comma-separated form too; the first number counts.
    let first = t.split(',').next().unwrap_or(t);
    first.trim().parse::<u64>().map(Some).map_err(|_| ApiError::EventFromTokenParseFailure { token: token.to_string() })
}

/// Writes a token for a generation.
pub fn token(gen: u64) -> String {
    format!("{gen:020}")
}

#[allow(deprecated)]
fn event(db: &Db, id: u64, idx: usize, r: &str, op: EventOperation, uuid: Option<Str>, time: i64) -> EventRecord {
    let t = db.erased(idx);
    EventRecord {
        snapshot: if op == EventOperation::Del { serde_json::Value::Null } else { t.to_json(r).unwrap_or_default() },
        id: id as i64,
        timestamp: xenapi_rt::types::DateTime::from_unix(time),
        class: ascii_lower(t.class()),
        operation: op,
        r#ref: r.into(),
        obj_uuid: uuid.or_else(|| t.uuid(r)).unwrap_or_default(),
    }
}

/// The events a filter sees since `since` (`None`: one `add` per current
/// object), and the generation they go up to.
pub fn collect(db: &Db, filter: &Filter, since: Option<u64>) -> Result<(Vec<EventRecord>, u64), ApiError> {
    let now = crate::util::now_secs();
    let mut out = Vec::new();
    match since {
        None => {
            for idx in 0..db.table_count() {
                if !filter.wants_class(idx) {
                    continue;
                }
                let t = db.erased(idx);
                let mut refs = t.refs();
                refs.sort();
                for r in refs {
                    if filter.matches(idx, &r) {
                        let id = t.gens(&r).map_or(0, |g| g.1);
                        out.push(event(db, id, idx, &r, EventOperation::Add, None, now));
                    }
                }
            }
            out.sort_by_key(|e| e.id);
        }
        Some(token) => {
            if token < db.lost_upto {
                return Err(ApiError::EventsLost);
            }
            for (gen, c) in db.changes.range(token.saturating_add(1)..) {
                if !filter.matches(c.table, &c.r) {
                    continue;
                }
                match &c.deleted {
                    Some(uuid) => {
                        out.push(event(db, *gen, c.table, &c.r, EventOperation::Del, Some(uuid.clone()), c.time))
                    }
                    None => {
                        let created = db.erased(c.table).gens(&c.r).map_or(0, |g| g.0);
                        let op = if created > token { EventOperation::Add } else { EventOperation::Mod };
                        out.push(event(db, *gen, c.table, &c.r, op, None, c.time));
                    }
                }
            }
        }
    }
    Ok((out, db.gen))
}

/// How many objects each class in the filter has, by lower-case name
/// (of sessions, only the subscriber's own counts).
pub fn counts(db: &Db, filter: &Filter) -> HashMap<String, i64> {
    (0..db.table_count())
        .filter(|&i| filter.wants_class(i))
        .map(|i| {
            let t = db.erased(i);
            let n = match &filter.session {
                Some((s, own)) if *s == i => i64::from(t.contains(own)),
                _ => t.len() as i64,
            };
            (t.class().to_ascii_lowercase(), n)
        })
        .collect()
}
