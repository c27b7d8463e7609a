//! `--state FILE`: every acknowledged write survives `kill -9`, and state
//! that cannot be read is refused and left as it was.

use crate::common;

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use xenapi::{Protocol, SrRecord, VdiRecord, VmRecord};

/// What the writers were told succeeded.
#[derive(Default)]
struct Acked {
    tags: BTreeSet<String>,
    disks: BTreeSet<String>,
    /// Per writer: the last description acknowledged, and the one in flight.
    descriptions: HashMap<usize, (Option<u64>, u64)>,
}

async fn writer(url: String, id: usize, acked: Arc<Mutex<Acked>>) {
    let Ok(s) = login(&url, Protocol::XmlRpc, "root", "xenroot").await else { return };
    let Ok(db) = s.vm().get_by_name_label("db-01").await else { return };
    let db = db[0].clone();
    let sr = s.sr().get_by_name_label("NFS storage").await.unwrap()[0].clone();
    for i in 0u64.. {
        let result = match i % 3 {
            0 => {
                let tag = format!("w{id}-{i}");
                s.vm().add_tags(&db, &tag).await.map(|()| acked.lock().unwrap().tags.insert(tag))
            }
            1 => {
                let name = format!("disk-w{id}-{i}");
                let rec = VdiRecord {
                    name_label: name.as_str().into(),
                    sr: sr.clone(),
                    virtual_size: 1 << 20,
                    ..Default::default()
                };
                s.vdi().create(&rec).await.map(|_| acked.lock().unwrap().disks.insert(name))
            }
            _ => {
                acked.lock().unwrap().descriptions.entry(id).or_insert((None, i)).1 = i;
                let vm = s.vm().get_by_name_label("web-01").await.map(|v| v[0].clone());
                match vm {
                    Ok(vm) => s
                        .vm()
                        .add_to_other_config(&vm, &format!("w{id}"), &i.to_string())
                        .await
                        .or_else(|e| if e.api().is_some() { Ok(()) } else { Err(e) })
                        .and(s.vm().remove_from_other_config(&vm, &format!("w{id}")).await)
                        .and(s.vm().set_name_description(&vm, &format!("w{id}-{i}")).await)
                        .map(|()| {
                            acked.lock().unwrap().descriptions.get_mut(&id).unwrap().0 = Some(i);
                            true
                        }),
                    Err(e) => Err(e),
                }
            }
        };
        if result.is_err() {
            // The server is gone.
            return;
        }
    }
}

fn check_state(url: &str, acked: &Acked) -> usize {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let s = root(url, Protocol::JsonRpc(xenapi_rt::jsonrpc::Version::V2)).await;
        let vms = s.vm().get_all_records().await.unwrap();
        let db: &VmRecord = vms.values().find(|v| v.name_label == "db-01").unwrap();
        let tags: BTreeSet<String> = db.tags.iter().map(Str::to_string).collect();
        let lost: Vec<_> = acked.tags.difference(&tags).collect();
        assert!(lost.is_empty(), "acknowledged tags lost: {lost:?}");
        let vdis = s.vdi().get_all_records().await.unwrap();
        let names: BTreeSet<String> = vdis.values().map(|v| v.name_label.to_string()).collect();
        let lost: Vec<_> = acked.disks.difference(&names).collect();
        assert!(lost.is_empty(), "acknowledged disks lost: {lost:?}");
        let web = vms.values().find(|v| v.name_label == "web-01").unwrap();
        for (id, (last, in_flight)) in &acked.descriptions {
            if let Some(last) = last {
                if web.name_description.starts_with(&format!("w{id}-")) {
                    let n: u64 = web.name_description.rsplit('-').next().unwrap().parse().unwrap();
                    assert!(
                        n >= *last && n <= *in_flight,
                        "description {} older than acknowledged {last}",
                        web.name_description
                    );
                }
            }
        }
        // The restored objects are consistent: relations and SR accounting.
        let srs = s.sr().get_all_records().await.unwrap();
        for (r, sr) in &srs {
            let mine: Vec<_> = vdis.iter().filter(|(_, v)| &v.sr == r).collect();
            assert_eq!(mine.len(), sr.vdis.len(), "{}", sr.name_label);
            let used: i64 = mine.iter().map(|(_, v)| v.physical_utilisation).sum();
            let sr: &SrRecord = sr;
            assert_eq!(used, sr.physical_utilisation, "{}", sr.name_label);
        }
        for (r, v) in &vms {
            for vbd in &v.vbds {
                assert_eq!(&s.vbd().get_vm(vbd).await.unwrap(), r);
            }
        }
        acked.tags.len() + acked.disks.len()
    })
}

