//! The generic server side (`Backend`, `Store`, `Dispatcher`, the
//! dispatcher glue) with a hand-written router of the kind `xenapi-gen`
//! writes, served on a loopback port and called over real HTTP.

mod toy;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use toy::*;
use xenapi_rt::jsonrpc::Version;
use xenapi_rt::server::glue::{arity, begin, done, param, param_or, spawn, unknown, void};
use xenapi_rt::server::{Backend, BoxFuture, Dispatcher, IncomingCall, Record, Reply, Routes, Store};
use xenapi_rt::types::{Class, Ref, Void};
use xenapi_rt::{CallError, Client, Protocol};

/// A VM as the store keeps it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct VmRecord {
    uuid: String,
    name_label: String,
}

impl Record for VmRecord {
    type Class = VmClass;
    fn uuid(&self) -> Option<&str> {
        Some(&self.uuid)
    }
    fn set_uuid(&mut self, uuid: &str) {
        self.uuid = uuid.to_string();
    }
    fn name_label(&self) -> Option<&str> {
        Some(&self.name_label)
    }
}

/// Records of any class, kept as JSON values by class and reference.
#[derive(Default)]
struct ToyStore {
    objects: Mutex<HashMap<(&'static str, String), serde_json::Value>>,
    next: AtomicUsize,
}

fn handle_invalid<C: Class>(r: &Ref<C>) -> ToyError {
    ToyError::new("HANDLE_INVALID", &[C::NAME, r.as_str()])
}

impl Store for ToyStore {
    type Schema = Toy;

    fn get<R: Record>(&self, r: &Ref<R::Class>) -> Result<R, ToyError> {
        let objects = self.objects.lock().unwrap();
        let value = objects.get(&(R::Class::NAME, r.to_string())).ok_or_else(|| handle_invalid(r))?;
        serde_json::from_value(value.clone()).map_err(|e| ToyError::new("INTERNAL_ERROR", &[&e.to_string()]))
    }

    fn update<R: Record, T, F>(&self, r: &Ref<R::Class>, f: F) -> Result<T, ToyError>
    where
        F: FnOnce(&mut R) -> Result<T, ToyError>,
    {
        let mut record = self.get::<R>(r)?;
        let out = f(&mut record)?;
        let value = serde_json::to_value(record).map_err(|e| ToyError::new("INTERNAL_ERROR", &[&e.to_string()]))?;
        self.objects.lock().unwrap().insert((R::Class::NAME, r.to_string()), value);
        Ok(out)
    }

    fn all<R: Record>(&self) -> Vec<(Ref<R::Class>, R)> {
        let objects = self.objects.lock().unwrap();
        let of_class = objects.iter().filter(|((class, _), _)| *class == R::Class::NAME);
        of_class.filter_map(|((_, r), v)| Some((Ref::new(r), serde_json::from_value(v.clone()).ok()?))).collect()
    }

    fn by_uuid<R: Record>(&self, uuid: &str) -> Result<Ref<R::Class>, ToyError> {
        let found = self.all::<R>().into_iter().find(|(_, rec)| rec.uuid() == Some(uuid));
        found.map(|(r, _)| r).ok_or_else(|| ToyError::new("UUID_INVALID", &[R::Class::NAME, uuid]))
    }

    fn create<R: Record>(&self, mut record: R) -> Result<Ref<R::Class>, ToyError> {
        let n = self.next.fetch_add(1, Ordering::SeqCst);
        record.set_uuid(&format!("uuid-{n}"));
        let value = serde_json::to_value(record).map_err(|e| ToyError::new("INTERNAL_ERROR", &[&e.to_string()]))?;
        let r = format!("OpaqueRef:{}-{n}", R::Class::NAME);
        self.objects.lock().unwrap().insert((R::Class::NAME, r.clone()), value);
        Ok(Ref::new(&r))
    }

