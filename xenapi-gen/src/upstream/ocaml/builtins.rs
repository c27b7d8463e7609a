//! The standard library functions the data model files call, written in Rust.
//!
//! Only what those files use: list, string, option and hash-table
//! functions, `Printf.sprintf`, `Scanf.sscanf` for version numbers,
//! comparisons and arithmetic, references, exceptions, the few `Date`
//! values used as defaults, and the empty `Backtrace` printed by
//! `Sexplib0.Sexp.to_string` (the default of `task.backtrace`).

use std::cell::RefCell;
use std::cmp::Ordering;
use std::rc::Rc;

use super::eval::{EResult, EvalError, Interp};
use super::value::{compare, ArgV, Builtin, BuiltinFn, Module, Site, Value};

const P1: &[&str] = &[""];
const P2: &[&str] = &["", ""];
const P3: &[&str] = &["", "", ""];
static NP: [&str; 16] = [""; 16];

/// The epoch as the data model's `Date` values print it.
const EPOCH: &str = "19700101T00:00:00Z";

fn def<'a>(m: &Rc<Module<'a>>, name: &'static str, params: &'static [&'static str], f: BuiltinFn) {
    m.values
        .borrow_mut()
        .insert(Rc::from(name), Value::Builtin(Rc::new(Builtin { name, params, f, applied: Vec::new() })));
}

fn sub<'a>(root: &Rc<Module<'a>>, name: &str) -> Rc<Module<'a>> {
    let m = Module::new(name, None);
    root.modules.borrow_mut().insert(Rc::from(name), m.clone());
    m
}

fn exn<'a>(name: &str, arg: Option<Value<'a>>) -> EvalError<'a> {
    EvalError::Raise(Value::Ctor(Rc::from(name), arg.map(Rc::new), Site { file: 0, line: 0 }))
}

fn failure<'a, T>(why: &str) -> Result<T, EvalError<'a>> {
    Err(exn("Failure", Some(Value::str(why))))
}

fn list<'a>(it: &mut Interp<'a>, v: &Value<'a>) -> Result<Rc<Vec<Value<'a>>>, EvalError<'a>> {
    match v {
        Value::List(l) => Ok(l.clone()),
        other => it.fail(format!("expected a list, got {}", other.kind())),
    }
}

fn string<'a>(it: &mut Interp<'a>, v: &Value<'a>) -> Result<Rc<str>, EvalError<'a>> {
    match v {
        Value::Str(s) => Ok(s.clone()),
        other => it.fail(format!("expected a string, got {}", other.kind())),
    }
}

fn int<'a>(it: &mut Interp<'a>, v: &Value<'a>) -> Result<i64, EvalError<'a>> {
    match v {
        Value::Int(i) => Ok(*i),
        other => it.fail(format!("expected an int, got {}", other.kind())),
    }
}

fn truth<'a>(it: &mut Interp<'a>, v: &Value<'a>) -> Result<bool, EvalError<'a>> {
    match v {
        Value::Bool(b) => Ok(*b),
        other => it.fail(format!("expected a bool, got {}", other.kind())),
    }
}

fn call1<'a>(it: &mut Interp<'a>, f: &Value<'a>, x: Value<'a>) -> EResult<'a> {
    it.apply(f.clone(), vec![ArgV::Pos(x)])
}

fn call2<'a>(it: &mut Interp<'a>, f: &Value<'a>, x: Value<'a>, y: Value<'a>) -> EResult<'a> {
    it.apply(f.clone(), vec![ArgV::Pos(x), ArgV::Pos(y)])
}

fn cmp<'a>(it: &mut Interp<'a>, a: &Value<'a>, b: &Value<'a>) -> Result<Ordering, EvalError<'a>> {
    match compare(a, b) {
        Some(o) => Ok(o),
        None => it.fail(format!("compares {} with {}", a.kind(), b.kind())),
    }
}

fn pair<'a>(it: &mut Interp<'a>, v: &Value<'a>) -> Result<(Value<'a>, Value<'a>), EvalError<'a>> {
    match v {
        Value::Tuple(t) if t.len() == 2 => Ok((t[0].clone(), t[1].clone())),
        other => it.fail(format!("expected a pair, got {}", other.kind())),
    }
}

