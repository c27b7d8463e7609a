//! The generic object store: one table per class, set up from
//! [`xenapi::visit_records`], with no code for any particular class.
//!
//! * Every change runs in a transaction ([`SimStore::write`]) that either
//!   commits whole or leaves nothing behind.
//! * Both sides of every relation in [`xenapi::RELATIONS`] are kept
//!   consistent: creating a VBD lists it in its VM's `VBDs`, destroying it
//!   removes it, and a ref field that points at nothing is HANDLE_INVALID.
//! * Every committed change bumps a generation counter; each object
//!   remembers the generation of its last change, and deletions leave a
//!   tombstone. That is all `event.from` needs: the objects changed since
//!   a token, each with its current record.
//! * With a state file, each transaction is appended and synced before
//!   the caller sees it succeed.

use std::any::{Any, TypeId};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Mutex, RwLock, RwLockReadGuard};

use serde_json::Value;
use xenapi::server::{ClassVisitor, Record, Relation};
use xenapi::ApiError;
use xenapi_rt::types::{Class, Ref, Str};

use crate::persist::{Log, Op};
use crate::util::{new_ref, new_uuid, now_secs};

/// Classes whose objects live only as long as the process: they are not
/// written to the state file.
pub const EPHEMERAL: &[&str] = &["session", "task"];

/// Deletions remembered for `event.from`; older ones are forgotten and a
/// token from before them gets EVENTS_LOST.
const MAX_TOMBSTONES: usize = 100_000;

pub(crate) struct Row<R> {
    pub rec: R,
    /// Generation at which the object was created.
    pub created: u64,
    /// Generation of its last change.
    pub modified: u64,
}

type Saved = Box<dyn Any + Send + Sync>;

/// A table seen without its record type.
pub(crate) trait Table: Send + Sync {
    fn class(&self) -> &'static str;
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
    fn len(&self) -> usize;
    fn contains(&self, r: &str) -> bool;
    fn refs(&self) -> Vec<String>;
    fn gens(&self, r: &str) -> Option<(u64, u64)>;
    /// Sets the generation of the last change; returns the previous one.
    fn set_modified(&mut self, r: &str, gen: u64) -> Option<u64>;
    fn set_created(&mut self, r: &str, gen: u64);
    /// The last-change generation and UUID of a saved row.
    fn saved_info(&self, saved: &Saved) -> (u64, Str);
    /// The record as a JSON value (field names as on the wire).
    fn to_json(&self, r: &str) -> Option<Value>;
    fn uuid(&self, r: &str) -> Option<Str>;
    fn link(&mut self, r: &str, inverse: &str, other: &str) -> bool;
    fn unlink(&mut self, r: &str, inverse: &str, other: &str) -> bool;
    /// Lists (`Some`) or unlists (`None`) a running task's operation in
    /// the object's `current_operations`; false when nothing changed.
    fn task_operation(&mut self, r: &str, task: &str, operation: Option<&str>) -> bool;
    /// A copy of the row, to put back on rollback (`None`: absent).
    fn save(&self, r: &str) -> Option<Saved>;
    fn restore(&mut self, r: &str, saved: Option<Saved>);
    /// Inserts or replaces an object from its JSON record.
    fn put_json(&mut self, r: &str, v: Value, gen: u64) -> Result<(), String>;
    fn remove(&mut self, r: &str) -> bool;
}

pub(crate) struct TypedTable<R: Record> {
    rows: HashMap<String, Row<R>>,
    by_uuid: HashMap<String, String>,
}

impl<R: Record> TypedTable<R> {
    fn new() -> Self {
        TypedTable { rows: HashMap::new(), by_uuid: HashMap::new() }
    }

    pub fn get(&self, r: &str) -> Option<&R> {
        self.rows.get(r).map(|row| &row.rec)
    }

