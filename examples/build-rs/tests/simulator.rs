//! The build-script bindings against the simulator on a loopback port.

use xenapi_example_build::{Connection, Error, Protocol, VmPowerState};
use xenapi_rt::transport::HttpTransport;

#[tokio::test(flavor = "multi_thread")]
async fn lists_vms_and_hosts_from_the_simulator() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let sim = xenapi_sim::Sim::new(xenapi_sim::Config::default()).unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(sim.serve(listener, async {
        let _ = stopped.await;
    }));
    // The bindings were generated for JSON-RPC only. (This test build also
    // has XML-RPC in xenapi-rt, which the simulator needs.)
    assert!(xenapi_example_build::speaks(Protocol::JsonRpc(xenapi_rt::jsonrpc::Version::V1)));
    assert!(!xenapi_example_build::speaks(Protocol::XmlRpc));
    let conn = Connection::json_rpc(HttpTransport::new(&format!("http://{addr}/")).unwrap());
    assert!(matches!(conn.login_with_password("root", "wrong", "1.0", "x").await, Err(Error::Api(_))));
    let conn = Connection::json_rpc(HttpTransport::new(&format!("http://{addr}/")).unwrap());
    let session = conn.login_with_password("root", "xenroot", "1.0", "build-rs example").await.unwrap();
    assert!(matches!(session.protocol(), Protocol::JsonRpc(_)));
    let vms = session.vm().get_all_records().await.unwrap();
    assert!(vms.values().any(|v| v.is_a_template), "the default fixture has templates");
    assert!(vms.values().all(|v| !matches!(v.power_state, VmPowerState::Unknown(_))));
    let hosts = session.host().get_all().await.unwrap();
    assert!(!hosts.is_empty());
    session.logout().await.unwrap();
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}
