//! A minimal in-memory [`Store`] for tests: records kept by class and
//! reference behind one mutex, so the derived messages (getters, setters,
//! map and set updates, records, lookups, create, destroy) of a generated
//! server work without a database.

use std::any::Any;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use xenapi::server::{Record, Store};
use xenapi::ApiError;
use xenapi_rt::types::{Class, Ref};

type Key = (&'static str, String);

/// Records of every class, keyed by (class name, reference).
#[derive(Default)]
pub struct MemStore {
    objects: Mutex<BTreeMap<Key, Box<dyn Any + Send + Sync>>>,
    next: AtomicU64,
}

impl std::fmt::Debug for MemStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.lock().len();
        write!(f, "MemStore({n} objects)")
    }
}

impl MemStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<Key, Box<dyn Any + Send + Sync>>> {
        self.objects.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A fresh UUID-shaped string (unique within this store).
    pub fn fresh_uuid(&self) -> String {
        let n = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        format!("{:08x}-0000-4000-8000-{:012x}", n >> 48, n & 0xffff_ffff_ffff)
    }

    /// Puts `record` under a reference chosen by the caller (replacing
    /// whatever was there).
    pub fn insert<R: Record>(&self, r: &Ref<R::Class>, record: R) {
        self.lock()
            .insert((<R::Class as Class>::NAME, r.as_str().to_string()), Box::new(record));
    }

    /// How many objects of `R`'s class the store holds.
    pub fn count<R: Record>(&self) -> usize {
        self.all::<R>().len()
    }
}

fn handle_invalid<C: Class>(r: &Ref<C>) -> ApiError {
    ApiError::HandleInvalid { class: C::NAME.to_string(), handle: r.to_string() }
}

impl Store for MemStore {
    fn get<R: Record>(&self, r: &Ref<R::Class>) -> Result<R, ApiError> {
        let objects = self.lock();
        objects
            .get(&(<R::Class as Class>::NAME, r.as_str().to_string()))
            .and_then(|b| b.downcast_ref::<R>())
            .cloned()
            .ok_or_else(|| handle_invalid(r))
    }

    fn update<R: Record, T, F>(&self, r: &Ref<R::Class>, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut R) -> Result<T, ApiError>,
    {
        let mut objects = self.lock();
        let slot = objects
            .get_mut(&(<R::Class as Class>::NAME, r.as_str().to_string()))
            .and_then(|b| b.downcast_mut::<R>())
            .ok_or_else(|| handle_invalid(r))?;
        // Work on a copy so that an error leaves the record unchanged.
        let mut copy = slot.clone();
        let out = f(&mut copy)?;
        *slot = copy;
        Ok(out)
    }

    fn all<R: Record>(&self) -> Vec<(Ref<R::Class>, R)> {
        let name = <R::Class as Class>::NAME;
        self.lock()
            .iter()
            .filter(|((class, _), _)| *class == name)
            .filter_map(|((_, r), b)| b.downcast_ref::<R>().map(|rec| (Ref::new(r.clone()), rec.clone())))
            .collect()
    }

    fn by_uuid<R: Record>(&self, uuid: &str) -> Result<Ref<R::Class>, ApiError> {
        self.all::<R>()
            .into_iter()
            .find(|(_, rec)| rec.uuid() == Some(uuid))
            .map(|(r, _)| r)
            .ok_or_else(|| ApiError::UuidInvalid {
                r#type: <R::Class as Class>::NAME.to_string(),
                uuid: uuid.to_string(),
            })
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
        self.lock()
            .remove(&(<R::Class as Class>::NAME, r.as_str().to_string()))
            .map(drop)
            .ok_or_else(|| handle_invalid(r))
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
