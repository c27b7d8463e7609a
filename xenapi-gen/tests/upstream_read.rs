//! The reader of xapi's data model sources, on a tiny checkout written here:
//! a few lines per file in the shape of xen-api's `ocaml/idl` and
//! `ocaml/xapi-consts`, with made-up classes.

use std::path::Path;

use xenapi_gen::upstream::read::read;

const TYPES: &str = r#"
let rel_rio = "rio"
let rel_boston = "boston"
type api_release = {code_name: string option; branding: string; release_date: string option}
let release_order_full =
  [ {code_name= Some rel_rio; branding= "Product One"; release_date= Some "2007"}
  ; {code_name= None; branding= "Never shipped"; release_date= None}
  ; {code_name= Some rel_boston; branding= "Product Two"; release_date= None} ]
type ty = String | Int | Enum of string * (string * string) list | Set of ty | Ref of string
[@@deriving rpc]
module Lifecycle = struct
  type change = Prototyped | Published | Deprecated
  let from transitions = {transitions}
end
"#;

const LIFECYCLE: &str = r#"
let prototyped_of_class = function "widget" -> Some "1.2.0" | _ -> None
let prototyped_of_field = function
  | "widget", "size" -> Some "1.3.0"
  | _ -> None
let prototyped_of_message = function _ -> None
"#;

const API_ERRORS: &str = "let widget_broken = \"WIDGET_BROKEN\"\nlet widget_gone = {|WIDGET_GONE|}\n";

const ERRORS: &str = r#"
(* a table of declared errors, "as in xapi" *)
let errors = Hashtbl.create 10
let error name params ?(doc = "") () =
  Hashtbl.add errors name {err_name= name; err_params= params; err_doc= doc}
let _ =
  error Api_errors.widget_broken ["widget"; "reason"] ~doc:"made up" () ;
  error Api_errors.widget_gone [] () ;
  ()
"#;

const COMMON: &str = r#"
open Datamodel_types
let release_of r = {internal= ["closed"; r]}
let rio_release = release_of rel_rio
let boston_release = release_of rel_boston
let call ~name ?(params = []) ?versioned_params ?(lifecycle = []) ?(errs = []) ?result
    ?(hide_from_docs = false) ~allowed_roles () =
  let published = match lifecycle with (_, r, _) :: _ -> r | [] -> rel_rio in
  { msg_name= name
  ; msg_params=
      ( match versioned_params with
      | Some ps -> ps
      | None ->
          List.map
            (fun (t, n, d) -> {param_type= t; param_name= n; param_doc= d; param_release= release_of published; param_default= None})
            params )
  ; msg_result= result; msg_session= true; msg_db_only= false; msg_tag= Custom
  ; msg_release= release_of published; msg_lifecycle= Lifecycle.from lifecycle
  ; msg_errors= List.map (Hashtbl.find Datamodel_errors.errors) errs
  ; msg_allowed_roles= allowed_roles; msg_hide_from_docs= hide_from_docs }
let field ?(qualifier = RW) ?(ty = String) ?(default_value = None) ?(internal_only = false)
    ?(lifecycle = [(Lifecycle.Published, rel_rio, "")]) name _doc =
  Field {full_name= [name]; ty; qualifier; lifecycle= Lifecycle.from lifecycle; default_value; internal_only}
let namespace ~name ~contents () =
  let prefix = function Field f -> Field {f with full_name= name :: f.full_name} | other -> other in
  Namespace (name, List.map prefix contents)
let create_obj ~name ?(lifecycle = []) ~contents ~messages ~in_db ~persist ~allowed_roles () =
  { name; obj_lifecycle= Lifecycle.from lifecycle; contents; messages; in_database= in_db; persist
  ; gen_constructor_destructor= true; gen_events= true; obj_allowed_roles= allowed_roles }
"#;

const DATAMODEL: &str = r#"
open Datamodel_types
open Datamodel_common
module Widget = struct
  let colour = Enum ("widget_colour", [("red", "a colour"); ("blue", {|another "one"|})])
  let paint =
    call ~name:"paint" ~allowed_roles:(Some ["pool-admin"])
      ~lifecycle:[(Lifecycle.Published, rel_rio, "")]
      ~versioned_params:
        [ {param_type= Ref "widget"; param_name= "self"; param_doc= ""; param_release= rio_release; param_default= None}
        ; {param_type= Int; param_name= "coats"; param_doc= ""; param_release= boston_release; param_default= Some (VInt 2L)} ]
      ~errs:Api_errors.[widget_broken]
      ~result:(colour, "the new colour") ()
  let secret = call ~name:"secret" ~hide_from_docs:true ~allowed_roles:None ()
  let t =
    create_obj ~name:"widget" ~in_db:true ~persist:PersistEverything ~allowed_roles:(Some ["pool-admin"; "read-only"])
      ~contents:
        ( [ field ~qualifier:DynamicRO "uuid" "id"
          ; field ~ty:Int ~default_value:(Some (VInt 0L)) ~lifecycle:[(Lifecycle.Published, rel_boston, "")] "size" "how big" ]
        @ [ namespace ~name:"name" ~contents:[field ~default_value:(Some (VString "")) "label" "a name"] ()
          ; field ~ty:(Set colour) ~qualifier:StaticRO "colours" "paints" ] )
      ~messages:[paint; secret] ()
