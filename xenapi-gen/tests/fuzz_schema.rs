//! Property test: real schema files, randomly broken, never make the
//! loader panic or hang, and whenever loading fails every diagnostic names
//! a file and (unless the problem is with the file as a whole) a line and
//! column that exist in it. Whenever a mutated schema still loads, every
//! backend renders it without panicking.
//!
//! Each case takes one real class file (VM, host, VIF, console, session or
//! VLAN, read from `/schema` at test time), sets it among stubs of the
//! classes it mentions (real names and the enums it uses, so that its
//! references resolve), next to the real api.yaml and releases.yaml and
//! the part of errors.yaml the class names, and applies a few random edits
//! to one of those files (most often the class): delete, duplicate, swap
//! or move lines, insert random bytes or YAML punctuation, change
//! indentation, replace or swap words, make typos, truncate.
//!
//! `XENAPI_FUZZ_CASES` sets the number of cases (default 2,000);
//! `PROPTEST_RNG_SEED` replays a run.

mod common;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_yaml::{Mapping, Value};
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use xenapi_gen::backend::Lang;

const CLASSES: &[&str] = &["VM", "host", "VIF", "console", "session", "VLAN"];

/// A schema directory around one real class: the class, stubs for just
/// the classes and enums it mentions, api.yaml, releases.yaml and the part
/// of errors.yaml it names. Cases edit it and put it back.
struct Base {
    dir: tempfile::TempDir,
    name: String,
    /// Unmutated text of each file, by path relative to `dir`; the real
    /// class first.
    files: Vec<(PathBuf, String)>,
}

fn get<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.as_mapping().and_then(|m| m.get(key))
}

/// A class with the real name of `real`, those of its enums that `wanted`
/// says are used, and its real fields named in `fields` (the set fields
/// the class under test declares as inverses), and nothing else.
fn stub(name: &str, real: Option<&Value>, wanted: &dyn Fn(&str) -> bool, fields: &BTreeSet<String>) -> String {
    let mut m = Mapping::new();
    m.insert("name".into(), name.into());
    m.insert("description".into(), "A stand-in so that references resolve.".into());
    m.insert("lifecycle".into(), Value::Sequence(vec!["published rio".into()]));
    let enums = real.and_then(|r| get(r, "enums")).and_then(Value::as_sequence);
    let used: Vec<Value> = enums
        .into_iter()
        .flatten()
        .filter(|e| get(e, "name").and_then(Value::as_str).is_some_and(wanted))
        .cloned()
        .collect();
    if !used.is_empty() {
        m.insert("enums".into(), Value::Sequence(used));
    }
    let real_fields = real.and_then(|r| get(r, "fields")).and_then(Value::as_sequence);
    let kept: Vec<Value> = real_fields
        .into_iter()
        .flatten()
        .filter(|f| get(f, "name").and_then(Value::as_str).is_some_and(|n| fields.contains(n)))
        .cloned()
        .collect();
    if !kept.is_empty() {
        m.insert("fields".into(), Value::Sequence(kept));
    }
    serde_yaml::to_string(&Value::Mapping(m)).unwrap()
}

/// The set fields of class `other` that fields of `class` declare as
/// their inverse (`type: OTHER ref`, `inverse: NAME`).
fn declared_inverses(class: Option<&Value>, other: &str) -> BTreeSet<String> {
    let fields = class.and_then(|c| get(c, "fields")).and_then(Value::as_sequence);
    fields
        .into_iter()
        .flatten()
        .filter(|f| get(f, "type").and_then(Value::as_str) == Some(&format!("{other} ref")))
        .filter_map(|f| get(f, "inverse").and_then(Value::as_str))
        .filter(|n| *n != "none")
        .map(String::from)
        .collect()
}

/// Keeps the items of errors.yaml whose code is in `keep`, or among the
/// first few, with their real text. Falls back to the whole file if its
/// layout is not the expected `  - code: X` blocks.
fn trim_errors(text: &str, keep: &BTreeSet<String>) -> String {
    let mut out = String::new();
    let mut kept = 0;
    let mut keeping = true;
    for line in text.split_inclusive('\n') {
        if let Some(code) = line.strip_prefix("  - code: ") {
            kept += 1;
            keeping = kept <= 5 || keep.contains(code.trim());
        }
        if keeping || !line.starts_with(' ') {
            out.push_str(line);
        }
    }
    if kept == 0 {
        return text.to_string();
    }
    out
}

