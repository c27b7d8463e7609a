//! The state file (`--state FILE`): JSON lines, appended and synced per
//! transaction, compacted by writing a fresh file and renaming it over.
//!
//! ```text
//! {"xenapi_sim_state":1}
//! {"g":42,"t":[{"c":"VM","r":"OpaqueRef:…","v":{…record…}},{"c":"VBD","r":"OpaqueRef:…","v":null}]}
//! ```
//!
//! The first line identifies the file. Every other line is one committed
//! transaction: `g` is the generation after it, `t` the objects it wrote
//! (`v` is the whole record, or `null` for a deletion). Replaying the lines
//! in order gives the state. A last line without its newline is a write
//! that was cut short (the process died before acknowledging it) and is
//! skipped; anything else that cannot be read stops the start-up.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

const HEADER_KEY: &str = "xenapi_sim_state";
const VERSION: u64 = 1;

/// One written object: its class, reference and record (`None`: deleted).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Op {
    #[serde(rename = "c")]
    pub class: String,
    pub r: String,
    pub v: Option<Value>,
}

#[derive(Serialize, Deserialize)]
struct Line {
    g: u64,
    t: Vec<Op>,
}

/// The open state file.
pub struct Log {
    path: PathBuf,
    file: Option<File>,
    appended: u64,
    base: u64,
}

impl Log {
    /// A log for `path`; nothing is written until [`Log::compact`].
    pub fn new(path: &Path) -> Self {
        Log { path: path.to_path_buf(), file: None, appended: 0, base: 0 }
    }

    /// Appends one transaction and syncs it to disk.
    pub fn append(&mut self, gen: u64, ops: &[Op]) -> std::io::Result<()> {
        let file = self.file.as_mut().ok_or_else(|| std::io::Error::other("state file not open"))?;
        let mut line = serde_json::to_vec(&Line { g: gen, t: ops.to_vec() }).map_err(std::io::Error::other)?;
        line.push(b'\n');
        file.write_all(&line)?;
        file.sync_data()?;
        self.appended += line.len() as u64;
        Ok(())
    }

    /// Whether the appended lines outweigh the compacted state enough to
    /// rewrite the file.
    pub fn wants_compaction(&self) -> bool {
        self.appended > (64 << 20).max(self.base * 2)
    }

    /// Writes the whole state to a new file, syncs it and renames it over
    /// the old one, then appends to it.
    pub fn compact(&mut self, gen: u64, ops: &[Op]) -> std::io::Result<()> {
        let tmp = self.path.with_extension("tmp-compact");
        let mut out = std::io::BufWriter::new(File::create(&tmp)?);
        let mut size = 0u64;
        let header = format!("{{\"{HEADER_KEY}\":{VERSION}}}\n");
        out.write_all(header.as_bytes())?;
        for chunk in ops.chunks(64) {
            let mut line = serde_json::to_vec(&Line { g: gen, t: chunk.to_vec() }).map_err(std::io::Error::other)?;
            line.push(b'\n');
            size += line.len() as u64;
            out.write_all(&line)?;
        }
        if ops.is_empty() {
            // Keep the generation even when there is nothing else.
            let line = format!("{{\"g\":{gen},\"t\":[]}}\n");
            out.write_all(line.as_bytes())?;
        }
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, &self.path)?;
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
        }
        self.file = Some(OpenOptions::new().append(true).open(&self.path)?);
        self.appended = 0;
        self.base = size;
        Ok(())
    }
}

/// What a state file holds: transactions in order.
pub struct Loaded {
    pub gen: u64,
    pub lines: Vec<(u64, Vec<Op>)>,
    /// Whether a cut-short last line was skipped.
    pub torn_tail: bool,
}

/// Reads a state file. `Ok(None)` when there is no file or it is empty.
pub fn load(path: &Path) -> Result<Option<Loaded>, String> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot open state file {}: {e}", path.display())),
    };
    let mut reader = BufReader::new(file);
    let mut first = Vec::new();
    reader.read_until(b'\n', &mut first).map_err(|e| format!("cannot read state file {}: {e}", path.display()))?;
    if first.is_empty() {
        return Ok(None);
    }
    let bad = |line: usize, why: String| format!("state file {} is not readable (line {line}): {why}", path.display());
    let header: Value = serde_json::from_slice(&first).map_err(|e| bad(1, format!("not a xenapi-sim state file ({e})")))?;
    match header.get(HEADER_KEY).and_then(Value::as_u64) {
        Some(VERSION) => {}
        Some(v) => return Err(bad(1, format!("state format version {v}; this simulator reads version {VERSION}"))),
        None => return Err(bad(1, "not a xenapi-sim state file (no header line)".into())),
    }
    let mut out = Loaded { gen: 0, lines: Vec::new(), torn_tail: false };
    let mut rest = Vec::new();
    reader.read_to_end(&mut rest).map_err(|e| format!("cannot read state file {}: {e}", path.display()))?;
    let mut lineno = 1;
    let mut pos = 0;
    while pos < rest.len() {
        lineno += 1;
        let (line, complete) = match rest[pos..].iter().position(|&b| b == b'\n') {
            Some(n) => (&rest[pos..pos + n], true),
            None => (&rest[pos..], false),
        };
        pos += line.len() + 1;
        if !complete {
            // The process died while writing this transaction, before it
            // was acknowledged.
            out.torn_tail = true;
            break;
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let l: Line = serde_json::from_slice(line).map_err(|e| bad(lineno, e.to_string()))?;
        out.gen = out.gen.max(l.g);
        out.lines.push((l.g, l.t));
    }
    Ok(Some(out))
}
