//! A minimal in-memory [`Store`] for tests and benchmarks: records kept
//! by class and reference behind one read-write lock (readers share it),
//! so the derived messages (getters, setters, map and set updates,
//! records, lookups, create, destroy) of a generated server work without
//! a database.

use std::any::Any;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use xenapi::server::{Record, Store};
use xenapi::ApiError;
use xenapi_rt::types::{Class, Ref};

/// The objects of one class, by reference (in reference order).
type Table = BTreeMap<String, Box<dyn Any + Send + Sync>>;

/// Records of every class, keyed by class name, then reference.
#[derive(Default)]
pub struct MemStore {
    objects: RwLock<HashMap<&'static str, Table>>,
    next: AtomicU64,
}

impl std::fmt::Debug for MemStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n: usize = self.read().values().map(Table::len).sum();
        write!(f, "MemStore({n} objects)")
    }
}

fn name<R: Record>() -> &'static str {
    <R::Class as Class>::NAME
}

impl MemStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn read(&self) -> RwLockReadGuard<'_, HashMap<&'static str, Table>> {
        self.objects.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, HashMap<&'static str, Table>> {
        self.objects.write().unwrap_or_else(|e| e.into_inner())
    }

    /// A fresh UUID-shaped string (unique within this store).
    pub fn fresh_uuid(&self) -> String {
        let n = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        format!("{:08x}-0000-4000-8000-{:012x}", n >> 48, n & 0xffff_ffff_ffff)
    }

    /// Puts `record` under a reference chosen by the caller (replacing
    /// whatever was there).
    pub fn insert<R: Record>(&self, r: &Ref<R::Class>, record: R) {
        self.write().entry(name::<R>()).or_default().insert(r.as_str().to_string(), Box::new(record));
    }

    /// How many objects of `R`'s class the store holds.
    pub fn count<R: Record>(&self) -> usize {
        self.read().get(name::<R>()).map_or(0, Table::len)
    }
}

fn handle_invalid<C: Class>(r: &Ref<C>) -> ApiError {
    ApiError::HandleInvalid { class: C::NAME.to_string(), handle: r.to_string() }
}

impl Store for MemStore {
    type Schema = xenapi::Schema;

    fn get<R: Record>(&self, r: &Ref<R::Class>) -> Result<R, ApiError> {
        let objects = self.read();
        objects
            .get(name::<R>())
            .and_then(|t| t.get(r.as_str()))
            .and_then(|b| b.downcast_ref::<R>())
            .cloned()
            .ok_or_else(|| handle_invalid(r))
    }

    fn update<R: Record, T, F>(&self, r: &Ref<R::Class>, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut R) -> Result<T, ApiError>,
    {
        let mut objects = self.write();
        let slot = objects
            .get_mut(name::<R>())
            .and_then(|t| t.get_mut(r.as_str()))
            .and_then(|b| b.downcast_mut::<R>())
            .ok_or_else(|| handle_invalid(r))?;
        // Work on a copy so that an error leaves the record unchanged.
        let mut copy = slot.clone();
        let out = f(&mut copy)?;
        *slot = copy;
        Ok(out)
    }

    fn all<R: Record>(&self) -> Vec<(Ref<R::Class>, R)> {
        let objects = self.read();
        let Some(table) = objects.get(name::<R>()) else { return Vec::new() };
        table.iter().filter_map(|(r, b)| b.downcast_ref::<R>().map(|rec| (Ref::new(r.clone()), rec.clone()))).collect()
    }

    fn by_uuid<R: Record>(&self, uuid: &str) -> Result<Ref<R::Class>, ApiError> {
        let objects = self.read();
        let found = objects.get(name::<R>()).and_then(|t| {
            t.iter().find(|(_, b)| b.downcast_ref::<R>().and_then(Record::uuid) == Some(uuid)).map(|(r, _)| r.clone())
        });
        found
            .map(Ref::new)
            .ok_or_else(|| ApiError::UuidInvalid { r#type: name::<R>().to_string(), uuid: uuid.to_string() })
    }

    fn create<R: Record>(&self, mut record: R) -> Result<Ref<R::Class>, ApiError> {
        let uuid = self.fresh_uuid();
        if record.uuid().is_some_and(str::is_empty) {
            record.set_uuid(&uuid);
        }
        let r = Ref::new(format!("OpaqueRef:{uuid}"));
        self.insert(&r, record);
        Ok(r)
    }

    fn destroy<R: Record>(&self, r: &Ref<R::Class>) -> Result<(), ApiError> {
        self.write().get_mut(name::<R>()).and_then(|t| t.remove(r.as_str())).map(drop).ok_or_else(|| handle_invalid(r))
    }
}

/// Implements the listed `*Server` traits with all their default methods
/// (explicit messages answer NOT_IMPLEMENTED, derived ones use the store):
/// `empty_servers!(MyBackend: BondServer, CertificateServer);`
#[macro_export]
macro_rules! empty_servers {
    ($ty:ty : $($tr:ident),* $(,)?) => {
        $(impl xenapi::$tr for $ty {})*
    };
}
