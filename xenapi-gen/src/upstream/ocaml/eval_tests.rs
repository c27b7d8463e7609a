//! The interpreter on small snippets.

use super::ast::Located;
use super::eval::Interp;
use super::lex::lex;
use super::parse::parse_file;
use super::value::Value;

/// Loads `src` as module `M` and returns the printed value of `result`, or the failure.
fn run(src: &str) -> Result<String, String> {
    let (items, errs) = parse_file(lex(src).map_err(|e| e.message)?);
    if let Some(e) = errs.first() {
        return Err(format!("parse: {}: {}", e.line, e.message));
    }
    let items: &'static [Located] = Box::leak(items.into_boxed_slice());
    let mut it = Interp::new();
    let m = it.load("m.ml", "M", false, items);
    match m.export("result") {
        Some(Value::Poison(why)) => Err(why.to_string()),
        Some(v) => Ok(show(&v)),
        None => Err("no result".into()),
    }
}

fn show(v: &Value<'_>) -> String {
    match v {
        Value::Int(i) => i.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Str(s) => format!("{s:?}"),
        Value::Unit => "()".into(),
        Value::List(l) => format!("[{}]", l.iter().map(show).collect::<Vec<_>>().join("; ")),
        Value::Tuple(t) => format!("({})", t.iter().map(show).collect::<Vec<_>>().join(", ")),
        Value::Ctor(n, None, _) => n.to_string(),
        Value::Ctor(n, Some(a), _) => format!("{n} {}", show(a)),
        Value::Record(fs, _) => {
            format!("{{{}}}", fs.iter().map(|(n, v)| format!("{n}={}", show(v))).collect::<Vec<_>>().join("; "))
        }
        other => other.kind().to_string(),
    }
}

#[test]
fn optional_arguments_take_their_defaults() {
    let src = "let f ~name ?(doc = \"none\") ?since () = (name, doc, since)\n\
               let result = [f ~name:\"a\" (); f ~doc:\"d\" ~name:\"b\" ~since:3 (); f ?doc:(Some \"e\") ~name:\"c\" ()]";
    assert_eq!(run(src).unwrap(), r#"[("a", "none", None); ("b", "d", Some 3); ("c", "e", None)]"#);
}

#[test]
fn partial_application_and_labels_in_any_order() {
    let src = "let g ~x y z = x - y * z\nlet h = g 1\nlet result = h 2 ~x:10";
    assert_eq!(run(src).unwrap(), "8");
}

#[test]
fn append_cons_and_list_functions() {
    let src = "let result = List.map (fun x -> x * 2) ([1] @ 2 :: [3]) |> List.filter (fun x -> x > 2)";
    assert_eq!(run(src).unwrap(), "[4; 6]");
}

#[test]
fn records_with_update_and_match() {
    let src = "type t = {a: int; b: string}\n\
               let r = {a= 1; b= \"x\"}\n\
               let s = {r with b= \"y\"}\n\
               let result = match s with {a= 2; _} -> \"two\" | {b= \"y\"; a} when a = 1 -> \"one y\" | _ -> \"other\"";
    assert_eq!(run(src).unwrap(), "\"one y\"");
}

#[test]
fn modules_opens_and_recursion() {
    let src = "module M = struct let rec len = function [] -> 0 | _ :: t -> 1 + len t end\n\
               open M\nlet result = len [1; 2; 3] + M.len []";
    assert_eq!(run(src).unwrap(), "3");
}

#[test]
fn exceptions_are_caught_and_formats_printed() {
    let src = "let find x = try Some (List.find (fun y -> y = x) [1; 2]) with Not_found -> None\n\
               let result = (find 2, find 5, Printf.sprintf \"%s-%d\" \"v\" 7)";
    assert_eq!(run(src).unwrap(), "(Some 2, None, \"v-7\")");
}

#[test]
fn a_failing_binding_poisons_only_what_uses_it() {
    let src = "let bad = Unknown_module.value\nlet fine = 1\nlet result = bad";
    let err = run(src).unwrap_err();
    assert!(err.contains("m.ml:1") && err.contains("Unknown_module"), "{err}");
    assert_eq!(run("let bad = Unknown_module.value\nlet result = 2").unwrap(), "2");
}

#[test]
fn records_remember_the_call_site_outside_helpers() {
    let (items, _) = parse_file(lex("let mk ~n () = {n}").unwrap());
    let helper: &'static [Located] = Box::leak(items.into_boxed_slice());
    let (items, _) = parse_file(lex("\n\nlet result = H.mk ~n:1 ()").unwrap());
    let user: &'static [Located] = Box::leak(items.into_boxed_slice());
    let mut it = Interp::new();
    it.load("h.ml", "H", true, helper);
    let m = it.load("u.ml", "U", false, user);
    let Some(Value::Record(_, site)) = m.export("result") else { panic!("no record") };
    assert_eq!((it.files[site.file].as_str(), site.line), ("u.ml", 3));
}
