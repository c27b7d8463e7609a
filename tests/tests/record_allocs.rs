//! What a decoded record costs the heap: a counting global allocator
//! around decoding (and freeing) the benchmark's 1,000 fully populated
//! VMs, in both protocols.
//!
//! The total is measured. Its split by kind (strings, map keys, map
//! values, map tables, set buffers) is worked out from the VM field types
//! in the model and the benchmark's values, with "does this string need
//! the heap" measured on the record string type itself; whatever the
//! measured total holds beyond that split (containers growing while they
//! are filled) is printed as "growth". Run with `--nocapture` to see the
//! table; the test holds the totals under a ceiling so that a change that
//! brings back per-field allocations fails here.

#[path = "../benches/common/mod.rs"]
mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use serde_json::Value;
use xenapi_rt::types::Str;
use xenapi_tests::model::{model, Ty};

/// Counts the allocations (new blocks and moved reallocations) and frees
/// made by the current thread; tests run on threads of their own, so
/// counts do not mix.
struct Counting;

thread_local! {
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
    static FREES: Cell<u64> = const { Cell::new(0) };
}

fn bump(c: &'static std::thread::LocalKey<Cell<u64>>) {
    // `try_with`: a thread being torn down may still free memory.
    let _ = c.try_with(|n| n.set(n.get() + 1));
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        bump(&ALLOCS);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        bump(&FREES);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        bump(&ALLOCS);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocs() -> u64 {
    ALLOCS.with(Cell::get)
}

fn frees() -> u64 {
    FREES.with(Cell::get)
}

/// Heap allocations made while running `f`, and what it returned.
fn counted<T>(f: impl FnOnce() -> T) -> (u64, T) {
    let before = allocs();
    let out = f();
    (allocs() - before, out)
}

/// Whether a record string holding `text` needs a heap block.
fn str_allocates(text: &str) -> bool {
    let (n, s) = counted(|| Str::from(text));
    drop(s);
    n > 0
}

/// Whether a `String` holding `text` needs one (for comparison).
fn string_allocates(text: &str) -> bool {
    let (n, s) = counted(|| String::from(text));
    drop(s);
    n > 0
}

/// Expected allocations of one record, by kind.
#[derive(Default, Debug)]
struct Split {
    strings: u64,
    map_keys: u64,
    map_values: u64,
    map_tables: u64,
    set_buffers: u64,
    set_items: u64,
}

impl Split {
    fn total(&self) -> u64 {
        self.strings + self.map_keys + self.map_values + self.map_tables + self.set_buffers + self.set_items
    }
}

/// Whether a string needs a heap block.
type Allocates = fn(&str) -> bool;

fn string_cost(v: &Value, allocates: Allocates) -> u64 {
    v.as_str().map_or(0, |s| u64::from(allocates(s)))
}

/// Adds what a value of type `ty` costs to `split`.
fn add(split: &mut Split, ty: &Ty, v: &Value, allocates: Allocates) {
    match (ty, v) {
        (Ty::Str, _) => split.strings += string_cost(v, allocates),
        (Ty::Set(inner), Value::Array(items)) => {
            split.set_buffers += u64::from(!items.is_empty());
            if **inner == Ty::Str {
                split.set_items += items.iter().map(|i| string_cost(i, allocates)).sum::<u64>();
            }
        }
        (Ty::Map(k, val), Value::Object(entries)) => {
            split.map_tables += u64::from(!entries.is_empty());
            for (key, value) in entries {
                if **k == Ty::Str {
                    split.map_keys += u64::from(allocates(key));
                }
                if **val == Ty::Str {
                    split.map_values += string_cost(value, allocates);
                }
            }
        }
        // References, enums, numbers, booleans and dates live inline.
        _ => {}
    }
}

/// The split over every VM of the benchmark reply.
fn split_of_reply(count: usize, allocates: Allocates) -> Split {
    let fields = model().class("VM");
    let reply = common::to_json(&common::all_records_value(count));
    let mut split = Split::default();
    for record in reply.as_object().expect("records by reference").values() {
        for f in fields {
            if let Some(v) = record.get(&f.name) {
                add(&mut split, &f.ty, v, allocates);
            }
        }
    }
    split
}

/// Allocations per VM the decoded reply may cost, at most; the split
/// printed by the test shows where they go.
const CEILING_PER_VM: u64 = 52;

#[test]
fn decoded_vm_records_cost_few_allocations() {
    const N: usize = common::VM_COUNT;
    let data = common::build(N);
    let split = split_of_reply(N, str_allocates);
    let per = |n: u64| n as f64 / N as f64;
    println!("expected allocations per VM by kind: {split:?} (sum {:.1})", per(split.total()));
    let strings = split_of_reply(N, string_allocates);
    println!("the same with `String` strings: {strings:?} (sum {:.1})", per(strings.total()));

    for (protocol, decode) in
        [("XML-RPC", common::decode_xml as fn(&[u8]) -> common::AllRecords), ("JSON-RPC", common::decode_json)]
    {
        let body = if protocol == "XML-RPC" { &data.xml } else { &data.json };
        let (n, records) = counted(|| decode(body));
        assert_eq!(records.len(), N);
        let freed_before = frees();
        drop(records);
        let freed = frees() - freed_before;
        println!(
            "{protocol}: {:.1} allocations per VM while decoding (growth and transient: {:.1}), {:.1} frees per VM when dropped",
            per(n),
            per(n.saturating_sub(split.total())),
            per(freed),
        );
        assert!(
            n <= CEILING_PER_VM * N as u64,
            "{protocol}: {:.1} allocations per decoded VM, ceiling {CEILING_PER_VM}",
            per(n)
        );
        assert!(freed <= n, "{protocol}: dropping the records freed more blocks ({freed}) than decoding made ({n})");
        // Maps, sets and unescaped text are allocated once, at their final
        // size: beyond the blocks the records keep, decoding makes only the
        // few that gather the 1,000 records before their table is built.
        assert!(
            n.saturating_sub(split.total()) <= 32,
            "{protocol}: {} allocations beyond the records' own: something grew while filled",
            n.saturating_sub(split.total())
        );
    }
}

#[test]
fn empty_containers_and_short_strings_stay_off_the_heap() {
    // The map hasher seeds itself once per process, with one allocation.
    drop(xenapi_rt::types::Map::<Str, Str>::new());
    let (n, _) = counted(|| (Str::from(""), Str::from("Running"), xenapi_rt::types::Map::<Str, Str>::new()));
    assert_eq!(n, 0, "an empty map, an empty and a short string allocate nothing");
    let (n, _) = counted(|| Str::from("a string that is clearly longer than any inline buffer"));
    assert_eq!(n, 1, "a long string takes one block");
}
