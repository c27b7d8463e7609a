//! Client -> server -> client over real HTTP on loopback, in XML-RPC,
//! JSON-RPC 2.0 and JSON-RPC 1.0: the generated client calls a generated
//! server whose backend checks what it received and answers known values,
//! for a message of every parameter and result shape, plus the error
//! paths (unknown method, wrong parameter count or type, stale session
//! with automatic re-login, RBAC, duplicate map key).
#![allow(deprecated)]

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use xenapi_rt::types::containers::format_compact;
use xenapi_rt::types::{Map, Str};

use serde_json::{json, Value};
use xenapi::server::{Backend, BoxFuture, Dispatcher, Store};
use xenapi::{
    ApiError, Connection, DomainType, Error, EventBatch, EventOperation, EventRecord, Events, HostRecord, HostRef,
    HostSchedGran, MessageRecord, MessageRef, NetworkPurpose, NetworkRecord, NetworkRef, ProbeResultRecord, Protocol,
    Session, SessionRef, SrStatRecord, TaskRecord, TaskRef, TaskStatusType, VmMetricsRecord, VmMetricsRef,
    VmOperations, VmPowerState, VmRecord, VmRef,
};
use xenapi_rt::jsonrpc::Version;
use xenapi_rt::transport::HttpTransport;
use xenapi_rt::types::{DateTime, Float, Ref, Void};
use xenapi_rt::CallError;
use xenapi_tests::mem::MemStore;

const PASSWORD: &str = "s3cret";
const BIG: i64 = 1 << 40;
const PROTOCOLS: [Protocol; 3] = [Protocol::XmlRpc, Protocol::JsonRpc(Version::V2), Protocol::JsonRpc(Version::V1)];

fn vm1() -> VmRef {
    Ref::new("OpaqueRef:vm-1")
}
fn host1() -> HostRef {
    Ref::new("OpaqueRef:host-1")
}
fn metrics1() -> VmMetricsRef {
    Ref::new("OpaqueRef:metrics-1")
}
fn net1() -> NetworkRef {
    Ref::new("OpaqueRef:net-1")
}
/// A string map from literal pairs.
fn str_map(pairs: &[(&str, &str)]) -> Map<Str, Str> {
    pairs.iter().map(|&(k, v)| (Str::from(k), Str::from(v))).collect()
}
fn server_time() -> DateTime {
    DateTime::from_civil(2024, 4, 20, 12, 0, 0).unwrap()
}

// ------------------------------------------------------------- backend

#[derive(Clone, Debug)]
struct Ctx {
    user: String,
    session: SessionRef,
}

/// A small server: sessions, roles, tasks and events of its own, objects
/// in the in-memory store, and a few explicit messages that check their
/// arguments and answer known values.
#[derive(Default)]
struct TestBackend {
    store: Arc<MemStore>,
    sessions: Mutex<HashMap<String, String>>,
    logins: AtomicUsize,
}

/// Fails the call (so the client sees it) when an argument is not what
/// the test sent.
fn expect<T: PartialEq + Debug>(what: &str, got: T, want: T) -> Result<(), ApiError> {
    if got == want {
        Ok(())
    } else {
        Err(ApiError::InvalidValue { field: what.to_string(), value: format!("got {got:?}, want {want:?}") })
    }
}

impl TestBackend {
    fn seeded() -> Arc<Self> {
        let b = TestBackend::default();
        let s = &b.store;
        s.insert(
            &vm1(),
            VmRecord {
                uuid: "00000000-0000-4000-8000-00000000a001".into(),
                name_label: "web-1".into(),
                power_state: VmPowerState::Halted,
                user_version: 3,
                memory_static_max: 8 << 30,
                resident_on: host1(),
                metrics: metrics1(),
                snapshot_time: server_time(),
                allowed_operations: vec![VmOperations::Start, VmOperations::Clone],
                other_config: str_map(&[("owner", "ops")]),
                ..VmRecord::default()
            },
        );
        s.insert(
            &Ref::new("OpaqueRef:vm-2"),
            VmRecord {
                uuid: "00000000-0000-4000-8000-00000000a002".into(),
                name_label: "db-1".into(),
                ..VmRecord::default()
            },
        );
        s.insert(&host1(), HostRecord { uuid: "h-1".into(), name_label: "host one".into(), ..HostRecord::default() });
        s.insert(
            &metrics1(),
            VmMetricsRecord {
                uuid: "m-1".into(),
                vcpus_utilisation: [(0, Float(0.5)), (1, Float(0.25))].into_iter().collect(),
                ..VmMetricsRecord::default()
            },
        );
        s.insert(
            &net1(),
            NetworkRecord {
                uuid: "n-1".into(),
                purpose: vec![NetworkPurpose::InsecureNbd, NetworkPurpose::Nbd],
                ..NetworkRecord::default()
            },
        );
        for (i, day) in [(1, 10), (2, 20), (3, 30)] {
            s.insert(
                &MessageRef::new(format!("OpaqueRef:message-{i}")),
                MessageRecord {
                    uuid: format_compact!("msg-{i}"),
                    name: format_compact!("ALERT_{i}"),
                    priority: i,
                    timestamp: DateTime::from_civil(2024, 4, day, 0, 0, 0).unwrap(),
                    ..MessageRecord::default()
                },
            );
        }
        Arc::new(b)
    }

    fn forget_sessions(&self) {
        self.sessions.lock().unwrap().clear();
    }
}

impl Backend for TestBackend {
    type Ctx = Ctx;
    type Store = MemStore;