end
module Gadget = struct
  let t =
    create_obj ~name:"gadget" ~in_db:true ~persist:PersistNothing ~allowed_roles:None
      ~lifecycle:[(Lifecycle.Published, rel_rio, "")]
      ~contents:[field ~ty:(Frobnicated 3) "odd" "a type no reader knows"]
      ~messages:[] ()
end
let oops = ( 1 +
let all_system = [Widget.t; Gadget.t]
"#;

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn checkout() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "ocaml/idl/datamodel_types.ml", TYPES);
    write(root, "ocaml/idl/datamodel_lifecycle.ml", LIFECYCLE);
    write(root, "ocaml/idl/datamodel_errors.ml", ERRORS);
    write(root, "ocaml/idl/datamodel_common.ml", COMMON);
    write(root, "ocaml/idl/datamodel.ml", DATAMODEL);
    write(root, "ocaml/xapi-consts/api_errors.ml", API_ERRORS);
    // a consumer of the model: never loaded, so its odd syntax is not reported
    write(root, "ocaml/idl/datamodel_main.ml", "let () = Datamodel.all_system |> ((((\n");
    dir
}

#[test]
fn reads_classes_fields_messages_and_lifecycles() {
    let dir = checkout();
    let r = read(dir.path()).expect("a checkout");
    let widget = r.facts.classes.iter().find(|c| c.name == "widget").expect("widget");

    // `~lifecycle:[]` and a table entry: a prototyped transition
    let steps: Vec<_> =
        widget.lifecycle.transitions.iter().map(|t| (t.transition.as_str(), t.release.as_str())).collect();
    assert_eq!(steps, [("prototyped", "1.2.0")]);

    let names: Vec<_> = widget.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["uuid", "size", "name_label", "colours"]);
    let size = &widget.fields[1];
    assert_eq!((size.ty.as_str(), size.qualifier.as_str(), size.default.as_deref()), ("int", "RW", Some("0")));
    let steps: Vec<_> =
        size.lifecycle.transitions.iter().map(|t| (t.transition.as_str(), t.release.as_str())).collect();
    assert_eq!(steps, [("prototyped", "1.3.0"), ("published", "boston")]);
    assert_eq!(widget.fields[2].default.as_deref(), Some("\"\""));
    assert_eq!(widget.fields[3].ty, "enum widget_colour set");
    assert_eq!(widget.fields[3].qualifier, "RO/constructor");
    assert_eq!(
        widget.fields[0].origin.as_ref().map(|o| (o.file.as_str(), o.line)),
        Some(("ocaml/idl/datamodel.ml", 18))
    );

    // messages last to first, as the export lists them
    let names: Vec<_> = widget.messages.iter().map(|m| (m.name.as_str(), m.internal)).collect();
    assert_eq!(names, [("secret", true), ("paint", false)]);
    let paint = &widget.messages[1];
    assert_eq!(paint.result, "enum widget_colour");
    assert_eq!(paint.errors, ["WIDGET_BROKEN"]);
    assert_eq!(paint.roles, ["pool-admin"]);
    let params: Vec<_> = paint
        .params
        .iter()
        .map(|p| (p.name.as_str(), p.ty.as_str(), p.default.as_deref(), p.since.as_deref()))
        .collect();
    assert_eq!(
        params,
        [
            ("session_id", "session ref", None, None),
            ("self", "widget ref", None, None),
            ("coats", "int", Some("2"), Some("boston"))
        ]
    );
    assert_eq!(paint.origin.as_ref().map(|o| o.line), Some(7));

    assert_eq!(widget.enums.len(), 1);
    assert_eq!(widget.enums[0].values, ["red", "blue"]);
    let props = widget.props.as_ref().unwrap();
    assert_eq!((props.in_db, props.persist.as_str()), (true, "PersistEverything"));
    assert_eq!(props.default_roles, ["pool-admin", "read-only"]);
}

#[test]
fn reads_errors_and_releases() {
    let dir = checkout();
    let r = read(dir.path()).unwrap();
    let errors: Vec<_> = r.facts.errors.iter().map(|e| (e.code.as_str(), e.params.clone())).collect();
    assert_eq!(errors, [("WIDGET_BROKEN", vec!["widget".to_string(), "reason".to_string()]), ("WIDGET_GONE", vec![])]);
    assert_eq!(
        r.facts.errors[0].origin.as_ref().map(|o| (o.file.as_str(), o.line)),
        Some(("ocaml/idl/datamodel_errors.ml", 7))
    );
    let releases: Vec<_> = r.facts.releases.iter().map(|x| (x.code.as_str(), x.label.as_str())).collect();
    assert_eq!(releases, [("rio", "Product One"), ("1.2.0", "XAPI 1.2.0"), ("1.3.0", "XAPI 1.3.0")]);
}