/// Registers every builtin under `root` (unqualified ones directly, the rest in their modules).
pub fn install(root: &Rc<Module<'_>>) {
    stdlib(root);
    lists(&sub(root, "List"));
    strings(&sub(root, "String"));
    options(&sub(root, "Option"));
    tables(&sub(root, "Hashtbl"));
    let printf = sub(root, "Printf");
    def(&printf, "sprintf", P1, sprintf);
    let scanf = sub(root, "Scanf");
    def(&scanf, "sscanf", P3, sscanf);
    let int64 = sub(root, "Int64");
    int64.values.borrow_mut().insert(Rc::from("zero"), Value::Int(0));
    int64.values.borrow_mut().insert(Rc::from("one"), Value::Int(1));
    int64.values.borrow_mut().insert(Rc::from("max_int"), Value::Int(i64::MAX));
    int64.values.borrow_mut().insert(Rc::from("min_int"), Value::Int(i64::MIN));
    def(&int64, "of_int", P1, |_, a| Ok(a[0].clone()));
    def(&int64, "to_int", P1, |_, a| Ok(a[0].clone()));
    def(&int64, "to_string", P1, |it, a| Ok(Value::str(&int(it, &a[0])?.to_string())));
    def(&int64, "add", P2, |it, a| Ok(Value::Int(int(it, &a[0])?.wrapping_add(int(it, &a[1])?))));
    def(&int64, "sub", P2, |it, a| Ok(Value::Int(int(it, &a[0])?.wrapping_sub(int(it, &a[1])?))));
    def(&int64, "mul", P2, |it, a| Ok(Value::Int(int(it, &a[0])?.wrapping_mul(int(it, &a[1])?))));
    def(&int64, "div", P2, |it, a| match int(it, &a[1])? {
        0 => Err(exn("Division_by_zero", None)),
        d => Ok(Value::Int(int(it, &a[0])? / d)),
    });
    def(&int64, "of_string", P1, |it, a| {
        let s = string(it, &a[0])?;
        s.trim().parse().map(Value::Int).or_else(|_| failure("Int64.of_string"))
    });
    let date = sub(root, "Date");
    date.values.borrow_mut().insert(Rc::from("never"), Value::str(EPOCH));
    date.values.borrow_mut().insert(Rc::from("epoch"), Value::str(EPOCH));
    def(&date, "of_float", P1, |it, a| match a[0] {
        Value::Float(0.0) => Ok(Value::str(EPOCH)),
        _ => it.fail("Date.of_float is only known for 0."),
    });
    def(&date, "to_string", P1, |_, a| Ok(a[0].clone()));
    def(&sub(root, "Filename"), "concat", P2, |it, a| {
        Ok(Value::str(&format!("{}/{}", string(it, &a[0])?, string(it, &a[1])?)))
    });
    // an empty backtrace, as s-expression text: the default of task.backtrace
    let backtrace = sub(root, "Backtrace");
    backtrace.values.borrow_mut().insert(Rc::from("empty"), Value::list(Vec::new()));
    def(&backtrace, "sexp_of_t", P1, |it, a| match &a[0] {
        Value::List(l) if l.is_empty() => Ok(Value::str("()")),
        other => it.fail(format!("Backtrace.sexp_of_t is only known for the empty backtrace, not {}", other.kind())),
    });
    let sexp = Module::new("Sexp", None);
    sub(root, "Sexplib0").modules.borrow_mut().insert(Rc::from("Sexp"), sexp.clone());
    sub(root, "Sexplib").modules.borrow_mut().insert(Rc::from("Sexp"), sexp.clone());
    def(&sexp, "to_string", P1, |_, a| Ok(a[0].clone()));
    // Stdlib.Scanf.Scan_failure and friends are written with the Stdlib prefix too
    root.modules.borrow_mut().insert(Rc::from("Stdlib"), root.clone());
}