    fn store(&self) -> &MemStore {
        &self.store
    }

    async fn authenticate(&self, _method: &'static str, session: &SessionRef) -> Result<Ctx, ApiError> {
        let user = self.sessions.lock().unwrap().get(session.as_str()).cloned();
        match user {
            Some(user) => Ok(Ctx { user, session: session.clone() }),
            None => Err(ApiError::SessionInvalid { handle: session.to_string() }),
        }
    }

    /// "reader" holds only the read-only role.
    fn authorize(&self, ctx: &Ctx, method: &'static str, roles: &'static [&'static str]) -> Result<(), ApiError> {
        if ctx.user == "reader" && !roles.contains(&"read-only") {
            return Err(ApiError::RbacPermissionDenied {
                permission: method.to_string(),
                message: "the read-only role does not allow this".into(),
            });
        }
        Ok(())
    }

    /// Tasks live in the store, so `task.get_status` and friends are the
    /// derived messages; the work runs in the background.
    async fn spawn_task(
        &self,
        _ctx: &Ctx,
        method: &'static str,
        _target: Option<String>,
        work: BoxFuture<Result<String, ApiError>>,
    ) -> Result<TaskRef, ApiError> {
        let task = self.store.create(TaskRecord {
            name_label: method.into(),
            status: TaskStatusType::Pending,
            created: DateTime::now(),
            ..TaskRecord::default()
        })?;
        let store = Arc::clone(&self.store);
        let t = task.clone();
        tokio::spawn(async move {
            // Long enough for the client to see the task pending first.
            tokio::time::sleep(Duration::from_millis(30)).await;
            let outcome = work.await;
            let _ = store.update::<TaskRecord, _, _>(&t, move |rec| {
                match outcome {
                    Ok(result) => {
                        rec.status = TaskStatusType::Success;
                        rec.result = result.into();
                        rec.progress = 1.0;
                    }
                    Err(e) => {
                        rec.status = TaskStatusType::Failure;
                        rec.error_info = e.to_description().into_iter().map(Str::from).collect();
                    }
                }
                rec.finished = DateTime::now();
                Ok(())
            });
        });
        Ok(task)
    }
}

impl xenapi::SessionServer for TestBackend {
    async fn login_with_password(
        &self,
        uname: Str,
        pwd: Str,
        version: Str,
        originator: Str,
    ) -> Result<SessionRef, ApiError> {
        expect("version", version.as_str(), "1.0")?;
        expect("originator", originator.as_str(), "xenapi-tests")?;
        if pwd != PASSWORD {
            return Err(ApiError::SessionAuthenticationFailed);
        }
        let n = self.logins.fetch_add(1, Ordering::SeqCst) + 1;
        let r = format!("OpaqueRef:session-{n}");
        self.sessions.lock().unwrap().insert(r.clone(), uname.into());
        Ok(Ref::new(r))
    }

    async fn logout(&self, ctx: &Ctx) -> Result<(), ApiError> {
        self.sessions.lock().unwrap().remove(ctx.session.as_str());
        Ok(())
    }
}

impl xenapi::VmServer for TestBackend {
    // ref param, string param, ref result (also run as Async.VM.clone).
    async fn clone(&self, _ctx: &Ctx, vm: VmRef, new_name: Str) -> Result<VmRef, ApiError> {
        let mut rec: VmRecord = self.store.get(&vm)?;
        rec.uuid = Str::default();
        rec.name_label = new_name;
        self.store.create(rec)
    }

    // int and bool params, int result.
    async fn maximise_memory(&self, _ctx: &Ctx, vm: VmRef, total: i64, approximate: bool) -> Result<i64, ApiError> {
        self.store.get::<VmRecord>(&vm)?;
        expect("total", total, BIG)?;
        expect("approximate", approximate, true)?;
        Ok(total - 4096)
    }

    // float result.
    async fn query_data_source(&self, _ctx: &Ctx, vm: VmRef, data_source: Str) -> Result<f64, ApiError> {
        self.store.get::<VmRecord>(&vm)?;
        match data_source.as_str() {
            "cpu0" => Ok(0.125),
            "nan" => Ok(f64::NAN),
            "inf" => Ok(f64::NEG_INFINITY),
            other => Err(ApiError::InvalidValue { field: "data_source".into(), value: other.into() }),
        }
    }

    // float param.
    async fn set_shadow_multiplier_live(&self, _ctx: &Ctx, vm: VmRef, multiplier: f64) -> Result<(), ApiError> {
        self.store.update::<VmRecord, _, _>(&vm, |r| {
            r.hvm_shadow_multiplier = multiplier;
            Ok(())
        })
    }

    // set of refs.
    async fn get_possible_hosts(&self, _ctx: &Ctx, vm: VmRef) -> Result<Vec<HostRef>, ApiError> {
        expect("vm", &vm, &vm1())?;
        Ok(vec![host1(), Ref::new("OpaqueRef:host-2")])
    }

    // set of strings.
    async fn get_allowed_vbd_devices(&self, _ctx: &Ctx, vm: VmRef) -> Result<Vec<Str>, ApiError> {
        self.store.get::<VmRecord>(&vm)?;
        Ok(vec!["1".into(), "2".into(), "xvdq".into()])
    }

    // string -> string map result.
    async fn query_services(&self, _ctx: &Ctx, _vm: VmRef) -> Result<Map<Str, Str>, ApiError> {
        Ok(str_map(&[("sshd", "running"), ("empty", "")]))
    }

