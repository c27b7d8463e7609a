//! `xenapi-sim`: serves the XenAPI over XML-RPC (`/`) and JSON-RPC
//! (`/jsonrpc`) on one port, from memory.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use xenapi_sim::{Config, Sim, User};

/// An in-memory XenAPI server for testing XenAPI clients.
#[derive(Debug, Parser)]
#[command(name = "xenapi-sim", version)]
struct Args {
    /// Address to listen on (port 0 picks a free port and prints it).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Also answer on this Unix domain socket (created; removed first if
    /// it is a stale socket).
    #[arg(long, value_name = "PATH")]
    unix: Option<PathBuf>,
    /// A user who may log in, as NAME:PASSWORD[:ROLE] (role: pool-admin,
    /// pool-operator, vm-power-admin, vm-admin, vm-operator, client-cert or
    /// read-only; default pool-admin). Repeat for more users. Without any,
    /// root / xenroot is accepted as pool-admin.
    #[arg(long = "user", value_name = "NAME:PASSWORD[:ROLE]")]
    users: Vec<String>,
    /// Objects to start with (YAML or JSON; see fixtures/README.md),
    /// instead of the built-in fixture. Ignored when --state holds state.
    #[arg(long)]
    fixture: Option<PathBuf>,
    /// Keeps every change in this file and starts from it when it exists.
    #[arg(long)]
    state: Option<PathBuf>,
    /// Seconds a session may stay idle before it ends (more than 0, at
    /// most ten years; fractions allowed).
    #[arg(long, default_value = "86400", value_parser = seconds)]
    session_timeout: Duration,
    /// Milliseconds each Async task takes before it does its work (0 to
    /// one hour).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(0..=MAX_TASK_DELAY_MS))]
    task_delay_ms: u64,
    /// Largest request body accepted, in bytes (1 KiB to 4 GiB).
    #[arg(long, default_value_t = 64 << 20, value_parser = clap::value_parser!(u64).range(MIN_BODY..=MAX_BODY))]
    max_body: u64,
}

/// The longest `--session-timeout`, in seconds: ten years.
const MAX_SESSION_TIMEOUT: f64 = 10.0 * 365.0 * 86400.0;
/// The longest `--task-delay-ms`: one hour.
const MAX_TASK_DELAY_MS: u64 = 3_600_000;
/// The bounds of `--max-body`.
const MIN_BODY: u64 = 1 << 10;
const MAX_BODY: u64 = 4 << 30;

/// Reads `--session-timeout`: a number of seconds in (0, ten years].
fn seconds(text: &str) -> Result<Duration, String> {
    let secs: f64 = text.trim().parse().map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if !(secs > 0.0 && secs <= MAX_SESSION_TIMEOUT) {
        return Err(format!("`{text}` is out of range: give more than 0 and at most {MAX_SESSION_TIMEOUT} seconds"));
    }
    Duration::try_from_secs_f64(secs).map_err(|e| format!("`{text}`: {e}"))
}

fn main() -> ExitCode {
    let args = Args::parse();
    let mut users = Vec::new();
    for spec in &args.users {
        match User::parse(spec) {
            Ok(u) => users.push(u),
            Err(e) => {
                eprintln!("xenapi-sim: --user {e}");
                return ExitCode::from(2);
            }
        }
    }
    let Ok(max_body) = usize::try_from(args.max_body) else {
        eprintln!("xenapi-sim: --max-body {} does not fit this machine", args.max_body);
        return ExitCode::from(2);
    };
    let config = Config {
        users: users.clone(),
        fixture: args.fixture.clone(),
        state: args.state.clone(),
        session_idle: args.session_timeout,
        task_delay: Duration::from_millis(args.task_delay_ms),
        max_body,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("xenapi-sim: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    runtime.block_on(async move {
        let sim = match Sim::new(config) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("xenapi-sim: {e}");
                return ExitCode::from(2);
            }
        };
        let listener = match tokio::net::TcpListener::bind(args.listen).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("xenapi-sim: cannot listen on {}: {e}", args.listen);
                return ExitCode::from(1);
            }
        };
        let unix = match &args.unix {
            None => None,
            Some(path) => {
                if std::fs::symlink_metadata(path).is_ok_and(|m| {
                    use std::os::unix::fs::FileTypeExt;
                    m.file_type().is_socket()
                }) {
                    let _ = std::fs::remove_file(path);
                }
                match tokio::net::UnixListener::bind(path) {
                    Ok(l) => Some(l),
                    Err(e) => {
                        eprintln!("xenapi-sim: cannot listen on {}: {e}", path.display());
                        return ExitCode::from(1);
                    }
                }
            }
        };
        let addr = listener.local_addr().unwrap_or(args.listen);
        if !addr.ip().is_loopback() {
            eprintln!("xenapi-sim: warning: listening on {}, which is not a loopback address", addr.ip());
        }
        if users.is_empty() {
            println!("xenapi-sim: no --user given: accepting user root with password xenroot as pool-admin");
        }
        {
            let db = sim.sim_store().read();
            println!(
                "xenapi-sim: {} VMs ({} templates), {} hosts, {} SRs{}",
                db.count::<xenapi::VmRecord>(),
                db.all::<xenapi::VmRecord>().iter().filter(|(_, v)| v.is_a_template).count(),
                db.count::<xenapi::HostRecord>(),
                db.count::<xenapi::SrRecord>(),
                args.state.as_ref().map(|p| format!(", state in {}", p.display())).unwrap_or_default()
            );
        }
        println!("xenapi-sim: listening on http://{addr}/ (XML-RPC) and http://{addr}/jsonrpc (JSON-RPC)");
        if let Some(path) = &args.unix {
            println!("xenapi-sim: and on the Unix socket {}", path.display());
        }
        use std::io::Write;
        let _ = std::io::stdout().flush();
        match sim.serve_with_unix(listener, unix, shutdown_signal()).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("xenapi-sim: {e}");
                ExitCode::from(1)
            }
        }
    })
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