fn stdlib(m: &Rc<Module<'_>>) {
    def(m, "=", P2, |it, a| Ok(Value::Bool(cmp(it, &a[0], &a[1])? == Ordering::Equal)));
    def(m, "==", P2, |it, a| Ok(Value::Bool(cmp(it, &a[0], &a[1])? == Ordering::Equal)));
    def(m, "<>", P2, |it, a| Ok(Value::Bool(cmp(it, &a[0], &a[1])? != Ordering::Equal)));
    def(m, "!=", P2, |it, a| Ok(Value::Bool(cmp(it, &a[0], &a[1])? != Ordering::Equal)));
    def(m, "<", P2, |it, a| Ok(Value::Bool(cmp(it, &a[0], &a[1])? == Ordering::Less)));
    def(m, ">", P2, |it, a| Ok(Value::Bool(cmp(it, &a[0], &a[1])? == Ordering::Greater)));
    def(m, "<=", P2, |it, a| Ok(Value::Bool(cmp(it, &a[0], &a[1])? != Ordering::Greater)));
    def(m, ">=", P2, |it, a| Ok(Value::Bool(cmp(it, &a[0], &a[1])? != Ordering::Less)));
    def(m, "compare", P2, |it, a| Ok(Value::Int(cmp(it, &a[0], &a[1])? as i64)));
    def(m, "min", P2, |it, a| {
        Ok(if cmp(it, &a[0], &a[1])? == Ordering::Greater { a[1].clone() } else { a[0].clone() })
    });
    def(m, "max", P2, |it, a| Ok(if cmp(it, &a[0], &a[1])? == Ordering::Less { a[1].clone() } else { a[0].clone() }));
    def(m, "+", P2, |it, a| Ok(Value::Int(int(it, &a[0])?.wrapping_add(int(it, &a[1])?))));
    def(m, "-", P2, |it, a| Ok(Value::Int(int(it, &a[0])?.wrapping_sub(int(it, &a[1])?))));
    def(m, "*", P2, |it, a| Ok(Value::Int(int(it, &a[0])?.wrapping_mul(int(it, &a[1])?))));
    def(m, "/", P2, |it, a| match int(it, &a[1])? {
        0 => Err(exn("Division_by_zero", None)),
        d => Ok(Value::Int(int(it, &a[0])? / d)),
    });
    def(m, "mod", P2, |it, a| match int(it, &a[1])? {
        0 => Err(exn("Division_by_zero", None)),
        d => Ok(Value::Int(int(it, &a[0])? % d)),
    });
    def(m, "~-", P1, |it, a| match a[0] {
        Value::Float(x) => Ok(Value::Float(-x)),
        _ => Ok(Value::Int(-int(it, &a[0])?)),
    });
    def(m, "^", P2, |it, a| Ok(Value::str(&format!("{}{}", string(it, &a[0])?, string(it, &a[1])?))));
    def(m, "@", P2, |it, a| {
        let mut out = list(it, &a[0])?.as_ref().clone();
        out.extend(list(it, &a[1])?.iter().cloned());
        Ok(Value::list(out))
    });
    def(m, "|>", P2, |it, a| call1(it, &a[1], a[0].clone()));
    def(m, "@@", P2, |it, a| call1(it, &a[0], a[1].clone()));
    def(m, "not", P1, |it, a| Ok(Value::Bool(!truth(it, &a[0])?)));
    def(m, "fst", P1, |it, a| Ok(pair(it, &a[0])?.0));
    def(m, "snd", P1, |it, a| Ok(pair(it, &a[0])?.1));
    def(m, "ignore", P1, |_, _| Ok(Value::Unit));
    def(m, "failwith", P1, |_, a| Err(exn("Failure", Some(a[0].clone()))));
    def(m, "invalid_arg", P1, |_, a| Err(exn("Invalid_argument", Some(a[0].clone()))));
    def(m, "raise", P1, |_, a| Err(EvalError::Raise(a[0].clone())));
    def(m, "ref", P1, |_, a| Ok(Value::Ref(Rc::new(RefCell::new(a[0].clone())))));
    def(m, "!", P1, |it, a| match &a[0] {
        Value::Ref(r) => Ok(r.borrow().clone()),
        other => it.fail(format!("`!` on {}", other.kind())),
    });
    def(m, ":=", P2, |it, a| match &a[0] {
        Value::Ref(r) => {
            *r.borrow_mut() = a[1].clone();
            Ok(Value::Unit)
        }
        other => it.fail(format!("`:=` on {}", other.kind())),
    });
    def(m, "string_of_int", P1, |it, a| Ok(Value::str(&int(it, &a[0])?.to_string())));
    def(m, "string_of_bool", P1, |it, a| Ok(Value::str(&truth(it, &a[0])?.to_string())));
    def(m, "int_of_string", P1, |it, a| {
        let s = string(it, &a[0])?;
        s.trim().parse().map(Value::Int).or_else(|_| failure("int_of_string"))
    });
    def(m, "float_of_int", P1, |it, a| Ok(Value::Float(int(it, &a[0])? as f64)));
    def(m, "print_endline", P1, |_, _| Ok(Value::Unit));
}

