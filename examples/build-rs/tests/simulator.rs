//! The build-script bindings against the simulator on a loopback port.

use xenapi_example_build::{Connection, Error, Protocol, VmPowerState};
use xenapi_rt::transport::HttpTransport;

#[tokio::test(flavor = "multi_thread")]
async fn lists_vms_and_hosts_from_the_simulator() {
    let sim = xenapi_sim::Loopback::start(xenapi_sim::Sim::new(xenapi_sim::Config::default()).unwrap()).await.unwrap();
    // The bindings were generated for JSON-RPC only. (This test build also
    // has XML-RPC in xenapi-rt, which the simulator needs.)
    assert!(xenapi_example_build::speaks(Protocol::JsonRpc(xenapi_rt::jsonrpc::Version::V1)));
    assert!(!xenapi_example_build::speaks(Protocol::XmlRpc));
    let conn = Connection::json_rpc(HttpTransport::new(sim.url()).unwrap());
    assert!(matches!(conn.login_with_password("root", "wrong", "1.0", "x").await, Err(Error::Api(_))));
    let conn = Connection::json_rpc(HttpTransport::new(sim.url()).unwrap());
    let session = conn.login_with_password("root", "xenroot", "1.0", "build-rs example").await.unwrap();
    assert!(matches!(session.protocol(), Protocol::JsonRpc(_)));
    let vms = session.vm().get_all_records().await.unwrap();
    assert!(vms.values().any(|v| v.is_a_template), "the default fixture has templates");
    assert!(vms.values().all(|v| !matches!(v.power_state, VmPowerState::Unknown(_))));
    let hosts = session.host().get_all().await.unwrap();
    assert!(!hosts.is_empty());
    session.logout().await.unwrap();
    sim.stop().await.unwrap();
}