/// One [`Base`] per class of [`CLASSES`], from the real schema as it is now.
fn bases() -> Vec<Base> {
    let schema = common::real_schema();
    let read = |p: &Path| fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let mut names: Vec<String> = fs::read_dir(schema.join("classes"))
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            (p.extension()? == "yaml").then(|| p.file_stem().unwrap().to_string_lossy().into_owned())
        })
        .collect();
    names.sort();
    let classes: Vec<(String, String, Option<Value>)> = names
        .into_iter()
        .map(|n| {
            let text = read(&schema.join("classes").join(format!("{n}.yaml")));
            let value = serde_yaml::from_str(&text).ok();
            (n, text, value)
        })
        .collect();
    let api = read(&schema.join("api.yaml"));
    let releases = read(&schema.join("releases.yaml"));
    let errors = read(&schema.join("errors.yaml"));

    let mut out = Vec::new();
    for (name, text, value) in classes.iter().filter(|(n, _, _)| CLASSES.contains(&n.as_str())) {
        let mut files = vec![(PathBuf::from("classes").join(format!("{name}.yaml")), text.clone())];
        for (other, _, other_value) in classes.iter().filter(|(o, _, _)| o != name) {
            let uses_enum = |e: &str| text.contains(&format!("enum {e}"));
            let stub = stub(other, other_value.as_ref(), &uses_enum, &declared_inverses(value.as_ref(), other));
            // The session class is always there: derived calls take a session.
            let mentioned = text.contains(&format!("{other} ref")) || text.contains(&format!("{other} record"));
            if mentioned || other == "session" || stub.contains("enums:") {
                files.push((PathBuf::from("classes").join(format!("{other}.yaml")), stub));
            }
        }
        let mut used_errors = BTreeSet::new();
        let messages = value.as_ref().and_then(|v| get(v, "messages")).and_then(Value::as_sequence);
        for m in messages.into_iter().flatten() {
            let names = get(m, "errors").and_then(Value::as_sequence);
            used_errors.extend(names.into_iter().flatten().filter_map(Value::as_str).map(String::from));
        }
        files.push(("api.yaml".into(), api.clone()));
        files.push(("releases.yaml".into(), releases.clone()));
        files.push(("errors.yaml".into(), trim_errors(&errors, &used_errors)));

        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("classes")).unwrap();
        for (f, t) in &files {
            fs::write(dir.path().join(f), t).unwrap();
        }
        out.push(Base { dir, name: name.clone(), files });
    }
    out
}

/// A position, taken modulo the length of what it indexes.
type Index = u32;

fn at(i: Index, len: usize) -> usize {
    i as usize % len
}

/// One random edit. Positions are taken modulo the size of the text at hand.
#[derive(Debug, Clone)]
enum Op {
    DeleteLine(Index),
    DuplicateLine(Index),
    SwapLines(Index, Index),
    MoveLine(Index, Index),
    InsertBytes(Index, Vec<u8>),
    InsertPunct(Index, &'static str),
    Indent(Index, i8),
    ReplaceWord(Index, String),
    SwapWords(Index, Index),
    Typo(Index, Index),
    DeleteRange(Index, u8),
    Truncate(Index),
}

const PUNCT: &[&str] = &[
    ":",
    ": ",
    "- ",
    "-",
    "[",
    "]",
    "{",
    "}",
    ",",
    "&a ",
    "*a",
    "!tag ",
    "!!str ",
    "|",
    ">",
    "'",
    "\"",
    "#",
    "---\n",
    "...\n",
    "? ",
    "\t",
    "%YAML 1.2\n",
    "<<: ",
    "\n",
    "  ",
    "~",
    "null",
    "true",
    "0x",
    "1e999",
    "\u{feff}",
    "é",
];

fn op() -> impl Strategy<Value = Op> {
    let ident = "[A-Za-z_][A-Za-z0-9_/-]{0,12}";
    prop_oneof![
        any::<u32>().prop_map(Op::DeleteLine),
        any::<u32>().prop_map(Op::DuplicateLine),
        (any::<u32>(), any::<u32>()).prop_map(|(a, b)| Op::SwapLines(a, b)),
        (any::<u32>(), any::<u32>()).prop_map(|(a, b)| Op::MoveLine(a, b)),
        (any::<u32>(), prop::collection::vec(any::<u8>(), 1..8)).prop_map(|(a, b)| Op::InsertBytes(a, b)),
        (any::<u32>(), prop::sample::select(PUNCT)).prop_map(|(a, p)| Op::InsertPunct(a, p)),
        (any::<u32>(), -4i8..=4).prop_map(|(a, d)| Op::Indent(a, d)),
        (any::<u32>(), ident).prop_map(|(a, w)| Op::ReplaceWord(a, w)),
        (any::<u32>(), any::<u32>()).prop_map(|(a, b)| Op::SwapWords(a, b)),
        (any::<u32>(), any::<u32>()).prop_map(|(a, b)| Op::Typo(a, b)),
        (any::<u32>(), 1u8..32).prop_map(|(a, n)| Op::DeleteRange(a, n)),
        any::<u32>().prop_map(Op::Truncate),
    ]
}

/// Byte ranges of the lines of `t`, each with its `\n`.
fn lines(t: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, b) in t.iter().enumerate() {
        if *b == b'\n' {
            out.push(start..i + 1);
            start = i + 1;
        }
    }
    if start < t.len() {
        out.push(start..t.len());
    }
    out
}