fn lists(m: &Rc<Module<'_>>) {
    def(m, "map", P2, |it, a| {
        let l = list(it, &a[1])?;
        let mut out = Vec::with_capacity(l.len());
        for x in l.iter() {
            out.push(call1(it, &a[0], x.clone())?);
        }
        Ok(Value::list(out))
    });
    def(m, "mapi", P2, |it, a| {
        let l = list(it, &a[1])?;
        let mut out = Vec::with_capacity(l.len());
        for (i, x) in l.iter().enumerate() {
            out.push(call2(it, &a[0], Value::Int(i as i64), x.clone())?);
        }
        Ok(Value::list(out))
    });
    def(m, "iter", P2, |it, a| {
        for x in list(it, &a[1])?.iter() {
            call1(it, &a[0], x.clone())?;
        }
        Ok(Value::Unit)
    });
    def(m, "filter", P2, |it, a| {
        let mut out = Vec::new();
        for x in list(it, &a[1])?.iter() {
            let keep = call1(it, &a[0], x.clone())?;
            if truth(it, &keep)? {
                out.push(x.clone());
            }
        }
        Ok(Value::list(out))
    });
    def(m, "filter_map", P2, |it, a| {
        let mut out = Vec::new();
        for x in list(it, &a[1])?.iter() {
            if let Value::Ctor(n, Some(v), _) = call1(it, &a[0], x.clone())? {
                if &*n == "Some" {
                    out.push((*v).clone());
                }
            }
        }
        Ok(Value::list(out))
    });
    def(m, "concat_map", P2, |it, a| {
        let mut out = Vec::new();
        for x in list(it, &a[1])?.iter() {
            let r = call1(it, &a[0], x.clone())?;
            out.extend(list(it, &r)?.iter().cloned());
        }
        Ok(Value::list(out))
    });
    def(m, "fold_left", P3, |it, a| {
        let mut acc = a[1].clone();
        for x in list(it, &a[2])?.iter() {
            acc = call2(it, &a[0], acc, x.clone())?;
        }
        Ok(acc)
    });
    def(m, "fold_right", P3, |it, a| {
        let mut acc = a[2].clone();
        for x in list(it, &a[1])?.iter().rev() {
            acc = call2(it, &a[0], x.clone(), acc)?;
        }
        Ok(acc)
    });
    def(m, "concat", P1, concat);
    def(m, "flatten", P1, concat);
    def(m, "append", P2, |it, a| {
        let mut out = list(it, &a[0])?.as_ref().clone();
        out.extend(list(it, &a[1])?.iter().cloned());
        Ok(Value::list(out))
    });
    def(m, "rev", P1, |it, a| Ok(Value::list(list(it, &a[0])?.iter().rev().cloned().collect())));
    def(m, "length", P1, |it, a| Ok(Value::Int(list(it, &a[0])?.len() as i64)));
    def(m, "hd", P1, |it, a| list(it, &a[0])?.first().cloned().ok_or_else(|| exn("Failure", Some(Value::str("hd")))));
    def(m, "tl", P1, |it, a| match list(it, &a[0])?.split_first() {
        Some((_, rest)) => Ok(Value::list(rest.to_vec())),
        None => failure("tl"),
    });
    def(m, "nth", P2, |it, a| {
        let i = int(it, &a[1])?;
        list(it, &a[0])?.get(i as usize).cloned().ok_or_else(|| exn("Failure", Some(Value::str("nth"))))
    });
    def(m, "mem", P2, |it, a| {
        for x in list(it, &a[1])?.iter() {
            if cmp(it, x, &a[0])? == Ordering::Equal {
                return Ok(Value::Bool(true));
            }
        }
        Ok(Value::Bool(false))
    });
    def(m, "exists", P2, |it, a| {
        for x in list(it, &a[1])?.iter() {
            let r = call1(it, &a[0], x.clone())?;
            if truth(it, &r)? {
                return Ok(Value::Bool(true));
            }
        }
        Ok(Value::Bool(false))
    });
    def(m, "for_all", P2, |it, a| {
        for x in list(it, &a[1])?.iter() {
            let r = call1(it, &a[0], x.clone())?;
            if !truth(it, &r)? {
                return Ok(Value::Bool(false));
            }
        }
        Ok(Value::Bool(true))
    });
    def(m, "find", P2, |it, a| find(it, a).and_then(|r| r.ok_or_else(|| exn("Not_found", None))));
    def(m, "find_opt", P2, |it, a| Ok(find(it, a)?.map_or_else(Value::none, Value::some)));
    def(m, "assoc", P2, |it, a| assoc(it, a).and_then(|r| r.ok_or_else(|| exn("Not_found", None))));
    def(m, "assoc_opt", P2, |it, a| Ok(assoc(it, a)?.map_or_else(Value::none, Value::some)));
    def(m, "mem_assoc", P2, |it, a| Ok(Value::Bool(assoc(it, a)?.is_some())));
    def(m, "sort", P2, sort);
    def(m, "stable_sort", P2, sort);
    def(m, "init", P2, |it, a| {
        let n = int(it, &a[0])?;
        let mut out = Vec::new();
        for i in 0..n.max(0) {
            out.push(call1(it, &a[1], Value::Int(i))?);
        }
        Ok(Value::list(out))
    });
}

