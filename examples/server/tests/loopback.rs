//! The server-only build, driven over loopback HTTP by the client of the
//! committed `xenapi` crate. The server was generated for XML-RPC only.

use xenapi::{ApiError, Connection, Error, Protocol, VmRecord};
use xenapi_rt::transport::HttpTransport;

async fn with_server<F, Fut>(test: F)
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(xenapi_example_server::serve(listener, "secret", async {
        let _ = stopped.await;
    }));
    test(url).await;
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

fn connect(url: &str, protocol: Protocol) -> Connection<HttpTransport> {
    Connection::new(HttpTransport::new(url).unwrap(), protocol)
}

#[tokio::test(flavor = "multi_thread")]
async fn derived_messages_work_on_the_store() {
    with_server(|url| async move {
        let session =
            connect(&url, Protocol::XmlRpc).login_with_password("root", "secret", "1.0", "example").await.unwrap();
        let vm = session
            .vm()
            .create(&VmRecord { name_label: "web".into(), memory_static_max: 1 << 30, ..VmRecord::default() })
            .await
            .unwrap();
        assert_eq!(session.vm().get_name_label(&vm).await.unwrap(), "web");
        session.vm().set_name_label(&vm, "web-1").await.unwrap();
        let record = session.vm().get_record(&vm).await.unwrap();
        assert_eq!((record.name_label.as_str(), record.memory_static_max), ("web-1", 1 << 30));
        assert_eq!(session.vm().get_by_uuid(&record.uuid).await.unwrap(), vm);
        assert_eq!(session.vm().get_by_name_label("web-1").await.unwrap(), vec![vm.clone()]);
        assert!(session.vm().get_all().await.unwrap().contains(&vm));
        session.vm().destroy(&vm).await.unwrap();
        match session.vm().get_record(&vm).await {
            Err(Error::Api(ApiError::HandleInvalid { class, handle })) => {
                assert_eq!((class.as_str(), handle.as_str()), ("VM", vm.as_str()))
            }
            other => panic!("expected HANDLE_INVALID, got {other:?}"),
        }
        session.logout().await.unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn json_rpc_has_no_endpoint_even_though_this_build_compiles_it() {
    // The test build links the committed client, whose xenapi-rt has both
    // features; the generated dispatcher still refuses JSON-RPC.
    assert!(xenapi_example_server::speaks(Protocol::XmlRpc));
    with_server(|url| async move {
        let json = connect(&url, Protocol::JsonRpc(xenapi_rt::jsonrpc::Version::V2));
        match json.login_with_password("root", "secret", "1.0", "example").await {
            Err(Error::Call(xenapi_rt::CallError::Transport(xenapi_rt::TransportError::Status { status, .. }))) => {
                assert_eq!(status, 404)
            }
            other => panic!("expected HTTP 404, got {other:?}"),
        }
        // XML-RPC on the same server still works.
        let session =
            connect(&url, Protocol::XmlRpc).login_with_password("root", "secret", "1.0", "example").await.unwrap();
        session.logout().await.unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sessions_passwords_and_unimplemented_messages() {
    with_server(|url| async move {
        match connect(&url, Protocol::XmlRpc).login_with_password("root", "wrong", "1.0", "example").await {
            Err(Error::Api(ApiError::SessionAuthenticationFailed)) => {}
            other => panic!("expected SESSION_AUTHENTICATION_FAILED, got {other:?}"),
        }
        let session =
            connect(&url, Protocol::XmlRpc).login_with_password("root", "secret", "1.0", "example").await.unwrap();
        let vm = session.vm().create(&VmRecord::default()).await.unwrap();
        match session.vm().start(&vm, false, false).await {
            Err(Error::Api(ApiError::NotImplemented { function })) => assert_eq!(function, "VM.start"),
            other => panic!("expected NOT_IMPLEMENTED, got {other:?}"),
        }
        // Classes left out of the build are unknown to this server.
        match session.host().get_all().await {
            Err(Error::Api(ApiError::MessageMethodUnknown { method })) => assert_eq!(method, "host.get_all"),
            other => panic!("expected MESSAGE_METHOD_UNKNOWN, got {other:?}"),
        }
    })
    .await;
}
