//! A simulator serving on a free loopback port, for tests of clients in
//! other crates: start it, point a client at [`Loopback::url`], stop it.

use std::io;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::Sim;

/// A simulator listening on `127.0.0.1` on a port the system chose.
pub struct Loopback {
    url: String,
    stop: oneshot::Sender<()>,
    server: JoinHandle<io::Result<()>>,
}

impl Loopback {
    /// Starts serving `sim` on a free loopback port (on the current Tokio
    /// runtime).
    pub async fn start(sim: Sim) -> io::Result<Loopback> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/", listener.local_addr()?);
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(sim.serve(listener, async {
            let _ = stopped.await;
        }));
        Ok(Loopback { url, stop, server })
    }

    /// The address to give a client, `http://127.0.0.1:PORT/`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Stops serving and waits until the server has finished; its error,
    /// if it failed (a server task that panicked is an error too).
    pub async fn stop(self) -> io::Result<()> {
        let _ = self.stop.send(());
        self.server.await.map_err(io::Error::other)?
    }
}