#[test]
fn acknowledged_writes_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.jsonl");
    let state_arg = state.to_str().unwrap();
    let acked = Arc::new(Mutex::new(Acked::default()));
    let mut total = 0;
    for (round, run_for) in [700u64, 1100, 300].into_iter().enumerate() {
        let mut sim = Process::spawn(&["--state", state_arg, "--task-delay-ms", "0"]).expect("starts");
        if round > 0 {
            // What was acknowledged before the last kill is all there.
            check_state(&sim.url, &acked.lock().unwrap());
        }
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let writers: Vec<_> =
            (0..4).map(|id| rt.spawn(writer(sim.url.clone(), round * 10 + id, acked.clone()))).collect();
        std::thread::sleep(Duration::from_millis(run_for));
        sim.kill9();
        for w in writers {
            let _ = rt.block_on(w);
        }
        let a = acked.lock().unwrap();
        assert!(a.tags.len() + a.disks.len() > total, "round {round}: the writers made no progress");
        total = a.tags.len() + a.disks.len();
    }
    let sim = Process::spawn(&["--state", state_arg]).expect("restarts");
    let checked = check_state(&sim.url, &acked.lock().unwrap());
    eprintln!("{checked} acknowledged writes all found after three kill -9s");
}

#[test]
fn unreadable_state_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.jsonl");
    let arg = path.to_str().unwrap();

    // Not a state file at all.
    std::fs::write(&path, b"hello, I am a text file\n").unwrap();
    let (code, err) = Process::spawn(&["--state", arg]).err().expect("refused");
    assert_eq!(code, Some(2));
    assert!(err.contains("not a xenapi-sim state file"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), b"hello, I am a text file\n");

    // A real state file with one damaged line in the middle.
    std::fs::remove_file(&path).unwrap();
    {
        let sim = Process::spawn(&["--state", arg]).expect("starts");
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let s = root(&sim.url, Protocol::XmlRpc).await;
            let db = s.vm().get_by_name_label("db-01").await.unwrap()[0].clone();
            for i in 0..3 {
                s.vm().add_tags(&db, &format!("t{i}")).await.unwrap();
            }
        });
    }
    let good = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = good.lines().collect();
    assert!(lines.len() >= 4, "{good}");
    let mut damaged: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    let mid = lines.len() - 2;
    damaged[mid] = damaged[mid].replacen("\"t\":[", "\"t\":[[", 1);
    let damaged = damaged.join("\n") + "\n";
    std::fs::write(&path, &damaged).unwrap();
    let (code, err) = Process::spawn(&["--state", arg]).err().expect("refused");
    assert_eq!(code, Some(2));
    assert!(err.contains(&format!("line {}", mid + 1)), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), damaged);

    // A last line cut short (the process died writing it) is skipped, and
    // kept aside when the file is rewritten.
    let last = format!("{}\n", lines[lines.len() - 1]);
    assert!(last.is_ascii());
    let tail = &last[..last.len() / 2];
    let torn = good.clone() + tail;
    std::fs::write(&path, &torn).unwrap();
    let sim = Process::spawn(&["--state", arg]).expect("starts despite a torn tail");
    assert!(
        sim.stderr.lock().unwrap().contains("cut short") || {
            std::thread::sleep(Duration::from_millis(200));
            sim.stderr.lock().unwrap().contains("cut short")
        }
    );
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let s = root(&sim.url, Protocol::XmlRpc).await;
        let db = s.vm().get_by_name_label("db-01").await.unwrap()[0].clone();
        let tags = s.vm().get_tags(&db).await.unwrap();
        assert!(["t0", "t1", "t2"].iter().all(|t| tags.iter().any(|x| x == t)), "{tags:?}");
    });
    let aside = dir.path().join("state.jsonl.torn-1");
    assert_eq!(std::fs::read_to_string(&aside).unwrap(), tail);
}

/// A state file of one small fixture, as the simulator writes it.
fn small_state(dir: &std::path::Path) -> (std::path::PathBuf, Vec<u8>) {
    let fixture = dir.join("small.yaml");
    std::fs::write(&fixture, "objects:\n  - class: VM\n    fields: {name_label: small, tags: [a, b]}\n").unwrap();
    let state = dir.join("small.state");
    let config =
        || xenapi_sim::Config { fixture: Some(fixture.clone()), state: Some(state.clone()), ..Default::default() };
    drop(xenapi_sim::Sim::new(config()).expect("starts"));
    let bytes = std::fs::read(&state).unwrap();
    assert!(bytes.len() > 500, "{}", String::from_utf8_lossy(&bytes));
    (state, bytes)
}