    pub(crate) fn rows(&self) -> impl Iterator<Item = (&String, &Row<R>)> {
        self.rows.iter()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &R)> {
        self.rows.iter().map(|(k, row)| (k, &row.rec))
    }

    pub fn by_uuid(&self, uuid: &str) -> Option<&String> {
        self.by_uuid.get(uuid)
    }

    fn insert(&mut self, r: &str, row: Row<R>) {
        if let Some(old) = self.rows.get(r) {
            if let Some(u) = old.rec.uuid() {
                self.by_uuid.remove(u);
            }
        }
        if let Some(u) = row.rec.uuid() {
            if !u.is_empty() {
                self.by_uuid.insert(u.to_string(), r.to_string());
            }
        }
        self.rows.insert(r.to_string(), row);
    }

    fn take(&mut self, r: &str) -> Option<Row<R>> {
        let row = self.rows.remove(r)?;
        if let Some(u) = row.rec.uuid() {
            if self.by_uuid.get(u).is_some_and(|x| x == r) {
                self.by_uuid.remove(u);
            }
        }
        Some(row)
    }
}

impl<R: Record> Table for TypedTable<R> {
    fn class(&self) -> &'static str {
        <R::Class as Class>::NAME
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
    fn len(&self) -> usize {
        self.rows.len()
    }
    fn contains(&self, r: &str) -> bool {
        self.rows.contains_key(r)
    }
    fn refs(&self) -> Vec<String> {
        self.rows.keys().cloned().collect()
    }
    fn gens(&self, r: &str) -> Option<(u64, u64)> {
        self.rows.get(r).map(|row| (row.created, row.modified))
    }
    fn set_modified(&mut self, r: &str, gen: u64) -> Option<u64> {
        self.rows.get_mut(r).map(|row| std::mem::replace(&mut row.modified, gen))
    }
    fn set_created(&mut self, r: &str, gen: u64) {
        if let Some(row) = self.rows.get_mut(r) {
            row.created = gen;
        }
    }
    fn saved_info(&self, saved: &Saved) -> (u64, Str) {
        match saved.downcast_ref::<Row<R>>() {
            Some(row) => (row.modified, Str::from(row.rec.uuid().unwrap_or_default())),
            None => (0, Str::default()),
        }
    }
    fn to_json(&self, r: &str) -> Option<Value> {
        self.rows.get(r).and_then(|row| serde_json::to_value(&row.rec).ok())
    }
    fn uuid(&self, r: &str) -> Option<Str> {
        self.rows.get(r).and_then(|row| row.rec.uuid().map(Str::from))
    }
    fn link(&mut self, r: &str, inverse: &str, other: &str) -> bool {
        self.rows.get_mut(r).is_some_and(|row| row.rec.link(inverse, other))
    }
    fn unlink(&mut self, r: &str, inverse: &str, other: &str) -> bool {
        self.rows.get_mut(r).is_some_and(|row| row.rec.unlink(inverse, other))
    }
    fn task_operation(&mut self, r: &str, task: &str, operation: Option<&str>) -> bool {
        self.rows.get_mut(r).is_some_and(|row| match operation {
            Some(op) => row.rec.begin_operation(task, op),
            None => row.rec.end_operation(task),
        })
    }
    fn save(&self, r: &str) -> Option<Saved> {
        self.rows
            .get(r)
            .map(|row| Box::new(Row { rec: row.rec.clone(), created: row.created, modified: row.modified }) as Saved)
    }
    fn restore(&mut self, r: &str, saved: Option<Saved>) {
        self.take(r);
        if let Some(saved) = saved {
            if let Ok(row) = saved.downcast::<Row<R>>() {
                self.insert(r, *row);
            }
        }
    }
    fn put_json(&mut self, r: &str, v: Value, gen: u64) -> Result<(), String> {
        let rec: R = serde_json::from_value(v).map_err(|e| format!("{} {r}: {e}", self.class()))?;
        let created = self.rows.get(r).map_or(gen, |row| row.created);
        self.insert(r, Row { rec, created, modified: gen });
        Ok(())
    }
    fn remove(&mut self, r: &str) -> bool {
        self.take(r).is_some()
    }
}