    fn destroy<R: Record>(&self, r: &Ref<R::Class>) -> Result<(), ToyError> {
        let removed = self.objects.lock().unwrap().remove(&(R::Class::NAME, r.to_string()));
        removed.map(|_| ()).ok_or_else(|| handle_invalid(r))
    }
}

/// The hooks every toy backend has: its store, and sessions by name (the
/// session `OpaqueRef:admin` holds the role `pool-admin` and
/// `OpaqueRef:reader` only `read-only`).
macro_rules! required_hooks {
    () => {
        type Ctx = &'static str;
        type Store = ToyStore;
        fn store(&self) -> &ToyStore {
            &self.store
        }
        async fn authenticate(
            &self,
            _method: &'static str,
            session: &Ref<SessionClass>,
        ) -> Result<&'static str, ToyError> {
            match session.as_str() {
                "OpaqueRef:admin" => Ok("pool-admin"),
                "OpaqueRef:reader" => Ok("read-only"),
                other => Err(ToyError::new("SESSION_INVALID", &[other])),
            }
        }
    };
}

/// A backend with only the required hooks.
#[derive(Default)]
struct Bare {
    store: ToyStore,
}

impl Backend for Bare {
    required_hooks!();
}

/// What a task ran: its method, target and XML-RPC result.
type RanTask = (&'static str, Option<String>, Result<String, ToyError>);

/// A backend that also checks roles and runs tasks (at once, keeping what
/// each yields).
#[derive(Default)]
struct Full {
    store: ToyStore,
    tasks: Mutex<Vec<RanTask>>,
}

impl Backend for Full {
    required_hooks!();

    fn authorize(
        &self,
        ctx: &&'static str,
        method: &'static str,
        roles: &'static [&'static str],
    ) -> Result<(), ToyError> {
        if roles.contains(ctx) {
            Ok(())
        } else {
            Err(ToyError::new("RBAC_PERMISSION_DENIED", &[method, "no role"]))
        }
    }
    async fn spawn_task(
        &self,
        _ctx: &&'static str,
        method: &'static str,
        target: Option<String>,
        work: BoxFuture<Result<String, ToyError>>,
    ) -> Result<Ref<TaskClass>, ToyError> {
        let result = work.await;
        let mut tasks = self.tasks.lock().unwrap();
        tasks.push((method, target, result));
        Ok(Ref::new(format!("OpaqueRef:task-{}", tasks.len())))
    }
}

const EVERYONE: &[&str] = &["pool-admin", "read-only"];
const ADMIN: &[&str] = &["pool-admin"];

/// What a generated router does for a toy VM class.
async fn route<S: Backend<Store = ToyStore>>(s: &Arc<S>, call: &IncomingCall<'_>) -> Result<Reply, Reply> {
    match call.method() {
        "VM.get_name_label" => {
            begin(s, call, "VM.get_name_label", (2, 2), EVERYONE).await?;
            let vm: Ref<VmClass> = param(call, 1, "self")?;
            done(s.store().get::<VmRecord>(&vm).map(|r| r.name_label))
        }
        "VM.get_by_uuid" => {
            begin(s, call, "VM.get_by_uuid", (2, 2), EVERYONE).await?;
            let uuid: String = param(call, 1, "uuid")?;
            done(s.store().by_uuid::<VmRecord>(&uuid))
        }
        "VM.create" => {
            // The name label is optional, as if the schema gave a default.
            begin(s, call, "VM.create", (1, 2), ADMIN).await?;
            let name_label: String = param_or(call, 1, "name_label", "unnamed".to_string())?;
            done(s.store().create(VmRecord { name_label, ..VmRecord::default() }))
        }
        "VM.destroy" => {
            begin(s, call, "VM.destroy", (2, 2), ADMIN).await?;
            let vm: Ref<VmClass> = param(call, 1, "self")?;
            done(s.store().destroy::<VmRecord>(&vm).map(void))
        }
        "VM.set_memory" => {
            begin(s, call, "VM.set_memory", (3, 3), ADMIN).await?;
            let _: Ref<VmClass> = param(call, 1, "self")?;
            let _: i64 = param(call, 2, "memory")?;
            done(xenapi_rt::server::not_implemented::<Void, ToyError>("VM.set_memory").await)
        }
        "Async.VM.get_name_label" => {
            let ctx = begin(s, call, "Async.VM.get_name_label", (2, 2), EVERYONE).await?;
            let vm: Ref<VmClass> = param(call, 1, "self")?;
            let target = Some(vm.to_string());
            spawn(s, &ctx, "Async.VM.get_name_label", target, move |s, _ctx| async move {
                s.store().get::<VmRecord>(&vm).map(|r| r.name_label)
            })
            .await
        }
        "session.ping" => {
            arity(call, "session.ping", 0, 0, false)?;
            done(Ok::<_, ToyError>("pong"))
        }
        _ => Err(unknown(call)),
    }
}