/// Byte ranges of the words (runs of ASCII letters, digits and `_`).
fn words(t: &[u8]) -> Vec<std::ops::Range<usize>> {
    let w = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut out = Vec::new();
    let mut i = 0;
    while i < t.len() {
        if w(t[i]) {
            let s = i;
            while i < t.len() && w(t[i]) {
                i += 1;
            }
            out.push(s..i);
        } else {
            i += 1;
        }
    }
    out
}

fn apply(t: &mut Vec<u8>, op: &Op) {
    let pos = |ix: &Index, len: usize| if len == 0 { 0 } else { at(*ix, len) };
    match op {
        Op::DeleteLine(i) => {
            let ls = lines(t);
            if !ls.is_empty() {
                t.drain(ls[at(*i, ls.len())].clone());
            }
        }
        Op::DuplicateLine(i) => {
            let ls = lines(t);
            if !ls.is_empty() {
                let r = ls[at(*i, ls.len())].clone();
                let copy = t[r.clone()].to_vec();
                t.splice(r.start..r.start, copy);
            }
        }
        Op::SwapLines(a, b) | Op::MoveLine(a, b) => {
            let ls = lines(t);
            if ls.len() < 2 {
                return;
            }
            let mut parts: Vec<Vec<u8>> = ls.iter().map(|r| t[r.clone()].to_vec()).collect();
            if let Some(last) = parts.last_mut() {
                if last.last() != Some(&b'\n') {
                    last.push(b'\n');
                }
            }
            let (x, y) = (at(*a, parts.len()), at(*b, parts.len()));
            if matches!(op, Op::SwapLines(..)) {
                parts.swap(x, y);
            } else {
                let line = parts.remove(x);
                parts.insert(y.min(parts.len()), line);
            }
            *t = parts.concat();
        }
        Op::InsertBytes(i, bytes) => {
            let at = pos(i, t.len() + 1);
            t.splice(at..at, bytes.iter().copied());
        }
        Op::InsertPunct(i, p) => {
            let at = pos(i, t.len() + 1);
            t.splice(at..at, p.bytes());
        }
        Op::Indent(i, d) => {
            let ls = lines(t);
            if ls.is_empty() {
                return;
            }
            let start = ls[at(*i, ls.len())].start;
            if *d > 0 {
                t.splice(start..start, std::iter::repeat_n(b' ', *d as usize));
            } else {
                let spaces = t[start..].iter().take(-*d as usize).take_while(|b| **b == b' ').count();
                t.drain(start..start + spaces);
            }
        }
        Op::ReplaceWord(i, w) => {
            let ws = words(t);
            if !ws.is_empty() {
                t.splice(ws[at(*i, ws.len())].clone(), w.bytes());
            }
        }
        Op::SwapWords(a, b) => {
            // Copies one word over another: real names in wrong places.
            let ws = words(t);
            if !ws.is_empty() {
                let from = t[ws[at(*a, ws.len())].clone()].to_vec();
                t.splice(ws[at(*b, ws.len())].clone(), from);
            }
        }
        Op::Typo(a, b) => {
            let ws = words(t);
            if !ws.is_empty() {
                let r = ws[at(*a, ws.len())].clone();
                let p = r.start + at(*b, r.len());
                if *b % 2 == 0 {
                    t.remove(p);
                } else {
                    let c = t[p];
                    t.insert(p, c);
                }
            }
        }
        Op::DeleteRange(i, n) => {
            let at = pos(i, t.len());
            let end = (at + *n as usize).min(t.len());
            t.drain(at..end);
        }
        Op::Truncate(i) => {
            let at = pos(i, t.len() + 1);
            t.truncate(at);
        }
    }
}

/// Messages for problems with a file as a whole, which have no line.
fn whole_file(message: &str) -> bool {
    ["the file is", "this is not a regular file", "cannot read the file", "cannot list", "invalid YAML"]
        .iter()
        .any(|p| message.starts_with(p))
}

#[derive(Debug, Clone)]
struct Case {
    class: Index,
    /// Which file to edit: the real class (most often) or another one.
    target: Index,
    ops: Vec<Op>,
    twice: bool,
}

fn case() -> impl Strategy<Value = Case> {
    (any::<u32>(), any::<u32>(), prop::collection::vec(op(), 1..6), prop::bool::weighted(0.05))
        .prop_map(|(class, target, ops, twice)| Case { class, target, ops, twice })
}

