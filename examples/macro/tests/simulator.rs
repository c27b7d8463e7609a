//! The macro-expanded bindings against the simulator on a loopback port.

use xenapi_example_macro::{Connection, Protocol};
use xenapi_rt::transport::HttpTransport;

#[tokio::test(flavor = "multi_thread")]
async fn clones_a_template_on_the_simulator() {
    let sim = xenapi_sim::Loopback::start(xenapi_sim::Sim::new(xenapi_sim::Config::default()).unwrap()).await.unwrap();
    let conn = Connection::new(HttpTransport::new(sim.url()).unwrap(), Protocol::XmlRpc);
    let session = conn.login_with_password("root", "xenroot", "1.0", "macro example").await.unwrap();
    let vms = session.vm().get_all_records().await.unwrap();
    let (template, _) = vms.iter().find(|(_, v)| v.is_a_template).expect("a template");
    let copy = session.vm().clone(template, "from the macro").await.unwrap();
    assert_eq!(session.vm().get_name_label(&copy).await.unwrap(), "from the macro");
    session.vm().destroy(&copy).await.unwrap();
    session.logout().await.unwrap();
    sim.stop().await.unwrap();
}
