//! The state file (`--state FILE`): lines, appended and synced per
//! transaction, compacted by writing a fresh file and renaming it over.
//!
//! ```text
//! {"xenapi_sim_state":2}
//! 118 9f3c0d2a7b11e4c5 {"g":42,"t":[{"c":"VM","r":"OpaqueRef:…","v":{…record…}}]}
//! ```
//!
//! The first line names the format and its version. Every other line is one
//! committed transaction: the byte length of its JSON, the FNV-1a 64-bit
//! hash of that JSON in 16 hex digits, and the JSON itself, where `g` is the
//! generation after the transaction and `t` the objects it wrote (`v` is
//! the whole record, or `null` for a deletion). Replaying the lines in order
//! gives the state.
//!
//! Reading is strict: a line whose length or hash does not match, that is
//! not the expected JSON, that names an unknown class or holds a record of
//! the wrong shape stops the start-up with its line number. The only line
//! that may be incomplete is the last one when the file does not end with
//! a newline and the line is shorter than it says: a write cut short
//! before it was acknowledged. That line is skipped, and copied to
//! `FILE.torn-N` before the file is next rewritten. An empty file and
//! anything but a regular file are refused. Version 1 files (the same
//! lines without length and hash) are still read, and rewritten as
//! version 2 at start-up.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

const HEADER_KEY: &str = "xenapi_sim_state";
const VERSION: u64 = 2;
/// The previous format: the same JSON lines without length and hash.
const VERSION_UNCHECKED: u64 = 1;

/// FNV-1a, 64 bits: any change of a single byte changes it (each step is
/// a bijection of the running hash).
fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

/// One record line: length, hash, JSON, newline.
fn encode_line(line: &Line) -> std::io::Result<Vec<u8>> {
    Ok(record_line(&serde_json::to_vec(line).map_err(std::io::Error::other)?))
}

/// The record line, with its newline, that holds `json` (a transaction
/// as `{"g":…,"t":[…]}`).
pub fn record_line(json: &[u8]) -> Vec<u8> {
    let mut out = format!("{} {:016x} ", json.len(), fnv1a64(json)).into_bytes();
    out.extend_from_slice(json);
    out.push(b'\n');
    out
}

/// What is wrong with a record line, or the JSON it holds.
fn decode_line(line: &[u8]) -> Result<&[u8], String> {
    let mut parts = line.splitn(3, |&b| b == b' ');
    let (Some(len), Some(hash), Some(json)) = (parts.next(), parts.next(), parts.next()) else {
        return Err("not a record line (length, hash and JSON expected)".into());
    };
    let len: usize = std::str::from_utf8(len)
        .ok()
        .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|t| t.parse().ok())
        .ok_or("the length is not a number")?;
    let hash = std::str::from_utf8(hash)
        .ok()
        .filter(|t| t.len() == 16 && t.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
        .and_then(|t| u64::from_str_radix(t, 16).ok())
        .ok_or("the hash is not 16 hex digits")?;
    if json.len() != len {
        return Err(format!("the line says {len} bytes of JSON but holds {}", json.len()));
    }
    if fnv1a64(json) != hash {
        return Err("the hash does not match: the line is damaged".into());
    }
    Ok(json)
}

/// Whether a last line without its newline is a write cut short: a prefix
/// of a record line, shorter than the length it gives.
fn is_torn(tail: &[u8]) -> bool {
    let Some(sp) = tail.iter().position(|&b| b == b' ') else {
        return tail.iter().all(u8::is_ascii_digit);
    };
    let Some(len) =
        std::str::from_utf8(&tail[..sp]).ok().filter(|t| !t.is_empty()).and_then(|t| t.parse::<usize>().ok())
    else {
        return false;
    };
    // The rest: up to 16 hex digits, a space, then less than `len` bytes.
    tail.len() - sp - 1 < 16 + 1 + len
}

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
        let line = encode_line(&Line { g: gen, t: ops.to_vec() })?;
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
            let line = encode_line(&Line { g: gen, t: chunk.to_vec() })?;
            size += line.len() as u64;
            out.write_all(&line)?;
        }
        if ops.is_empty() {
            // Keep the generation even when there is nothing else.
            out.write_all(&encode_line(&Line { g: gen, t: Vec::new() })?)?;
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
    /// Line number, generation and objects of each transaction.
    pub lines: Vec<(usize, u64, Vec<Op>)>,
    /// A cut-short last line that was skipped, as it was on disk.
    pub torn_tail: Option<Vec<u8>>,
}