fn check(bases: &[Base], c: &Case) -> Result<(), TestCaseError> {
    let base = &bases[at(c.class, bases.len())];
    let dir = base.dir.path();
    // 70% the real class, 10% api.yaml, 10% releases.yaml, 5% errors.yaml,
    // 5% a stub (the files are: the class, the stubs, then those three).
    let n = base.files.len();
    let which = match c.target % 20 {
        0..=13 => 0,
        14 | 15 => n - 3,
        16 | 17 => n - 2,
        18 => n - 1,
        _ if n > 4 => 1 + at(c.target / 20, n - 4),
        _ => n - 1,
    };
    let (target, original) = &base.files[which];
    let mut text = original.as_bytes().to_vec();
    for op in &c.ops {
        apply(&mut text, op);
    }
    fs::write(dir.join(target), &text).unwrap();
    let outcome = load_and_check(dir, c.twice);
    // Put the base back for the next case.
    fs::write(dir.join(target), original).unwrap();
    outcome
}

fn load_and_check(dir: &Path, twice: bool) -> Result<(), TestCaseError> {
    let result = xenapi_gen::load_schema(dir);
    if twice {
        let again = xenapi_gen::load_schema(dir);
        prop_assert_eq!(result.as_ref().err(), again.as_ref().err(), "two loads differ");
    }
    let diags = match result {
        Ok(api) => {
            // A schema that loads is valid: every backend must render it.
            for lang in Lang::ALL {
                prop_assert!(!lang.backend()(&api).is_empty(), "{} wrote no files", lang);
            }
            return Ok(());
        }
        Err(diags) => diags,
    };
    prop_assert!(!diags.is_empty(), "loading failed without a diagnostic");
    let printed = diags.to_string();
    let mut previous: Option<&xenapi_gen::diag::Span> = None;
    for d in diags.iter() {
        let s = &d.span;
        prop_assert!(s.file.starts_with(dir) && s.file != dir, "no file: {}", d);
        prop_assert!(!d.message.is_empty(), "empty message at {}", s);
        if s.line == 0 {
            prop_assert!(whole_file(&d.message), "no line for a problem inside the file: {}", d);
        } else {
            prop_assert!(s.column > 0, "line without column: {}", d);
            // The place exists in the file as it was loaded (mutated).
            let n = fs::read(&s.file).unwrap_or_default().split(|b| *b == b'\n').count();
            prop_assert!(s.line <= n, "line {} past the end ({} lines): {}", s.line, n, d);
        }
        if let Some(p) = previous {
            prop_assert!(p <= s, "not sorted: {} after {}", s, p);
        }
        previous = Some(s);
    }
    let summary = format!("{} error{} found", diags.len(), if diags.len() == 1 { "" } else { "s" });
    prop_assert!(printed.ends_with(&summary), "the printed output does not end with `{}`", summary);
    Ok(())
}

#[test]
fn mutated_real_schema_files_give_located_diagnostics() {
    let bases = bases();
    assert!(!bases.is_empty(), "none of {CLASSES:?} is in the schema");
    // Unmutated, each base loads, so that the cases that survive their
    // edits reach the backends.
    for b in &bases {
        if let Err(d) = xenapi_gen::load_schema(b.dir.path()) {
            panic!("the unmutated base of {} does not load:\n{}", b.name, d.relative_to(b.dir.path()));
        }
    }

    let cases = std::env::var("XENAPI_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2_000);
    let config = Config { cases, failure_persistence: None, ..Config::default() };
    let start = std::time::Instant::now();
    let mut runner = TestRunner::new(config);
    let result = runner.run(&case(), |c| check(&bases, &c));
    eprintln!("{cases} cases in {:?}", start.elapsed());
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[test]
fn mutations_do_what_they_say() {
    let mut t = b"a: 1\nb: [x, y]\n".to_vec();
    apply(&mut t, &Op::DuplicateLine(0));
    assert_eq!(t, b"a: 1\na: 1\nb: [x, y]\n");
    apply(&mut t, &Op::DeleteLine(0));
    apply(&mut t, &Op::SwapLines(0, u32::MAX));
    assert_eq!(t, b"b: [x, y]\na: 1\n");
    apply(&mut t, &Op::Indent(u32::MAX, 2));
    assert_eq!(t, b"b: [x, y]\n  a: 1\n");
    apply(&mut t, &Op::Indent(u32::MAX, -4));
    assert_eq!(t, b"b: [x, y]\na: 1\n");
    apply(&mut t, &Op::ReplaceWord(0, "zz".into()));
    assert_eq!(t, b"zz: [x, y]\na: 1\n");
    apply(&mut t, &Op::Truncate(0));
    assert!(t.is_empty());
    // Edits of an empty text do nothing rather than panic.
    for op in [Op::DeleteLine(3), Op::SwapWords(1, 2), Op::DeleteRange(5, 3)] {
        apply(&mut t, &op);
    }
    assert!(t.is_empty());
}
