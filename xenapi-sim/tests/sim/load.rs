//! Load: 16 concurrent clients, half on each protocol, making a mix of
//! reads and writes against the 10,000-VM fixture, with zero errors;
//! prints calls/s and the simulator's peak memory.
//!
//! Every `cargo test` runs it with 1,000 calls per client: the same shape
//! (every client at once, the whole fixture, the same mix) at a size a
//! debug build gets through in seconds. The figures in the README are
//! measured at 10,000 calls per client in a release build:
//!
//!     XENAPI_SIM_LOAD_CALLS=10000 cargo test --release -p xenapi-sim --test sim -- load:: --nocapture

use crate::common;

use std::time::{Duration, Instant};

use common::*;
use xenapi::{Protocol, VmRef};

const CLIENTS: usize = 16;

/// Calls per client: `XENAPI_SIM_LOAD_CALLS`, or 1,000.
fn calls_per_client() -> usize {
    match std::env::var("XENAPI_SIM_LOAD_CALLS") {
        Err(_) => 1_000,
        Ok(v) => match v.parse() {
            Ok(n) if n >= 2 => n,
            _ => panic!("XENAPI_SIM_LOAD_CALLS must be a whole number of calls per client, 2 or more (got {v:?})"),
        },
    }
}

async fn client(url: String, protocol: Protocol, seed: u64, calls_each: usize) -> (usize, usize, Duration) {
    let s = root(&url, protocol).await;
    let vms: Vec<VmRef> = s.vm().get_all().await.expect("get_all");
    assert!(vms.len() > 10_000);
    let host = s.host().get_all().await.unwrap().remove(0);
    let mut rng = seed | 1;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let (mut calls, mut errors, mut worst) = (2, 0, Duration::ZERO);
    for i in 0..calls_each - 2 {
        let vm = &vms[(next() % vms.len() as u64) as usize];
        let t0 = Instant::now();
        let ok = match next() % 20 {
            0..=7 => s.vm().get_record(vm).await.is_ok(),
            8..=11 => s.vm().get_power_state(vm).await.is_ok(),
            12..=14 => s.vm().get_name_label(vm).await.is_ok(),
            15 => {
                let uuid = s.vm().get_uuid(vm).await;
                matches!(uuid, Ok(u) if s.vm().get_by_uuid(&u).await.ok().as_ref() == Some(vm))
            }
            16 => s.host().get_record(&host).await.is_ok(),
            17 => s.vm().get_vbds(vm).await.is_ok(),
            _ => s.vm().set_name_description(vm, &format!("touched by client {seed} call {i}")).await.is_ok(),
        };
        worst = worst.max(t0.elapsed());
        calls += 1;
        if !ok {
            errors += 1;
        }
    }
    (calls, errors, worst)
}

fn peak_memory_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn sixteen_clients_on_ten_thousand_vms() {
    let calls_each = calls_per_client();
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/load-10k.yaml");
    let t0 = Instant::now();
    let sim = Process::spawn(&["--fixture", fixture]).expect("starts");
    let startup = t0.elapsed();
    let pid = sim.child.id();
    let after_load = peak_memory_kib(pid);

    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let started = Instant::now();
    let results: Vec<_> = rt.block_on(async {
        let tasks: Vec<_> = (0..CLIENTS)
            .map(|i| {
                let protocol =
                    if i % 2 == 0 { Protocol::XmlRpc } else { Protocol::JsonRpc(xenapi_rt::jsonrpc::Version::V2) };
                tokio::spawn(client(sim.url.clone(), protocol, 0x5eed + i as u64, calls_each))
            })
            .collect();
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.unwrap());
        }
        out
    });
    let elapsed = started.elapsed();
    let calls: usize = results.iter().map(|r| r.0).sum();
    let errors: usize = results.iter().map(|r| r.1).sum();
    let worst = results.iter().map(|r| r.2).max().unwrap();
    let peak = peak_memory_kib(pid);
    println!(
        "load: {CLIENTS} clients x {calls_each} calls = {calls} calls in {elapsed:.2?}: {:.0} calls/s, {errors} errors, slowest call {worst:.1?}",
        calls as f64 / elapsed.as_secs_f64()
    );
    println!(
        "load: simulator start-up with the 10,000-VM fixture {startup:.2?}; peak memory {} MiB after loading, {} MiB at the end",
        after_load.map_or("?".into(), |k| (k / 1024).to_string()),
        peak.map_or("?".into(), |k| (k / 1024).to_string())
    );
    assert_eq!(errors, 0);
    assert_eq!(calls, CLIENTS * calls_each);
}