impl<S: Backend<Store = ToyStore>> Routes<S> for Toy {
    const METHODS: &'static [&'static str] = &["VM.get_name_label", "VM.create", "Async.VM.get_name_label"];
    const ALIASES: &'static [(&'static str, &'static str)] = &[("VM_get_name_label", "VM.get_name_label")];

    fn speaks(protocol: Protocol) -> bool {
        matches!(protocol, Protocol::XmlRpc)
    }

    async fn route(s: &Arc<S>, call: &IncomingCall<'_>) -> Reply {
        route(s, call).await.unwrap_or_else(|early| early)
    }
}

/// The failure description of a call that should fail.
fn failure<T: serde::de::DeserializeOwned + std::fmt::Debug>(result: Result<T, CallError>) -> Vec<String> {
    match result {
        Err(CallError::Failure { code, params }) => std::iter::once(code).chain(params).collect(),
        other => panic!("expected an API failure, got {other:?}"),
    }
}

fn client(server: &Running) -> Client<xenapi_rt::transport::HttpTransport> {
    Client::new(server.transport(), Protocol::XmlRpc)
}

#[tokio::test]
async fn derived_style_messages_work_on_the_store() {
    let server = toy::serve(Dispatcher(Arc::new(Full::default()))).await;
    let c = client(&server);
    let vm: String = c.call("VM.create").param("OpaqueRef:admin").param("web").send().await.unwrap();
    let unnamed: String = c.call("VM.create").param("OpaqueRef:admin").send().await.unwrap();
    let name: String = c.call("VM.get_name_label").param("OpaqueRef:reader").param(&vm).send().await.unwrap();
    assert_eq!(name, "web");
    let name: String = c.call("VM.get_name_label").param("OpaqueRef:reader").param(&unnamed).send().await.unwrap();
    assert_eq!(name, "unnamed");
    let found: String = c.call("VM.get_by_uuid").param("OpaqueRef:reader").param("uuid-0").send().await.unwrap();
    assert_eq!(found, vm);
    let _: Void = c.call("VM.destroy").param("OpaqueRef:admin").param(&vm).send().await.unwrap();
    let gone = c.call("VM.get_name_label").param("OpaqueRef:reader").param(&vm).send::<String>().await;
    assert_eq!(failure(gone), ["HANDLE_INVALID", "VM", vm.as_str()]);
    let missing = c.call("VM.get_by_uuid").param("OpaqueRef:reader").param("uuid-9").send::<String>().await;
    assert_eq!(failure(missing), ["UUID_INVALID", "VM", "uuid-9"]);
}