    // enum param (known or not), stored for the derived getter.
    async fn set_domain_type(&self, _ctx: &Ctx, vm: VmRef, value: DomainType) -> Result<(), ApiError> {
        self.store.update::<VmRecord, _, _>(&vm, |r| {
            r.domain_type = value;
            Ok(())
        })
    }

    // record result.
    async fn get_boot_record(&self, _ctx: &Ctx, vm: VmRef) -> Result<VmRecord, ApiError> {
        let mut rec: VmRecord = self.store.get(&vm)?;
        rec.name_label = format_compact!("{} (as booted)", rec.name_label);
        Ok(rec)
    }

    // string params and a string -> string map param, string result.
    async fn call_plugin(
        &self,
        _ctx: &Ctx,
        vm: VmRef,
        plugin: Str,
        r#fn: Str,
        args: Map<Str, Str>,
    ) -> Result<Str, ApiError> {
        expect("vm", &vm, &vm1())?;
        let mut keys: Vec<_> = args.iter().map(|(k, v)| format!("{k}={v}")).collect();
        keys.sort();
        Ok(format_compact!("{plugin}/{}({})", r#fn, keys.join(",")))
    }

    // bool result.
    async fn get_cooperative(&self, _ctx: &Ctx, _vm: VmRef) -> Result<bool, ApiError> {
        Ok(true)
    }

    // void result, bool params, a typed error.
    async fn start(&self, _ctx: &Ctx, vm: VmRef, start_paused: bool, force: bool) -> Result<(), ApiError> {
        expect("force", force, false)?;
        let r = vm.to_string();
        self.store.update::<VmRecord, _, _>(&vm, move |rec| {
            if rec.power_state != VmPowerState::Halted {
                return Err(ApiError::VmBadPowerState {
                    vm: r,
                    expected: "halted".into(),
                    actual: rec.power_state.as_str().to_lowercase(),
                });
            }
            rec.power_state = if start_paused { VmPowerState::Paused } else { VmPowerState::Running };
            Ok(())
        })
    }
}

impl xenapi::HostServer for TestBackend {
    // datetime result.
    async fn get_servertime(&self, _ctx: &Ctx, host: HostRef) -> Result<DateTime, ApiError> {
        self.store.get::<HostRecord>(&host)?;
        Ok(server_time())
    }

    // enum result.
    async fn get_sched_gran(&self, _ctx: &Ctx, _host: HostRef) -> Result<HostSchedGran, ApiError> {
        Ok(HostSchedGran::Socket)
    }

    // bool result from a string param.
    async fn has_extension(&self, _ctx: &Ctx, _host: HostRef, name: Str) -> Result<bool, ApiError> {
        Ok(name == "Host.enable_ssh")
    }
}

impl xenapi::MessageServer for TestBackend {
    // datetime param, (ref -> record) map result.
    async fn get_since(&self, _ctx: &Ctx, since: DateTime) -> Result<Map<MessageRef, MessageRecord>, ApiError> {
        Ok(self.store.all::<MessageRecord>().into_iter().filter(|(_, m)| m.timestamp > since).collect())
    }
}

impl xenapi::SrServer for TestBackend {
    // maps and a string in, records holding options out.
    async fn probe_ext(
        &self,
        _ctx: &Ctx,
        host: HostRef,
        device_config: Map<Str, Str>,
        r#type: Str,
        sm_config: Map<Str, Str>,
    ) -> Result<Vec<ProbeResultRecord>, ApiError> {
        expect("host", &host, &host1())?;
        expect("type", r#type.as_str(), "lvm")?;
        expect("device_config", device_config.get("device").map(Str::as_str), Some("/dev/sdb"))?;
        expect("sm_config", sm_config.len(), 0)?;
        Ok(vec![
            ProbeResultRecord {
                configuration: device_config,
                complete: true,
                sr: Some(SrStatRecord {
                    uuid: Some("sr-uuid-1".into()),
                    name_label: "found".into(),
                    free_space: 1 << 33,
                    total_space: 1 << 34,
                    clustered: false,
                    ..SrStatRecord::default()
                }),
                extra_info: Map::new(),
            },
            ProbeResultRecord {
                sr: Some(SrStatRecord { uuid: None, name_label: "unnamed".into(), ..SrStatRecord::default() }),
                ..ProbeResultRecord::default()
            },
            ProbeResultRecord { complete: false, sr: None, ..ProbeResultRecord::default() },
        ])
    }
}

impl xenapi::EventServer for TestBackend {
    // string set, string and float params; an event batch result.
    async fn from(&self, _ctx: &Ctx, classes: Vec<Str>, token: Str, timeout: f64) -> Result<EventBatch, ApiError> {
        expect("classes", classes, vec![Str::from("vm")])?;
        expect("timeout", timeout, 0.25)?;
        match token.as_str() {
            "" => {
                let vms = self.store.all::<VmRecord>();
                let events = vms
                    .iter()
                    .enumerate()
                    .map(|(i, (r, rec))| EventRecord {
                        id: i as i64 + 1,
                        timestamp: server_time(),
                        class: "vm".into(),
                        operation: EventOperation::Add,
                        r#ref: r.as_str().into(),
                        obj_uuid: rec.uuid.clone(),
                        snapshot: serde_json::to_value(rec).expect("snapshot"),
                    })
                    .collect();
                Ok(EventBatch {
                    events,
                    valid_ref_counts: [("vm".to_string(), vms.len() as i64)].into_iter().collect(),
                    token: "token-1".into(),
                })
            }
            "token-1" => {
                tokio::time::sleep(Duration::from_secs_f64(timeout / 5.0)).await;
                Ok(EventBatch { token: "token-2".into(), ..EventBatch::default() })
            }
            other => Err(ApiError::InvalidValue { field: "token".into(), value: other.into() }),
        }
    }
}

xenapi_tests::empty_servers!(TestBackend:
    AuthServer, BlobServer, BondServer, CertificateServer, ClusterHostServer, ClusterServer, ConsoleServer,
    CrashdumpServer, DataSourceServer, DrTaskServer, FeatureServer, GpuGroupServer, HostCpuServer,
    HostCrashdumpServer, HostMetricsServer, HostPatchServer, LvhdServer, NetworkServer, NetworkSriovServer,
    ObserverServer, PbdServer, PciServer, PgpuServer, PifMetricsServer, PifServer, PoolPatchServer, PoolServer,
    PoolUpdateServer, ProbeResultServer, PusbServer, PvsCacheStorageServer, PvsProxyServer, PvsServerServer,
    PvsSiteServer, RepositoryServer, RoleServer, SdnControllerServer, SecretServer, SmServer, SrStatServer,
    SubjectServer, TaskServer, TunnelServer, UsbGroupServer, UserServer, VbdMetricsServer, VbdServer,
    VdiNbdServerInfoServer, VdiServer, VgpuServer, VgpuTypeServer, VifMetricsServer, VifServer, VlanServer,
    VmApplianceServer, VmGuestMetricsServer, VmMetricsServer, VmppServer, VmssServer, VtpmServer, VusbServer,
    VmGroupServer, HostDriverServer, DriverVariantServer, CallerServer, RateLimitServer,
);

// ------------------------------------------------------------- harness

/// A server on a loopback port; it shuts down when dropped.
struct Harness {
    backend: Arc<TestBackend>,
    url: String,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn start() -> Harness {
    let backend = TestBackend::seeded();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/", listener.local_addr().expect("addr"));
    let server = xenapi_rt::server::Server::new(Dispatcher(Arc::clone(&backend)));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = server
            .serve(listener, async move {
                let _ = stopped.await;
            })
            .await;
    });
    Harness { backend, url, _stop: stop }
}

impl Harness {
    fn connection(&self, protocol: Protocol) -> Connection<HttpTransport> {
        Connection::new(HttpTransport::new(&self.url).expect("transport"), protocol)
    }

    async fn login(&self, protocol: Protocol, user: &str) -> Session<HttpTransport> {
        self.connection(protocol)
            .login_with_password(user, PASSWORD, "1.0", "xenapi-tests")
            .await
            .unwrap_or_else(|e| panic!("{protocol:?}: login: {e}"))
    }

    fn raw(&self, protocol: Protocol) -> xenapi_rt::Client<HttpTransport> {
        xenapi_rt::Client::new(HttpTransport::new(&self.url).expect("transport"), protocol)
    }
}

fn api<T: Debug>(r: Result<T, Error>) -> ApiError {
    match r {
        Err(Error::Api(e)) => e,
        other => panic!("expected an API error, got {other:?}"),
    }
}

fn same_float(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a == b
}

// ------------------------------------------------------------- tests

/// One message of every parameter and result shape, through the typed
/// client and the generated dispatcher.
async fn every_shape(protocol: Protocol) {
    let h = start().await;
    let s = h.login(protocol, "root").await;
    let vm = vm1();
    let ctx = format!("{protocol:?}");

    // string in and out (with characters XML must escape).
    assert_eq!(s.vm().get_name_label(&vm).await.unwrap(), "web-1", "{ctx}");
    s.vm().set_name_label(&vm, "web <&> \"1\" \u{2603}").await.unwrap();
    assert_eq!(s.vm().get_name_label(&vm).await.unwrap(), "web <&> \"1\" \u{2603}", "{ctx}");
    let args = str_map(&[("a", "1"), ("b", "<two>")]);
    assert_eq!(s.vm().call_plugin(&vm, "echo", "run", &args).await.unwrap(), "echo/run(a=1,b=<two>)", "{ctx}");

    // int in and out, beyond 32 bits.
    assert_eq!(s.vm().maximise_memory(&vm, BIG, true).await.unwrap(), BIG - 4096, "{ctx}");
    s.vm().set_user_version(&vm, i64::MIN).await.unwrap();
    assert_eq!(s.vm().get_user_version(&vm).await.unwrap(), i64::MIN, "{ctx}");

    // float in and out, NaN and infinities included.
    assert_eq!(s.vm().query_data_source(&vm, "cpu0").await.unwrap(), 0.125, "{ctx}");
    assert!(s.vm().query_data_source(&vm, "nan").await.unwrap().is_nan(), "{ctx}");
    assert_eq!(s.vm().query_data_source(&vm, "inf").await.unwrap(), f64::NEG_INFINITY, "{ctx}");
    for m in [2.5, f64::NAN, f64::INFINITY] {
        s.vm().set_shadow_multiplier_live(&vm, m).await.unwrap_or_else(|e| panic!("{ctx}: set {m}: {e}"));
        let got = s.vm().get_hvm_shadow_multiplier(&vm).await.unwrap();
        assert!(same_float(got, m), "{ctx}: sent {m}, read back {got}");
    }
    s.vm().set_shadow_multiplier_live(&vm, 1.0).await.unwrap();

    // bool out; bools in (start_paused) with a void result.
    assert!(s.vm().get_cooperative(&vm).await.unwrap(), "{ctx}");
    assert!(s.host().has_extension(&host1(), "Host.enable_ssh").await.unwrap(), "{ctx}");
    assert!(!s.host().has_extension(&host1(), "nope").await.unwrap(), "{ctx}");
    assert!(!s.vm().get_is_a_template(&vm).await.unwrap(), "{ctx}");

    // datetime out and in.
    assert_eq!(s.host().get_servertime(&host1()).await.unwrap(), server_time(), "{ctx}");
    assert_eq!(s.vm().get_snapshot_time(&vm).await.unwrap(), server_time(), "{ctx}");
    let since = s.message().get_since(DateTime::from_civil(2024, 4, 15, 0, 0, 0).unwrap()).await.unwrap();
    let mut names: Vec<_> = since.values().map(|m| m.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["ALERT_2", "ALERT_3"], "{ctx}");
    assert_eq!(since[&MessageRef::new("OpaqueRef:message-3")].priority, 3, "{ctx}");

    // enum out and in; a value this version does not know survives the trip.
    assert_eq!(s.host().get_sched_gran(&host1()).await.unwrap(), HostSchedGran::Socket, "{ctx}");
    assert_eq!(s.vm().get_power_state(&vm).await.unwrap(), VmPowerState::Halted, "{ctx}");
    for dt in [DomainType::Pv, DomainType::Unknown("pvh_next".into())] {
        s.vm().set_domain_type(&vm, &dt).await.unwrap();
        assert_eq!(s.vm().get_domain_type(&vm).await.unwrap(), dt, "{ctx}");
    }

    // ref out.
    assert_eq!(s.vm().get_resident_on(&vm).await.unwrap(), host1(), "{ctx}");
    assert_eq!(s.vm().get_by_uuid("00000000-0000-4000-8000-00000000a001").await.unwrap(), vm, "{ctx}");
    assert_eq!(s.vm().get_by_name_label("db-1").await.unwrap(), vec![VmRef::new("OpaqueRef:vm-2")], "{ctx}");

    // record out (derived and explicit) and in (create).
    let stored: VmRecord = h.backend.store.get(&vm).unwrap();
    let got = s.vm().get_record(&vm).await.unwrap();
    assert!(same_float(got.hvm_shadow_multiplier, stored.hvm_shadow_multiplier));
    assert_eq!(got, stored, "{ctx}");
    assert_eq!(
        s.vm().get_boot_record(&vm).await.unwrap().name_label,
        format!("{} (as booted)", stored.name_label),
        "{ctx}"
    );
    let new = VmRecord {
        name_label: "created".into(),
        vcpus_max: 4,
        hvm_shadow_multiplier: 2.0,
        platform: str_map(&[("acpi", "1")]),
        blocked_operations: [(VmOperations::Destroy, Str::from("keep"))].into(),
        power_state: VmPowerState::Unknown("Crashed".into()),
        ..VmRecord::default()
    };
    let created = s.vm().create(&new).await.unwrap();
    let back = s.vm().get_record(&created).await.unwrap();
    assert!(!back.uuid.is_empty(), "{ctx}");
    assert_eq!(back, VmRecord { uuid: back.uuid.clone(), ..new }, "{ctx}");

    // sets: of refs, of strings, of enums.
    assert_eq!(s.vm().get_possible_hosts(&vm).await.unwrap(), vec![host1(), HostRef::new("OpaqueRef:host-2")], "{ctx}");
    assert_eq!(s.vm().get_allowed_vbd_devices(&vm).await.unwrap(), ["1", "2", "xvdq"], "{ctx}");
    assert_eq!(
        s.network().get_purpose(&net1()).await.unwrap(),
        vec![NetworkPurpose::InsecureNbd, NetworkPurpose::Nbd],
        "{ctx}"
    );
    assert_eq!(
        s.vm().get_allowed_operations(&vm).await.unwrap(),
        vec![VmOperations::Start, VmOperations::Clone],
        "{ctx}"
    );
    s.vm().set_tags(&vm, &["a".into(), "b c".into()]).await.unwrap();
    s.vm().add_tags(&vm, "d").await.unwrap();
    s.vm().remove_tags(&vm, "a").await.unwrap();
    assert_eq!(s.vm().get_tags(&vm).await.unwrap(), ["b c", "d"], "{ctx}");

    // maps: string -> string, enum -> string, ref -> record, int -> float.
    assert_eq!(s.vm().query_services(&vm).await.unwrap(), str_map(&[("sshd", "running"), ("empty", "")]), "{ctx}");
    assert_eq!(s.vm().get_other_config(&vm).await.unwrap(), str_map(&[("owner", "ops")]), "{ctx}");
    let blocked: Map<VmOperations, Str> = [
        (VmOperations::HardShutdown, Str::from("maintenance")),
        (VmOperations::Unknown("teleport".into()), Str::from("never")),
    ]
    .into();
    s.vm().set_blocked_operations(&vm, &blocked).await.unwrap();
    s.vm().add_to_blocked_operations(&vm, &VmOperations::Clone, "x").await.unwrap();
    let mut want = blocked.clone();
    want.insert(VmOperations::Clone, "x".into());
    assert_eq!(s.vm().get_blocked_operations(&vm).await.unwrap(), want, "{ctx}");
    let all = s.vm().get_all_records().await.unwrap();
    let stored: HashMap<VmRef, VmRecord> = h.backend.store.all::<VmRecord>().into_iter().collect();
    assert_eq!(all.len(), 3, "{ctx}");
    assert_eq!(all, stored, "{ctx}");
    let util = s.vm_metrics().get_vcpus_utilisation(&metrics1()).await.unwrap();
    assert_eq!(util, HashMap::from([(0, Float(0.5)), (1, Float(0.25))]), "{ctx}");

    // option: a record holding `sr_stat record option`, which holds a
    // `string option`, both Some and None.
    let dc = str_map(&[("device", "/dev/sdb")]);
    let probed = s.sr().probe_ext(&host1(), &dc, "lvm", &Map::new()).await.unwrap_or_else(|e| panic!("{ctx}: {e}"));
    assert_eq!(probed.len(), 3, "{ctx}");
    let sr = probed[0].sr.as_ref().expect("Some sr");
    assert_eq!(
        (sr.uuid.as_deref(), sr.name_label.as_str(), sr.free_space),
        (Some("sr-uuid-1"), "found", 1 << 33),
        "{ctx}"
    );
    assert!(probed[0].complete && probed[0].configuration == dc, "{ctx}");
    assert_eq!(
        probed[1].sr.as_ref().map(|s| (s.uuid.clone(), s.name_label.as_str())),
        Some((None, "unnamed")),
        "{ctx}"
    );
    assert_eq!(probed[2].sr, None, "{ctx}");

    // void, with bool params; then the typed error of a second start.
    s.vm().start(&vm, true, false).await.unwrap();
    assert_eq!(s.vm().get_power_state(&vm).await.unwrap(), VmPowerState::Paused, "{ctx}");
    assert_eq!(
        api(s.vm().start(&vm, false, false).await),
        ApiError::VmBadPowerState { vm: vm.to_string(), expected: "halted".into(), actual: "paused".into() },
        "{ctx}"
    );
    s.vm().destroy(&created).await.unwrap();

    // Errors from the store and from unimplemented messages.
    let gone = VmRef::new("OpaqueRef:gone");
    assert_eq!(
        api(s.vm().get_record(&gone).await),
        ApiError::HandleInvalid { class: "VM".into(), handle: gone.to_string() },
        "{ctx}"
    );
    assert_eq!(
        api(s.vm().get_by_uuid("nope").await),
        ApiError::UuidInvalid { r#type: "VM".into(), uuid: "nope".into() },
        "{ctx}"
    );
    assert_eq!(
        api(s.vm().hard_shutdown(&vm).await),
        ApiError::NotImplemented { function: "VM.hard_shutdown".into() },
        "{ctx}"
    );

    s.logout().await.unwrap();
    assert!(h.backend.sessions.lock().unwrap().is_empty(), "{ctx}: logout ends the session");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_shape_over_xmlrpc() {
    every_shape(Protocol::XmlRpc).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_shape_over_jsonrpc_v2() {
    every_shape(Protocol::JsonRpc(Version::V2)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_shape_over_jsonrpc_v1() {
    every_shape(Protocol::JsonRpc(Version::V1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_calls_follow_their_task_to_the_typed_result() {
    let h = start().await;
    for protocol in PROTOCOLS {
        let s = h.login(protocol, "root").await;
        // A ref result.
        let task = s.vm().async_clone(&vm1(), "copy").await.unwrap();
        assert!(task.task_ref().as_str().starts_with("OpaqueRef:"));
        // Pending at first (the backend holds the work back a little).
        assert_eq!(s.task().get_status(task.task_ref()).await.unwrap(), TaskStatusType::Pending, "{protocol:?}");
        let copy: VmRef = task.wait().await.unwrap();
        assert_eq!(s.vm().get_name_label(&copy).await.unwrap(), "copy", "{protocol:?}");
        let rec = s.task().get_record(task.task_ref()).await.unwrap();
        assert_eq!(
            (rec.status, rec.name_label.as_str(), rec.progress),
            (TaskStatusType::Success, "Async.VM.clone", 1.0)
        );
        // An int, a float, a set and a map result, and a void one.
        assert_eq!(s.vm().async_maximise_memory(&vm1(), BIG, true).await.unwrap().wait().await.unwrap(), BIG - 4096);
        assert_eq!(s.vm().async_query_data_source(&vm1(), "cpu0").await.unwrap().wait().await.unwrap(), 0.125);
        assert!(s.vm().async_query_data_source(&vm1(), "nan").await.unwrap().wait().await.unwrap().is_nan());
        assert_eq!(
            s.vm().async_get_possible_hosts(&vm1()).await.unwrap().wait().await.unwrap(),
            vec![host1(), HostRef::new("OpaqueRef:host-2")]
        );
        assert_eq!(s.vm().async_query_services(&vm1()).await.unwrap().wait().await.unwrap()["sshd"], "running");
        let dc = str_map(&[("device", "/dev/sdb")]);
        let probed = s.sr().async_probe_ext(&host1(), &dc, "lvm", &Map::new()).await.unwrap().wait().await.unwrap();
        assert_eq!(probed[0].sr.as_ref().and_then(|s| s.uuid.as_deref()), Some("sr-uuid-1"));
        assert_eq!(probed[2].sr, None, "{protocol:?}");
        s.vm().async_start(&copy, false, false).await.unwrap().wait().await.unwrap();
        assert_eq!(s.vm().get_power_state(&copy).await.unwrap(), VmPowerState::Running);
        // A task that fails gives the typed error.
        let failed = s.vm().async_start(&copy, false, false).await.unwrap();
        assert_eq!(
            api(failed.wait().await),
            ApiError::VmBadPowerState { vm: copy.to_string(), expected: "halted".into(), actual: "running".into() }
        );
        assert_eq!(s.task().get_status(failed.task_ref()).await.unwrap(), TaskStatusType::Failure);
        // Unknown refs fail inside the task.
        let gone = VmRef::new("OpaqueRef:gone");
        assert_eq!(
            api(s.vm().async_clone(&gone, "x").await.unwrap().wait().await),
            ApiError::HandleInvalid { class: "VM".into(), handle: gone.to_string() }
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_from_returns_typed_batches() {
    let h = start().await;
    for protocol in PROTOCOLS {
        let s = h.login(protocol, "root").await;
        // The raw call: a batch with events, counts and a token.
        let batch = s.event().from(&["vm".into()], "", 0.25).await.unwrap_or_else(|e| panic!("{protocol:?}: {e}"));
        assert_eq!(batch.token, "token-1");
        assert_eq!(batch.valid_ref_counts, HashMap::from([("vm".to_string(), 2)]));
        assert_eq!(batch.events.len(), 2);
        let stored: HashMap<String, VmRecord> =
            h.backend.store.all::<VmRecord>().into_iter().map(|(r, v)| (r.to_string(), v)).collect();
        for ev in &batch.events {
            assert_eq!((ev.class.as_str(), &ev.operation, ev.timestamp), ("vm", &EventOperation::Add, server_time()));
            let snap: VmRecord = ev.snapshot_as().unwrap_or_else(|e| panic!("{protocol:?}: snapshot: {e}"));
            assert_eq!(&snap, &stored[ev.r#ref.as_str()], "{protocol:?}");
            assert_eq!(snap.uuid, ev.obj_uuid);
        }
        // The helper keeps the token between calls.
        let mut events = Events::new(&s, &["vm"], Duration::from_millis(250));
        assert_eq!(events.next().await.unwrap().len(), 2);
        assert!(events.next().await.unwrap().is_empty());
        // A bad token is the backend's typed error.
        let e = api(s.event().from(&["vm".into()], "bogus", 0.25).await);
        assert_eq!(e, ApiError::InvalidValue { field: "token".into(), value: "bogus".into() });
    }
}

/// The description of an API failure from a raw call.
async fn raw_failure(h: &Harness, protocol: Protocol, method: &str, params: &[Value]) -> ApiError {
    let client = h.raw(protocol);
    let mut call = client.call(method);
    for p in params {
        call = call.param(p);
    }
    match call.send::<Void>().await {
        Err(e @ CallError::Failure { .. }) => match Error::from(e) {
            Error::Api(e) => e,
            other => panic!("{other:?}"),
        },
        other => panic!("{protocol:?} {method}: expected a failure, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_calls_get_the_well_known_errors() {
    let h = start().await;
    for protocol in PROTOCOLS {
        let s = h.login(protocol, "root").await;
        let session = json!(s.session_ref().as_str());
        let vm = json!(vm1().as_str());

        for method in
            ["VM.frobnicate", "Frob.get_all", "nodot", "", "Async.VM.get_record", "Async.session.login_with_password"]
        {
            assert_eq!(
                raw_failure(&h, protocol, method, std::slice::from_ref(&session)).await,
                ApiError::MessageMethodUnknown { method: method.into() },
                "{protocol:?}"
            );
        }

        // As xapi counts: without the session, and expecting the
        // parameters that have no default.
        let mismatch = |m: &str, e: i64, r: i64| ApiError::MessageParameterCountMismatch {
            method: m.into(),
            expected: e.to_string(),
            received: r.to_string(),
        };
        assert_eq!(
            raw_failure(&h, protocol, "VM.get_record", std::slice::from_ref(&session)).await,
            mismatch("VM.get_record", 1, 0)
        );
        assert_eq!(raw_failure(&h, protocol, "VM.get_all", &[]).await, mismatch("VM.get_all", 0, -1));
        assert_eq!(
            raw_failure(&h, protocol, "VM.start", &[session.clone(), vm.clone(), json!(true), json!(false), json!(1)])
                .await,
            mismatch("VM.start", 3, 4)
        );
        assert_eq!(
            raw_failure(&h, protocol, "Async.VM.clone", std::slice::from_ref(&session)).await,
            mismatch("Async.VM.clone", 2, 0)
        );
        assert_eq!(
            raw_failure(&h, protocol, "session.login_with_password", &[json!("root")]).await,
            mismatch("session.login_with_password", 2, 1)
        );

        let field = |f: &str| ApiError::FieldTypeError { field: f.into() };
        let cases: Vec<(&str, Vec<Value>, &str)> = vec![
            ("VM.maximise_memory", vec![session.clone(), vm.clone(), json!("lots"), json!(true)], "total"),
            ("VM.maximise_memory", vec![session.clone(), vm.clone(), json!(u64::MAX), json!(true)], "total"),
            ("VM.maximise_memory", vec![session.clone(), vm.clone(), json!(1.5), json!(true)], "total"),
            ("VM.maximise_memory", vec![session.clone(), vm.clone(), json!(1), json!({"a": 1})], "approximate"),
            ("VM.start", vec![session.clone(), vm.clone(), json!(["x"]), json!(false)], "start_paused"),
            (
                "VM.call_plugin",
                vec![session.clone(), vm.clone(), json!("p"), json!("f"), json!(["not", "a", "map"])],
                "args",
            ),
            ("VM.get_record", vec![session.clone(), json!({"not": "a ref"})], "self"),
            ("VM.set_shadow_multiplier_live", vec![session.clone(), vm.clone(), json!("fast")], "multiplier"),
            ("host.get_servertime", vec![session.clone(), json!([1, 2])], "host"),
            ("message.get_since", vec![session.clone(), json!("last tuesday")], "since"),
            ("VM.create", vec![session.clone(), json!("not a record")], "args"),
            ("VM.get_by_uuid", vec![session.clone(), json!(["u"])], "uuid"),
        ];
        for (method, params, name) in cases {
            assert_eq!(raw_failure(&h, protocol, method, &params).await, field(name), "{protocol:?} {method}");
        }

        // A session that is not a string, or unknown: SESSION_INVALID.
        assert!(matches!(
            raw_failure(&h, protocol, "VM.get_all", &[json!(["x"])]).await,
            ApiError::SessionInvalid { .. }
        ));
        assert_eq!(
            raw_failure(&h, protocol, "VM.get_all", &[json!("OpaqueRef:stale")]).await,
            ApiError::SessionInvalid { handle: "OpaqueRef:stale".into() }
        );
        // Wrong password.
        let e = h.connection(protocol).login_with_password("root", "wrong", "1.0", "xenapi-tests").await;
        assert_eq!(api(e.map(|_| ())), ApiError::SessionAuthenticationFailed);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_invalid_logs_in_again_once() {
    let h = start().await;
    for protocol in PROTOCOLS {
        let before = h.backend.logins.load(Ordering::SeqCst);
        let s = h.login(protocol, "root").await;
        let first = s.session_ref();
        assert_eq!(s.vm().get_all().await.unwrap().len(), 2);

        // The server forgets every session: the next call fails with
        // SESSION_INVALID, the client logs in again and retries.
        h.backend.forget_sessions();
        assert_eq!(s.vm().get_name_label(&vm1()).await.unwrap(), "web-1", "{protocol:?}");
        assert_eq!(h.backend.logins.load(Ordering::SeqCst), before + 2, "{protocol:?}: exactly one re-login");
        assert_ne!(s.session_ref(), first);
        // The new session keeps working without more logins.
        s.vm().get_all().await.unwrap();
        assert_eq!(h.backend.logins.load(Ordering::SeqCst), before + 2);

        // A session given from outside cannot log in again.
        let bare = h.connection(protocol).with_session(s.session_ref());
        h.backend.forget_sessions();
        assert_eq!(api(bare.vm().get_all().await), ApiError::SessionInvalid { handle: bare.session_ref().to_string() });
    }
    // A session made in one protocol works in the other.
    let s = h.login(Protocol::XmlRpc, "root").await;
    let other = h.connection(Protocol::JsonRpc(Version::V2)).with_session(s.session_ref());
    assert_eq!(other.vm().get_name_label(&vm1()).await.unwrap(), "web-1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rbac_denials_come_from_authorize() {
    let h = start().await;
    for protocol in PROTOCOLS {
        let s = h.login(protocol, "reader").await;
        // Read-only messages are allowed...
        assert_eq!(s.vm().get_all_records().await.unwrap().len(), 2);
        assert_eq!(s.vm().get_power_state(&vm1()).await.unwrap(), VmPowerState::Halted);
        // ...others are refused, synchronously or as Async.
        let denied = |m: &str| ApiError::RbacPermissionDenied {
            permission: m.into(),
            message: "the read-only role does not allow this".into(),
        };
        assert_eq!(api(s.vm().start(&vm1(), false, false).await), denied("VM.start"));
        assert_eq!(api(s.vm().set_name_label(&vm1(), "x").await), denied("VM.set_name_label"));
        assert_eq!(api(s.vm().async_clone(&vm1(), "x").await.map(|t| t.task_ref().clone())), denied("Async.VM.clone"));
        assert_eq!(s.vm().get_power_state(&vm1()).await.unwrap(), VmPowerState::Halted, "nothing happened");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn derived_map_updates_refuse_duplicate_keys() {
    let h = start().await;
    for protocol in PROTOCOLS {
        let s = h.login(protocol, "root").await;
        let vm = vm1();
        let key = format!("key-{protocol:?}");
        s.vm().add_to_other_config(&vm, &key, "first").await.unwrap();
        let e = api(s.vm().add_to_other_config(&vm, &key, "second").await);
        assert_eq!(
            e,
            ApiError::MapDuplicateKey {
                r#type: "VM".into(),
                param_name: "other_config".into(),
                uuid: "00000000-0000-4000-8000-00000000a001".into(),
                key: key.clone(),
            }
        );
        // The failed update changed nothing.
        assert_eq!(s.vm().get_other_config(&vm).await.unwrap()[key.as_str()], "first");
        // Enum-keyed maps too.
        s.vm().add_to_blocked_operations(&vm, &VmOperations::Suspend, "a").await.unwrap();
        assert!(matches!(
            api(s.vm().add_to_blocked_operations(&vm, &VmOperations::Suspend, "b").await),
            ApiError::MapDuplicateKey { ref key, .. } if key == "suspend"
        ));
        // Removing frees the key.
        s.vm().remove_from_other_config(&vm, &key).await.unwrap();
        s.vm().remove_from_blocked_operations(&vm, &VmOperations::Suspend).await.unwrap();
        s.vm().add_to_other_config(&vm, &key, "again").await.unwrap();
        assert_eq!(s.vm().get_other_config(&vm).await.unwrap()[key.as_str()], "again");
        // Setters and map updates on unknown objects: HANDLE_INVALID.
        let gone = VmRef::new("OpaqueRef:gone");
        assert_eq!(
            api(s.vm().add_to_other_config(&gone, "k", "v").await),
            ApiError::HandleInvalid { class: "VM".into(), handle: gone.to_string() }
        );
    }
}