/// One entry of the change index: the latest change of an object, or
/// its deletion.
#[derive(Debug, Clone)]
pub(crate) struct Change {
    pub table: usize,
    pub r: String,
    pub deleted: Option<Str>,
    pub time: i64,
}

/// Every table, and the change index.
pub struct Db {
    tables: Vec<Box<dyn Table>>,
    by_type: HashMap<TypeId, usize>,
    by_name: HashMap<String, usize>,
    persistent: Vec<bool>,
    /// The generation of the last committed change.
    pub(crate) gen: u64,
    pub(crate) changes: BTreeMap<u64, Change>,
    tombstones: std::collections::VecDeque<u64>,
    /// Deletions at or before this generation may have been forgotten.
    pub(crate) lost_upto: u64,
}

struct Setup<'a>(&'a mut Db);

impl ClassVisitor for Setup<'_> {
    fn visit<R: Record>(&mut self) {
        let name = <R::Class as Class>::NAME;
        let db = &mut *self.0;
        let idx = db.tables.len();
        db.tables.push(Box::new(TypedTable::<R>::new()));
        db.by_type.insert(TypeId::of::<R>(), idx);
        db.by_name.insert(name.to_ascii_lowercase(), idx);
        db.persistent.push(!EPHEMERAL.contains(&name));
    }
}

impl Db {
    fn new() -> Self {
        let mut db = Db {
            tables: Vec::new(),
            by_type: HashMap::new(),
            by_name: HashMap::new(),
            persistent: Vec::new(),
            gen: 0,
            changes: BTreeMap::new(),
            tombstones: Default::default(),
            lost_upto: 0,
        };
        xenapi::visit_records(&mut Setup(&mut db));
        db
    }

    fn idx<R: Record>(&self) -> usize {
        self.by_type[&TypeId::of::<R>()]
    }

    /// The typed table of a record type.
    pub(crate) fn table<R: Record>(&self) -> &TypedTable<R> {
        let idx = self.idx::<R>();
        self.tables[idx].as_any().downcast_ref().expect("table type")
    }

    fn table_mut<R: Record>(&mut self) -> &mut TypedTable<R> {
        let idx = self.idx::<R>();
        self.tables[idx].as_any_mut().downcast_mut().expect("table type")
    }

    /// The index of a class by name, any case.
    pub(crate) fn class_index(&self, name: &str) -> Option<usize> {
        self.by_name.get(&name.to_ascii_lowercase()).copied()
    }

    pub(crate) fn erased(&self, idx: usize) -> &dyn Table {
        &*self.tables[idx]
    }

    pub(crate) fn table_count(&self) -> usize {
        self.tables.len()
    }

    /// Replaces or removes an object without any checks (state replay).
    pub(crate) fn apply_raw(&mut self, class: &str, r: &str, v: Option<Value>, gen: u64) -> Result<(), String> {
        let idx = self.class_index(class).ok_or_else(|| format!("unknown class `{class}`"))?;
        match v {
            Some(v) => self.tables[idx].put_json(r, v, gen),
            None => {
                self.tables[idx].remove(r);
                Ok(())
            }
        }
    }

    /// After replaying state: index every object as changed, each at a
    /// generation of its own after `gen` (a client's event token from
    /// before the restart then sees every object again).
    pub(crate) fn reindex(&mut self, gen: u64) {
        self.gen = self.gen.max(gen);
        self.changes.clear();
        self.tombstones.clear();
        let now = now_secs();
        for idx in 0..self.tables.len() {
            let mut refs = self.tables[idx].refs();
            refs.sort();
            for r in refs {
                self.gen += 1;
                let t = &mut self.tables[idx];
                t.set_modified(&r, self.gen);
                t.set_created(&r, self.gen);
                self.changes.insert(self.gen, Change { table: idx, r, deleted: None, time: now });
            }
        }
    }