#[tokio::test]
async fn the_first_steps_answer_early_in_xapi_wording() {
    let server = toy::serve(Dispatcher(Arc::new(Full::default()))).await;
    let c = client(&server);
    let bad = c.call("VM.get_name_label").param("OpaqueRef:nobody").param("OpaqueRef:vm").send::<String>().await;
    assert_eq!(failure(bad), ["SESSION_INVALID", "OpaqueRef:nobody"]);
    let not_a_ref =
        c.call("VM.get_name_label").param(&["OpaqueRef:admin"]).param("OpaqueRef:vm").send::<String>().await;
    assert_eq!(failure(not_a_ref), ["SESSION_INVALID", ""]);
    let short = c.call("VM.get_name_label").param("OpaqueRef:admin").send::<String>().await;
    assert_eq!(failure(short), ["MESSAGE_PARAMETER_COUNT_MISMATCH", "VM.get_name_label", "1", "0"]);
    let none = c.call("VM.get_name_label").send::<String>().await;
    assert_eq!(failure(none), ["MESSAGE_PARAMETER_COUNT_MISMATCH", "VM.get_name_label", "1", "-1"]);
    let extra = c.call("session.ping").param("x").send::<String>().await;
    assert_eq!(failure(extra), ["MESSAGE_PARAMETER_COUNT_MISMATCH", "session.ping", "0", "1"]);
    let pong: String = c.call("session.ping").send().await.unwrap();
    assert_eq!(pong, "pong");
    let typed =
        c.call("VM.set_memory").param("OpaqueRef:admin").param("OpaqueRef:vm").param("lots").send::<Void>().await;
    assert_eq!(failure(typed), ["FIELD_TYPE_ERROR", "memory"]);
    let denied = c.call("VM.create").param("OpaqueRef:reader").send::<String>().await;
    assert_eq!(failure(denied), ["RBAC_PERMISSION_DENIED", "VM.create", "no role"]);
    let todo = c.call("VM.set_memory").param("OpaqueRef:admin").param("OpaqueRef:vm").param(&1i64).send::<Void>().await;
    assert_eq!(failure(todo), ["NOT_IMPLEMENTED", "VM.set_memory"]);
    let unknown = c.call("VM.explode").param("OpaqueRef:admin").send::<Void>().await;
    assert_eq!(failure(unknown), ["MESSAGE_METHOD_UNKNOWN", "VM.explode"]);
}

#[tokio::test]
async fn async_calls_become_tasks_holding_the_xml_rpc_result() {
    let backend = Arc::new(Full::default());
    let server = toy::serve(Dispatcher(Arc::clone(&backend))).await;
    let c = client(&server);
    let vm: String = c.call("VM.create").param("OpaqueRef:admin").param("web").send().await.unwrap();
    let task: String = c.call("Async.VM.get_name_label").param("OpaqueRef:reader").param(&vm).send().await.unwrap();
    assert_eq!(task, "OpaqueRef:task-1");
    let tasks = backend.tasks.lock().unwrap();
    assert_eq!(tasks[0], ("Async.VM.get_name_label", Some(vm.clone()), Ok("<value>web</value>".to_string())));
}

#[tokio::test]
async fn the_default_hooks_allow_every_role_and_refuse_tasks() {
    let server = toy::serve(Dispatcher(Arc::new(Bare::default()))).await;
    let c = client(&server);
    let vm: String = c.call("VM.create").param("OpaqueRef:reader").send().await.unwrap();
    let task = c.call("Async.VM.get_name_label").param("OpaqueRef:reader").param(&vm).send::<String>().await;
    assert_eq!(failure(task), ["NOT_IMPLEMENTED", "Async.VM.get_name_label"]);
}

#[tokio::test]
async fn the_dispatcher_lists_the_methods_and_refuses_other_protocols() {
    let server = toy::serve(Dispatcher(Arc::new(Bare::default()))).await;
    let methods: Vec<String> = client(&server).call("system.listMethods").send().await.unwrap();
    for m in ["VM.get_name_label", "VM.create", "Async.VM.get_name_label"] {
        assert!(methods.iter().any(|x| x == m), "{m} missing from {methods:?}");
    }
    let json = Client::new(server.transport(), Protocol::JsonRpc(Version::V2));
    let refused = json.call("session.ping").send::<String>().await;
    assert!(matches!(refused, Err(CallError::Transport(_))), "{refused:?}");
}

#[test]
fn a_store_without_the_filter_language_refuses_filtered_listings() {
    // What the generated get_all_where / get_all_records_where answer
    // unless the store evaluates xapi's filter language.
    let store = ToyStore::default();
    let got = store.all_where::<VmRecord>("VM.get_all_records_where", "true");
    assert_eq!(got.map(|v| v.len()).unwrap_err().0, ["NOT_IMPLEMENTED", "VM.get_all_records_where"]);
}
