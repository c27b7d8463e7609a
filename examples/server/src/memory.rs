//! An in-memory [`Store`]: one table per record type, keyed by reference.
//! It does not keep the two sides of relations in step (the simulator in
//! `xenapi-sim` shows how, with `Record::related`, `link` and `unlink`).

use std::any::Any;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use xenapi_rt::types::{Class, Ref};

use crate::server::{Record, Store};
use crate::ApiError;

type Table = BTreeMap<String, Box<dyn Any + Send + Sync>>;

/// Objects of every class, in memory.
#[derive(Debug, Default)]
pub struct Memory {
    tables: Mutex<HashMap<&'static str, Table>>,
    next: AtomicU64,
}

impl Memory {
    /// A reference no object has had: `OpaqueRef:` and a counter.
    pub fn fresh_ref<C: Class>(&self) -> Ref<C> {
        self.fresh::<C>().0
    }

    /// A fresh reference and the counter value in it.
    fn fresh<C: Class>(&self) -> (Ref<C>, u64) {
        let n = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        (Ref::new(format!("OpaqueRef:{}-{n:012x}", C::NAME.to_ascii_lowercase())), n)
    }

    fn tables(&self) -> std::sync::MutexGuard<'_, HashMap<&'static str, Table>> {
        self.tables.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn name<R: Record>() -> &'static str {
    <R::Class as Class>::NAME
}

fn invalid<R: Record>(r: &Ref<R::Class>) -> ApiError {
    ApiError::HandleInvalid { class: name::<R>().to_string(), handle: r.as_str().to_string() }
}

impl Store for Memory {
    type Schema = crate::Schema;

    fn get<R: Record>(&self, r: &Ref<R::Class>) -> Result<R, ApiError> {
        let tables = self.tables();
        let found = tables.get(name::<R>()).and_then(|t| t.get(r.as_str())).and_then(|o| o.downcast_ref::<R>());
        found.cloned().ok_or_else(|| invalid::<R>(r))
    }

    fn update<R: Record, T, F>(&self, r: &Ref<R::Class>, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut R) -> Result<T, ApiError>,
    {
        let mut tables = self.tables();
        let found = tables.get_mut(name::<R>()).and_then(|t| t.get_mut(r.as_str())).and_then(|o| o.downcast_mut::<R>());
        let record = found.ok_or_else(|| invalid::<R>(r))?;
        // Work on a copy so that an error leaves the object as it was.
        let mut copy = record.clone();
        let out = f(&mut copy)?;
        *record = copy;
        Ok(out)
    }

    fn all<R: Record>(&self) -> Vec<(Ref<R::Class>, R)> {
        let tables = self.tables();
        let Some(table) = tables.get(name::<R>()) else { return Vec::new() };
        table.iter().filter_map(|(k, o)| Some((Ref::new(k.clone()), o.downcast_ref::<R>()?.clone()))).collect()
    }

    fn by_uuid<R: Record>(&self, uuid: &str) -> Result<Ref<R::Class>, ApiError> {
        let tables = self.tables();
        let found = tables.get(name::<R>()).and_then(|t| {
            t.iter().find(|(_, o)| o.downcast_ref::<R>().and_then(|r| r.uuid()) == Some(uuid)).map(|(k, _)| k.clone())
        });
        found
            .map(Ref::new)
            .ok_or_else(|| ApiError::UuidInvalid { r#type: name::<R>().to_string(), uuid: uuid.to_string() })
    }

    fn create<R: Record>(&self, mut record: R) -> Result<Ref<R::Class>, ApiError> {
        // The UUID takes the counter of the reference, so that two
        // objects created at once cannot share one.
        let (r, n) = self.fresh::<R::Class>();
        record.set_uuid(&format!("00000000-0000-4000-8000-{n:012x}"));
        self.tables().entry(name::<R>()).or_default().insert(r.as_str().to_string(), Box::new(record));
        Ok(r)
    }

    fn destroy<R: Record>(&self, r: &Ref<R::Class>) -> Result<(), ApiError> {
        let removed = self.tables().get_mut(name::<R>()).and_then(|t| t.remove(r.as_str()));
        removed.map(|_| ()).ok_or_else(|| invalid::<R>(r))
    }
}