fn concat<'a>(it: &mut Interp<'a>, a: Vec<Value<'a>>) -> EResult<'a> {
    let mut out = Vec::new();
    for l in list(it, &a[0])?.iter() {
        out.extend(list(it, l)?.iter().cloned());
    }
    Ok(Value::list(out))
}

fn find<'a>(it: &mut Interp<'a>, a: Vec<Value<'a>>) -> Result<Option<Value<'a>>, EvalError<'a>> {
    for x in list(it, &a[1])?.iter() {
        let r = call1(it, &a[0], x.clone())?;
        if truth(it, &r)? {
            return Ok(Some(x.clone()));
        }
    }
    Ok(None)
}

fn assoc<'a>(it: &mut Interp<'a>, a: Vec<Value<'a>>) -> Result<Option<Value<'a>>, EvalError<'a>> {
    for x in list(it, &a[1])?.iter() {
        let (k, v) = pair(it, x)?;
        if cmp(it, &k, &a[0])? == Ordering::Equal {
            return Ok(Some(v));
        }
    }
    Ok(None)
}

fn sort<'a>(it: &mut Interp<'a>, a: Vec<Value<'a>>) -> EResult<'a> {
    let mut items = list(it, &a[1])?.as_ref().clone();
    // insertion sort: stable, and every comparison goes through the OCaml function
    for i in 1..items.len() {
        let mut j = i;
        while j > 0 {
            let c = call2(it, &a[0], items[j - 1].clone(), items[j].clone())?;
            if int(it, &c)? <= 0 {
                break;
            }
            items.swap(j - 1, j);
            j -= 1;
        }
    }
    Ok(Value::list(items))
}

fn strings(m: &Rc<Module<'_>>) {
    def(m, "concat", P2, |it, a| {
        let sep = string(it, &a[0])?;
        let mut parts = Vec::new();
        for x in list(it, &a[1])?.iter() {
            parts.push(string(it, x)?.to_string());
        }
        Ok(Value::str(&parts.join(&sep)))
    });
    def(m, "length", P1, |it, a| Ok(Value::Int(string(it, &a[0])?.len() as i64)));
    def(m, "lowercase_ascii", P1, |it, a| Ok(Value::str(&string(it, &a[0])?.to_ascii_lowercase())));
    def(m, "uppercase_ascii", P1, |it, a| Ok(Value::str(&string(it, &a[0])?.to_ascii_uppercase())));
    def(m, "capitalize_ascii", P1, |it, a| {
        let s = string(it, &a[0])?;
        let mut c = s.chars();
        Ok(Value::str(&match c.next() {
            Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
            None => String::new(),
        }))
    });
    def(m, "split_on_char", P2, |it, a| {
        let Value::Char(c) = a[0] else { return it.fail("split_on_char needs a char") };
        let s = string(it, &a[1])?;
        Ok(Value::list(s.split(c).map(Value::str).collect()))
    });
    def(m, "equal", P2, |it, a| Ok(Value::Bool(string(it, &a[0])? == string(it, &a[1])?)));
    def(m, "compare", P2, |it, a| Ok(Value::Int(cmp(it, &a[0], &a[1])? as i64)));
    def(m, "starts_with", &["prefix", ""], |it, a| {
        Ok(Value::Bool(string(it, &a[1])?.starts_with(&*string(it, &a[0])?)))
    });
    def(m, "sub", P3, |it, a| {
        let s = string(it, &a[0])?;
        let (from, len) = (int(it, &a[1])?, int(it, &a[2])?);
        match s.get(from.max(0) as usize..(from + len).max(0) as usize) {
            Some(t) if from >= 0 && len >= 0 => Ok(Value::str(t)),
            _ => Err(exn("Invalid_argument", Some(Value::str("String.sub")))),
        }
    });
}