/// Reads a state file. `Ok(None)` when there is no file.
pub fn load(path: &Path) -> Result<Option<Loaded>, String> {
    let shown = path.display();
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => {}
        Ok(_) => return Err(format!("state file {shown} is not a regular file")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot open state file {shown}: {e}")),
    }
    let mut bytes = Vec::new();
    File::open(path)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(|e| format!("cannot read state file {shown}: {e}"))?;
    if bytes.is_empty() {
        return Err(format!("state file {shown} is empty, so it holds no state (remove it to start from the fixture)"));
    }
    let bad = |line: usize, why: String| format!("state file {shown} is not readable (line {line}): {why}");
    let header_end = bytes.iter().position(|&b| b == b'\n').ok_or_else(|| bad(1, "no header line".into()))?;
    let version = match std::str::from_utf8(&bytes[..header_end]) {
        Ok(h) if h == format!("{{\"{HEADER_KEY}\":{VERSION}}}") => VERSION,
        Ok(h) if h == format!("{{\"{HEADER_KEY}\":{VERSION_UNCHECKED}}}") => VERSION_UNCHECKED,
        _ => {
            match serde_json::from_slice::<Value>(&bytes[..header_end]).ok().and_then(|h| h.get(HEADER_KEY).cloned()) {
                Some(v) => {
                    return Err(bad(1, format!("state format version {v}; this simulator reads versions 1 and 2")))
                }
                None => return Err(bad(1, "not a xenapi-sim state file (no header line)".into())),
            }
        }
    };
    let mut out = Loaded { gen: 0, lines: Vec::new(), torn_tail: None };
    let mut lineno = 1;
    let mut pos = header_end + 1;
    while pos < bytes.len() {
        lineno += 1;
        let rest = &bytes[pos..];
        let Some(n) = rest.iter().position(|&b| b == b'\n') else {
            // The process died while writing this transaction, before it
            // was acknowledged.
            if version == VERSION && !is_torn(rest) {
                return Err(bad(lineno, "the last line is damaged (it is complete but has no newline)".into()));
            }
            out.torn_tail = Some(rest.to_vec());
            break;
        };
        let line = &rest[..n];
        pos += n + 1;
        let json = if version == VERSION {
            decode_line(line).map_err(|why| bad(lineno, why))?
        } else if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        } else {
            line
        };
        let l: Line = serde_json::from_slice(json).map_err(|e| bad(lineno, e.to_string()))?;
        out.gen = out.gen.max(l.g);
        out.lines.push((lineno, l.g, l.t));
    }
    Ok(Some(out))
}

/// Copies a skipped cut-short line next to the state file, as
/// `FILE.torn-N` with the first N not taken; returns where.
pub fn keep_torn(path: &Path, tail: &[u8]) -> std::io::Result<PathBuf> {
    for n in 1..10_000 {
        let mut name = path.as_os_str().to_owned();
        name.push(format!(".torn-{n}"));
        let aside = PathBuf::from(name);
        match OpenOptions::new().write(true).create_new(true).open(&aside) {
            Ok(mut f) => {
                f.write_all(tail)?;
                f.sync_all()?;
                return Ok(aside);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("too many .torn-N files already"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_line_reads_back_and_every_single_byte_change_is_caught() {
        let line = encode_line(&Line { g: 7, t: Vec::new() }).unwrap();
        let body = &line[..line.len() - 1];
        assert_eq!(decode_line(body).unwrap(), br#"{"g":7,"t":[]}"#);
        for i in 0..body.len() {
            for flip in [0x01u8, 0x20, 0x80] {
                let mut damaged = body.to_vec();
                damaged[i] ^= flip;
                assert!(decode_line(&damaged).is_err(), "byte {i} ^ {flip:#x}");
            }
        }
    }

    #[test]
    fn only_a_short_prefix_is_torn() {
        let line = encode_line(&Line { g: 7, t: Vec::new() }).unwrap();
        let body = &line[..line.len() - 1];
        for cut in 0..body.len() {
            assert!(is_torn(&body[..cut]), "cut at {cut}");
        }
        assert!(!is_torn(body));
        assert!(!is_torn(&[body, b"x"].concat()));
    }
}