#[test]
fn every_flipped_byte_is_refused_naming_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let (state, good) = small_state(dir.path());
    let config = || xenapi_sim::Config { state: Some(state.clone()), ..Default::default() };
    let line_of = |pos: usize| 1 + good[..pos].iter().filter(|&&b| b == b'\n').count();
    let mut refused = 0;
    for pos in 0..good.len() {
        for flip in [0x01u8, 0x42, 0x80] {
            let mut bad = good.clone();
            bad[pos] ^= flip;
            std::fs::write(&state, &bad).unwrap();
            let err = match xenapi_sim::Sim::new(config()) {
                Err(e) => e,
                Ok(_) => panic!("a flip of byte {pos} (^{flip:#x}) was accepted"),
            };
            // The line named is the flipped one, or the one after when the
            // flip made a newline out of another byte or the reverse.
            let line = line_of(pos);
            assert!(
                err.contains(&format!("line {line})")) || err.contains(&format!("line {})", line + 1)),
                "byte {pos} on line {line}: {err}"
            );
            assert_eq!(std::fs::read(&state).unwrap(), bad, "a refused file was changed");
            refused += 1;
        }
    }
    eprintln!("{refused} damaged copies of a {}-byte state file, all refused", good.len());
}

#[test]
fn empty_unknown_misshapen_and_special_state_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (state, good) = small_state(dir.path());
    let arg = state.to_str().unwrap();
    let header = &good[..good.iter().position(|&b| b == b'\n').unwrap() + 1];

    // Empty: refused, and not overwritten from the fixture.
    std::fs::write(&state, b"").unwrap();
    let (code, err) = Process::spawn(&["--state", arg]).err().expect("refused");
    assert_eq!(code, Some(2));
    assert!(err.contains("empty"), "{err}");
    assert_eq!(std::fs::read(&state).unwrap(), b"");

    // An unknown class, and records of the wrong shape, on line 3.
    for (json, why) in [
        (r#"{"g":9,"t":[{"c":"Nope","r":"OpaqueRef:x","v":{}}]}"#, "unknown class"),
        (r#"{"g":9,"t":[{"c":"VM","r":"OpaqueRef:x","v":{"name_label":5}}]}"#, "VM OpaqueRef:x"),
        (r#"{"g":9,"t":5}"#, "invalid type"),
    ] {
        let first = &good[..good.iter().skip(header.len()).position(|&b| b == b'\n').unwrap() + header.len() + 1];
        let file = [first, &xenapi_sim::persist::record_line(json.as_bytes())[..]].concat();
        std::fs::write(&state, &file).unwrap();
        let (code, err) = Process::spawn(&["--state", arg]).err().expect("refused");
        assert_eq!(code, Some(2), "{err}");
        assert!(err.contains("(line 3)") && err.contains(why), "{json}: {err}");
    }

    // A FIFO (or anything but a regular file) is refused at once.
    std::fs::remove_file(&state).unwrap();
    let made = std::process::Command::new("mkfifo").arg(&state).status().unwrap();
    assert!(made.success());
    let (code, err) = Process::spawn(&["--state", arg]).err().expect("refused");
    assert_eq!(code, Some(2));
    assert!(err.contains("not a regular file"), "{err}");
    std::fs::remove_file(&state).unwrap();
    std::fs::create_dir(&state).unwrap();
    let (code, err) = Process::spawn(&["--state", arg]).err().expect("refused");
    assert_eq!(code, Some(2));
    assert!(err.contains("not a regular file"), "{err}");

    // The previous format (no length or hash) is still read, and rewritten.
    std::fs::remove_dir(&state).unwrap();
    let mut old = b"{\"xenapi_sim_state\":1}\n".to_vec();
    for line in good.split(|&b| b == b'\n').skip(1).filter(|l| !l.is_empty()) {
        let json = line.splitn(3, |&b| b == b' ').nth(2).unwrap();
        old.extend_from_slice(json);
        old.push(b'\n');
    }
    std::fs::write(&state, &old).unwrap();
    drop(Process::spawn(&["--state", arg]).expect("reads version 1"));
    assert!(std::fs::read(&state).unwrap().starts_with(b"{\"xenapi_sim_state\":2}\n"));
}