    /// Every object of every persistent class, as state-file operations.
    pub(crate) fn dump(&self) -> Vec<Op> {
        let mut ops = Vec::new();
        for (idx, t) in self.tables.iter().enumerate() {
            if !self.persistent[idx] {
                continue;
            }
            let mut refs = t.refs();
            refs.sort();
            for r in refs {
                if let Some(v) = t.to_json(&r) {
                    ops.push(Op { class: t.class().to_string(), r, v: Some(v) });
                }
            }
        }
        ops
    }

    /// Reads an object.
    pub fn get<R: Record>(&self, r: &str) -> Result<&R, ApiError> {
        self.table::<R>().get(r).ok_or_else(|| handle_invalid::<R>(r))
    }

    /// Every object of a class.
    pub fn all<R: Record>(&self) -> Vec<(Ref<R::Class>, R)> {
        self.table::<R>().iter().map(|(k, v)| (Ref::new(k.clone()), v.clone())).collect()
    }

    /// How many objects a class has.
    pub fn count<R: Record>(&self) -> usize {
        self.table::<R>().len()
    }
}

pub(crate) fn handle_invalid<R: Record>(r: &str) -> ApiError {
    ApiError::HandleInvalid { class: <R::Class as Class>::NAME.to_string(), handle: r.to_string() }
}

/// A transaction: typed changes that commit together or not at all.
pub struct Tx<'a> {
    db: &'a mut Db,
    undo: Vec<(usize, String, Option<Saved>)>,
    touched: HashSet<(usize, String)>,
    order: Vec<(usize, String)>,
}

impl<'a> Tx<'a> {
    fn new(db: &'a mut Db) -> Self {
        Tx { db, undo: Vec::new(), touched: HashSet::new(), order: Vec::new() }
    }

    /// Read access to everything, including this transaction's changes.
    pub fn db(&self) -> &Db {
        self.db
    }

    fn touch(&mut self, idx: usize, r: &str) {
        let key = (idx, r.to_string());
        if self.touched.insert(key.clone()) {
            let saved = self.db.tables[idx].save(r);
            self.undo.push((idx, r.to_string(), saved));
            self.order.push(key);
        }
    }

    /// Reads an object.
    pub fn get<R: Record>(&self, r: &str) -> Result<&R, ApiError> {
        self.db.get::<R>(r)
    }