fn options(m: &Rc<Module<'_>>) {
    def(m, "value", &["", "default"], |_, a| Ok(unwrap_some(&a[0]).unwrap_or_else(|| a[1].clone())));
    def(m, "get", P1, |_, a| {
        unwrap_some(&a[0]).ok_or_else(|| exn("Invalid_argument", Some(Value::str("option is None"))))
    });
    def(m, "is_some", P1, |_, a| Ok(Value::Bool(unwrap_some(&a[0]).is_some())));
    def(m, "is_none", P1, |_, a| Ok(Value::Bool(unwrap_some(&a[0]).is_none())));
    def(m, "map", P2, |it, a| match unwrap_some(&a[1]) {
        Some(v) => Ok(Value::some(call1(it, &a[0], v)?)),
        None => Ok(Value::none()),
    });
    def(m, "iter", P2, |it, a| {
        if let Some(v) = unwrap_some(&a[1]) {
            call1(it, &a[0], v)?;
        }
        Ok(Value::Unit)
    });
}

fn unwrap_some<'a>(v: &Value<'a>) -> Option<Value<'a>> {
    match v {
        Value::Ctor(n, Some(x), _) if &**n == "Some" => Some((**x).clone()),
        _ => None,
    }
}

fn tables(m: &Rc<Module<'_>>) {
    def(m, "create", P1, |_, _| Ok(Value::Table(Rc::new(RefCell::new(Vec::new())))));
    def(m, "add", P3, |it, a| match &a[0] {
        Value::Table(t) => {
            t.borrow_mut().push((a[1].clone(), a[2].clone()));
            Ok(Value::Unit)
        }
        other => it.fail(format!("Hashtbl.add on {}", other.kind())),
    });
    def(m, "replace", P3, |it, a| match &a[0] {
        Value::Table(t) => {
            let mut t = t.borrow_mut();
            t.retain(|(k, _)| compare(k, &a[1]) != Some(Ordering::Equal));
            t.push((a[1].clone(), a[2].clone()));
            Ok(Value::Unit)
        }
        other => it.fail(format!("Hashtbl.replace on {}", other.kind())),
    });
    def(m, "find", P2, |it, a| table_find(it, &a).and_then(|r| r.ok_or_else(|| exn("Not_found", None))));
    def(m, "find_opt", P2, |it, a| Ok(table_find(it, &a)?.map_or_else(Value::none, Value::some)));
    def(m, "mem", P2, |it, a| Ok(Value::Bool(table_find(it, &a)?.is_some())));
    def(m, "length", P1, |it, a| match &a[0] {
        Value::Table(t) => Ok(Value::Int(t.borrow().len() as i64)),
        other => it.fail(format!("Hashtbl.length on {}", other.kind())),
    });
}

fn table_find<'a>(it: &mut Interp<'a>, a: &[Value<'a>]) -> Result<Option<Value<'a>>, EvalError<'a>> {
    match &a[0] {
        // the newest binding of a key wins, as in OCaml
        Value::Table(t) => Ok(t
            .borrow()
            .iter()
            .rev()
            .find(|(k, _)| compare(k, &a[1]) == Some(Ordering::Equal))
            .map(|(_, v)| v.clone())),
        other => it.fail(format!("Hashtbl lookup on {}", other.kind())),
    }
}