#[test]
fn what_cannot_be_read_is_reported_with_file_and_line() {
    let dir = checkout();
    let r = read(dir.path()).unwrap();
    let unread: Vec<_> = r.unread.iter().map(|u| (u.file.as_str(), u.line)).collect();
    // the half-written binding, and the field of a type nobody knows; the rest still reads
    assert!(unread.contains(&("ocaml/idl/datamodel.ml", 31)), "{:?}", r.unread);
    let odd = r.unread.iter().find(|u| u.why.contains("Frobnicated")).expect("the odd field");
    assert_eq!((odd.file.as_str(), odd.line), ("ocaml/idl/datamodel.ml", 28));
    assert!(r.unread.iter().all(|u| !u.file.ends_with("datamodel_main.ml")));
    let gadget = r.facts.classes.iter().find(|c| c.name == "gadget").expect("gadget still read");
    assert!(gadget.fields.is_empty());
}

#[test]
fn a_directory_that_is_not_a_checkout_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let e = read(dir.path()).unwrap_err();
    assert!(e.to_string().contains("ocaml/idl"), "{e}");
}

#[test]
fn broken_files_are_reported_not_fatal() {
    let dir = checkout();
    let root = dir.path();
    // an unclosed string in the lifecycle table, an empty-named file, stray bytes in the errors
    write(root, "ocaml/idl/datamodel_lifecycle.ml", "let prototyped_of_class = function \"widget -> Some \"1.2.0\"\n");
    write(root, "ocaml/idl/.ml", "garbage");
    write(root, "ocaml/idl/datamodel_errors.ml", &format!("let stray = \u{1} 1\n{ERRORS}"));
    let r = read(root).unwrap();
    assert!(r.unread.iter().any(|u| u.file == "ocaml/idl/datamodel_lifecycle.ml" && u.line == 1), "{:?}", r.unread);
    assert!(r.unread.iter().any(|u| u.file == "ocaml/idl/datamodel_errors.ml" && u.line == 1), "{:?}", r.unread);
    // the classes and errors still read, without the lifecycle table's prototyped step
    assert_eq!(r.facts.errors.len(), 2);
    let widget = r.facts.classes.iter().find(|c| c.name == "widget").expect("widget");
    assert!(widget.lifecycle.transitions.is_empty());
}

mod fuzz {
    use proptest::prelude::*;
    use xenapi_gen::upstream::ocaml::{lex::lex, parse::parse_file};

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        /// Any text lexes to tokens or a located error, and any tokens parse to items and located errors.
        #[test]
        fn lexing_and_parsing_never_panic(src in "[ -~\n]{0,200}|(let|in|fun|match|with|[(){}\\[\\];|~?:=\"'*]| |[a-zA-Z0-9_]{1,4}){0,60}") {
            if let Ok(toks) = lex(&src) {
                let lines = src.lines().count() as u32 + 1;
                let (_, errs) = parse_file(toks);
                prop_assert!(errs.iter().all(|e| e.line >= 1 && e.line <= lines));
            }
        }
    }
}

#[test]
fn upstream_export_prints_the_facts_and_says_what_it_could_not_read() {
    let dir = checkout();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_xenapi-gen"))
        .arg("upstream-export")
        .arg(dir.path())
        .output()
        .unwrap();
    // something was unread (the half-written binding): the facts still print, and the exit says so
    assert_eq!(out.status.code(), Some(1));
    let facts: xenapi_gen::upstream::facts::Facts = serde_json::from_slice(&out.stdout).expect("JSON facts");
    assert_eq!(facts.classes.len(), 2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("2 classes, 4 fields, 2 messages (1 internal), 1 enums, 2 errors, 3 releases"), "{err}");
    assert!(err.contains("unread: ocaml/idl/datamodel.ml:31:"), "{err}");

    let empty = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_xenapi-gen"))
        .arg("upstream-export")
        .arg(empty.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}

#[test]
fn a_class_list_that_cannot_be_built_points_at_the_failure() {
    let dir = checkout();
    write(dir.path(), "ocaml/idl/datamodel.ml", "open Datamodel_common\n\nlet all_system = [Nowhere.t]\n");
    let r = read(dir.path()).unwrap();
    assert!(r.facts.classes.is_empty());
    let u = r.unread.iter().find(|u| u.why.contains("all_system")).expect("all_system unread");
    assert_eq!((u.file.as_str(), u.line), ("ocaml/idl/datamodel.ml", 3), "{u}");
    assert!(u.why.contains("Nowhere"), "{u}");
    // what does not depend on the classes is still read
    assert_eq!(r.facts.errors.len(), 2);
}