    /// Checks that every object `rec` points at through a relation exists.
    fn check_targets(&self, related: &[(&'static Relation, String)]) -> Result<(), ApiError> {
        for (rel, target) in related {
            let ok = self.db.class_index(rel.target).is_some_and(|i| self.db.tables[i].contains(target));
            if !ok {
                return Err(ApiError::HandleInvalid { class: rel.target.to_string(), handle: target.clone() });
            }
        }
        Ok(())
    }

    fn link_all(&mut self, r: &str, related: &[(&'static Relation, String)], add: bool) {
        for (rel, target) in related {
            if let Some(ti) = self.db.class_index(rel.target) {
                if self.db.tables[ti].contains(target) {
                    self.touch(ti, target);
                    let t = &mut self.db.tables[ti];
                    if add {
                        t.link(target, rel.inverse, r);
                    } else {
                        t.unlink(target, rel.inverse, r);
                    }
                }
            }
        }
    }

    /// Changes an object; an error from `f` leaves it as it was.
    pub fn update<R: Record, T>(
        &mut self,
        r: &str,
        f: impl FnOnce(&mut R) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let mut rec = self.get::<R>(r)?.clone();
        let before: Vec<_> = rec.related().into_iter().map(|(rel, x)| (rel, x.to_string())).collect();
        let out = f(&mut rec)?;
        crate::behaviour::normalise(&mut rec);
        let after: Vec<_> = rec.related().into_iter().map(|(rel, x)| (rel, x.to_string())).collect();
        let gone: Vec<_> = before.iter().filter(|b| !after.contains(b)).cloned().collect();
        let new: Vec<_> = after.iter().filter(|a| !before.contains(a)).cloned().collect();
        self.check_targets(&new)?;
        if let (Some(old), Some(now)) = (self.db.table::<R>().get(r).and_then(|o| o.uuid()), rec.uuid()) {
            if old != now {
                return Err(ApiError::OperationNotAllowed { reason: "the uuid of an object cannot change".into() });
            }
        }
        let idx = self.db.idx::<R>();
        self.touch(idx, r);
        let row = self.db.table_mut::<R>().rows.get_mut(r).expect("row exists");
        row.rec = rec;
        self.link_all(r, &gone, false);
        self.link_all(r, &new, true);
        crate::classes::after_write::<R>(self, r)?;
        Ok(out)
    }

    /// Changes an object in place, for bookkeeping that leaves its
    /// relation fields alone (SR usage, metrics): no copy of the record is
    /// made, which matters for objects that list thousands of others. An
    /// error from `f` must come before it changes anything.
    pub fn modify<R: Record, T>(
        &mut self,
        r: &str,
        f: impl FnOnce(&mut R) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        self.get::<R>(r)?;
        let idx = self.db.idx::<R>();
        self.touch(idx, r);
        let row = self.db.table_mut::<R>().rows.get_mut(r).expect("row exists");
        let before = cfg!(debug_assertions).then(|| row.rec.related().len());
        let out = f(&mut row.rec)?;
        crate::behaviour::normalise(&mut row.rec);
        debug_assert_eq!(before, cfg!(debug_assertions).then(|| row.rec.related().len()), "modify changed a relation");
        Ok(out)
    }

    /// Adds an object under a new reference (and a new UUID unless the
    /// record has one).
    pub fn create<R: Record>(&mut self, rec: R) -> Result<Ref<R::Class>, ApiError> {
        let r = new_ref();
        self.create_as(&r, rec)?;
        Ok(Ref::new(r))
    }

    /// Adds an object under a given reference.
    pub fn create_as<R: Record>(&mut self, r: &str, mut rec: R) -> Result<(), ApiError> {
        if self.db.table::<R>().rows.contains_key(r) {
            return Err(ApiError::DbUniquenessConstraintViolation {
                table: <R::Class as Class>::NAME.to_string(),
                field: "_ref".into(),
                value: r.to_string(),
            });
        }
        if rec.uuid().is_some_and(str::is_empty) {
            rec.set_uuid(&new_uuid());
        }
        if let Some(u) = rec.uuid() {
            if self.db.table::<R>().by_uuid(u).is_some() {
                return Err(ApiError::DbUniquenessConstraintViolation {
                    table: <R::Class as Class>::NAME.to_string(),
                    field: "uuid".into(),
                    value: u.to_string(),
                });
            }
        }
        crate::behaviour::normalise(&mut rec);
        let related: Vec<_> = rec.related().into_iter().map(|(rel, x)| (rel, x.to_string())).collect();
        self.check_targets(&related)?;
        let idx = self.db.idx::<R>();
        self.touch(idx, r);
        self.db.table_mut::<R>().insert(r, Row { rec, created: 0, modified: 0 });
        self.link_all(r, &related, true);
        crate::behaviour::created::<R>(self, r)?;
        crate::classes::after_write::<R>(self, r)?;
        Ok(())
    }

    /// Removes an object.
    pub fn destroy<R: Record>(&mut self, r: &str) -> Result<(), ApiError> {
        let rec = self.get::<R>(r)?.clone();
        crate::behaviour::destroying::<R>(self, r, &rec)?;
        let related: Vec<_> = rec.related().into_iter().map(|(rel, x)| (rel, x.to_string())).collect();
        let idx = self.db.idx::<R>();
        self.touch(idx, r);
        self.db.table_mut::<R>().take(r);
        self.link_all(r, &related, false);
        Ok(())
    }

    /// Lists (`Some(operation)`) or unlists (`None`) a running task in the
    /// `current_operations` of an object of any class. An error when the
    /// object is missing, or when its class has no such field or operation
    /// (or the task was not listed): the caller rolls back, so no event
    /// reports a change that did not happen.
    pub fn task_operation(
        &mut self,
        class: &str,
        r: &str,
        task: &str,
        operation: Option<&str>,
    ) -> Result<(), ApiError> {
        let Some(i) = self.db.class_index(class).filter(|&i| self.db.tables[i].contains(r)) else {
            return Err(ApiError::HandleInvalid { class: class.to_string(), handle: r.to_string() });
        };
        self.touch(i, r);
        if self.db.tables[i].task_operation(r, task, operation) {
            Ok(())
        } else {
            Err(ApiError::OperationNotAllowed {
                reason: format!("no `{}` in the current_operations of {class}", operation.unwrap_or(task)),
            })
        }
    }

    /// Records a change of an object without changing it (`event.inject`).
    pub fn touch_object(&mut self, class: &str, r: &str) -> Result<(), ApiError> {
        let idx = self.db.class_index(class).filter(|&i| self.db.tables[i].contains(r));
        match idx {
            Some(i) => {
                self.touch(i, r);
                Ok(())
            }
            None => Err(ApiError::HandleInvalid { class: class.to_string(), handle: r.to_string() }),
        }
    }

    fn rollback(self) {
        for (idx, r, saved) in self.undo.into_iter().rev() {
            self.db.tables[idx].restore(&r, saved);
        }
    }

    /// What the transaction changed, as state-file operations.
    fn ops(&self) -> Vec<Op> {
        let mut ops = Vec::new();
        for (idx, r) in &self.order {
            if !self.db.persistent[*idx] {
                continue;
            }
            let t = &self.db.tables[*idx];
            ops.push(Op { class: t.class().to_string(), r: r.clone(), v: t.to_json(r) });
        }
        ops
    }

    /// Makes the changes visible to `event.from`: one new generation per
    /// changed object.
    fn finish(self) -> u64 {
        let db = self.db;
        let now = now_secs();
        for ((idx, r), (_, _, saved)) in self.order.into_iter().zip(self.undo) {
            db.gen += 1;
            let gen = db.gen;
            let before = saved.as_ref().map(|s| db.tables[idx].saved_info(s));
            if let Some((old, _)) = &before {
                if db.changes.get(old).is_some_and(|c| c.table == idx && c.r == r) {
                    db.changes.remove(old);
                }
            }
            let t = &mut db.tables[idx];
            if t.contains(&r) {
                t.set_modified(&r, gen);
                if before.is_none() {
                    t.set_created(&r, gen);
                }
                db.changes.insert(gen, Change { table: idx, r, deleted: None, time: now });
            } else if let Some((_, uuid)) = before {
                db.changes.insert(gen, Change { table: idx, r, deleted: Some(uuid), time: now });
                db.tombstones.push_back(gen);
            }
        }
        while db.tombstones.len() > MAX_TOMBSTONES {
            if let Some(g) = db.tombstones.pop_front() {
                db.changes.remove(&g);
                db.lost_upto = db.lost_upto.max(g);
            }
        }
        db.gen
    }
}

/// The store the simulator serves from: the tables behind a lock, the
/// state file, and a signal for event waiters.
pub struct SimStore {
    db: RwLock<Db>,
    log: Mutex<Option<Log>>,
    changed: tokio::sync::watch::Sender<u64>,
}

impl Default for SimStore {
    fn default() -> Self {
        Self::new()
    }
}

impl SimStore {
    /// An empty store with a table for every class.
    pub fn new() -> Self {
        SimStore { db: RwLock::new(Db::new()), log: Mutex::new(None), changed: tokio::sync::watch::channel(0).0 }
    }

    /// Reads under the lock.
    pub fn read(&self) -> RwLockReadGuard<'_, Db> {
        self.db.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` as one transaction. On error nothing changes; on success
    /// the change is on disk (with a state file) before this returns.
    pub fn write<T>(&self, f: impl FnOnce(&mut Tx<'_>) -> Result<T, ApiError>) -> Result<T, ApiError> {
        let mut db = self.db.write().unwrap_or_else(|e| e.into_inner());
        let mut tx = Tx::new(&mut db);
        let value = match f(&mut tx) {
            Ok(v) => v,
            Err(e) => {
                tx.rollback();
                return Err(e);
            }
        };
        if tx.order.is_empty() {
            return Ok(value);
        }
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(log) = log.as_mut() {
            let ops = tx.ops();
            if !ops.is_empty() {
                let next_gen = tx.db.gen + tx.order.len() as u64;
                if let Err(e) = log.append(next_gen, &ops) {
                    tx.rollback();
                    return Err(ApiError::InternalError { message: format!("could not write the state file: {e}") });
                }
            }
        }
        let gen = tx.finish();
        if let Some(l) = log.as_mut() {
            if l.wants_compaction() {
                if let Err(e) = l.compact(db.gen, &db.dump()) {
                    eprintln!("xenapi-sim: could not compact the state file: {e}");
                }
            }
        }
        drop(log);
        drop(db);
        self.changed.send_replace(gen);
        Ok(value)
    }

    /// Waits for commits.
    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changed.subscribe()
    }

    /// Starts writing to a state file: writes everything now, then
    /// appends each transaction.
    pub(crate) fn attach_log(&self, mut log: Log) -> std::io::Result<()> {
        let db = self.read();
        log.compact(db.gen, &db.dump())?;
        drop(db);
        *self.log.lock().unwrap_or_else(|e| e.into_inner()) = Some(log);
        Ok(())
    }

    /// Direct access for loading state.
    pub(crate) fn with_db_mut<T>(&self, f: impl FnOnce(&mut Db) -> T) -> T {
        let mut db = self.db.write().unwrap_or_else(|e| e.into_inner());
        f(&mut db)
    }
}

impl xenapi::server::Store for SimStore {
    type Schema = xenapi::Schema;

    fn get<R: Record>(&self, r: &Ref<R::Class>) -> Result<R, ApiError> {
        self.read().get::<R>(r.as_str()).cloned()
    }

    fn update<R: Record, T, F>(&self, r: &Ref<R::Class>, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut R) -> Result<T, ApiError>,
    {
        self.write(|tx| tx.update::<R, T>(r.as_str(), f))
    }

    fn all<R: Record>(&self) -> Vec<(Ref<R::Class>, R)> {
        self.read().all::<R>()
    }

    fn all_where<R: Record>(&self, _method: &str, expr: &str) -> Result<xenapi_rt::server::Objects<R>, ApiError> {
        crate::filter::select(expr, self.all::<R>())
    }

    fn by_uuid<R: Record>(&self, uuid: &str) -> Result<Ref<R::Class>, ApiError> {
        self.read().table::<R>().by_uuid(uuid).map(|r| Ref::new(r.clone())).ok_or_else(|| ApiError::UuidInvalid {
            r#type: <R::Class as Class>::NAME.to_string(),
            uuid: uuid.to_string(),
        })
    }

    fn create<R: Record>(&self, record: R) -> Result<Ref<R::Class>, ApiError> {
        self.write(|tx| tx.create(record))
    }

    fn destroy<R: Record>(&self, r: &Ref<R::Class>) -> Result<(), ApiError> {
        self.write(|tx| tx.destroy::<R>(r.as_str()))
    }
}