/// The conversions of a format string: (flag text, conversion char).
fn conversions(fmt: &str) -> Vec<(String, char)> {
    let mut out = Vec::new();
    let mut chars = fmt.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            continue;
        }
        let mut flags = String::new();
        for d in chars.by_ref() {
            if d.is_ascii_alphabetic() && d != 'L' && d != 'l' && d != 'n' || d == '%' || d == '!' {
                out.push((flags, d));
                break;
            }
            flags.push(d);
        }
    }
    out
}

fn sprintf<'a>(it: &mut Interp<'a>, a: Vec<Value<'a>>) -> EResult<'a> {
    let fmt = string(it, &a[0])?;
    let n = conversions(&fmt).iter().filter(|(_, c)| *c != '%' && *c != '!').count();
    if n >= NP.len() {
        return it.fail("format with too many conversions");
    }
    let f: BuiltinFn = format_now;
    let b = Builtin { name: "Printf.sprintf", params: &NP[..n + 1], f, applied: vec![ArgV::Pos(a[0].clone())] };
    if n == 0 {
        return format_now(it, vec![a[0].clone()]);
    }
    Ok(Value::Builtin(Rc::new(b)))
}

fn format_now<'a>(it: &mut Interp<'a>, a: Vec<Value<'a>>) -> EResult<'a> {
    let fmt = string(it, &a[0])?;
    let mut args = a[1..].iter();
    let mut out = String::new();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut conv = None;
        for d in chars.by_ref() {
            if d.is_ascii_alphabetic() && d != 'L' && d != 'l' && d != 'n' || d == '%' || d == '!' {
                conv = Some(d);
                break;
            }
        }
        let Some(conv) = conv else { return it.fail("format ends inside a conversion") };
        if conv == '%' {
            out.push('%');
            continue;
        }
        if conv == '!' {
            continue;
        }
        let Some(v) = args.next() else { return it.fail("format has more conversions than arguments") };
        match (conv, v) {
            ('s', Value::Str(s)) => out.push_str(s),
            ('S', Value::Str(s)) => out.push_str(&format!("{s:?}")),
            ('d' | 'i' | 'u', Value::Int(i)) => out.push_str(&i.to_string()),
            ('f' | 'g', Value::Float(x)) => out.push_str(&x.to_string()),
            ('b' | 'B', Value::Bool(b)) => out.push_str(&b.to_string()),
            ('c', Value::Char(ch)) => out.push(*ch),
            (c, v) => return it.fail(format!("format %{c} with {}", v.kind())),
        }
    }
    Ok(Value::str(&out))
}

/// `Scanf.sscanf s fmt k` for `%d`, `%_d`, `%s` and `%!` formats.
fn sscanf<'a>(it: &mut Interp<'a>, a: Vec<Value<'a>>) -> EResult<'a> {
    let s = string(it, &a[0])?;
    let fmt = string(it, &a[1])?;
    let scan_failure = || exn("Scan_failure", Some(Value::str("input does not match the format")));
    let mut input = s.chars().peekable();
    let mut fmt_chars = fmt.chars().peekable();
    let mut values = Vec::new();
    while let Some(c) = fmt_chars.next() {
        if c != '%' {
            if input.next() != Some(c) {
                return Err(scan_failure());
            }
            continue;
        }
        let skip = fmt_chars.peek() == Some(&'_');
        if skip {
            fmt_chars.next();
        }
        match fmt_chars.next() {
            Some('!') => {
                if input.peek().is_some() {
                    return Err(scan_failure());
                }
            }
            Some('d') => {
                let mut digits = String::new();
                if input.peek() == Some(&'-') {
                    digits.push('-');
                    input.next();
                }
                while let Some(d) = input.peek().copied().filter(char::is_ascii_digit) {
                    digits.push(d);
                    input.next();
                }
                let n: i64 = digits.parse().map_err(|_| scan_failure())?;
                if !skip {
                    values.push(Value::Int(n));
                }
            }
            Some('s') => {
                let rest: String = input.by_ref().take_while(|c| !c.is_whitespace()).collect();
                if !skip {
                    values.push(Value::str(&rest));
                }
            }
            other => return it.fail(format!("Scanf conversion {other:?} is not known")),
        }
    }
    let args = values.into_iter().map(ArgV::Pos).collect();
    it.apply(a[2].clone(), args)
}
