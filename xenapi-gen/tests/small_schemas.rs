//! Every backend renders small but valid schemas, not only the real one:
//! a `Builder` user's own schema may lack the task or event class, errors,
//! enums or even the session class. The C output of each is compiled with
//! the warnings the SDK promises to be free of (where gcc and libxml2 are
//! installed), and every Python module is byte-compiled.

mod common;

use common::Edit;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use xenapi_gen::backend::Lang;
use xenapi_gen::Builder;

const API: &str = "name: TinyAPI\ndescription: A schema far smaller than the real one.\nroles: [admin, reader]\n";
const RELEASES: &str = "releases:\n  - {code: rio, label: First}\n";
const NO_ERRORS: &str = "errors: []\n";

/// A session class and nothing else: login, logout and its record.
const SESSION_ONLY: &str = concat!(
    "\
name: session
description: A logged-in connection.
lifecycle: [published rio]
derive: {fields: true, record: true}
async: false
fields:
",
    common::uuid_field!(),
    "\
messages:
  - name: login_with_password
    description: Opens a session.
    params:
      - {name: uname, type: string, description: The user name.}
      - {name: pwd, type: string, description: The password.}
    result: session ref
    roles: reader
    lifecycle: [published rio]
  - name: logout
    description: Closes the session.
    params:
      - {name: session_id, type: session ref}
    result: void
    roles: reader
    lifecycle: [published rio]
"
);

/// A class with fields and no calls, so no session is needed.
const FIELDS_ONLY: &str = concat!(
    "\
name: thing
description: The only class.
lifecycle: [published rio]
fields:
",
    common::uuid_field!(),
    "  - name: count
    description: A number.
    type: int
    qualifier: RW
    lifecycle: [published rio]
"
);

/// A schema directory with the given class files beside the fixed ones.
fn schema(classes: &[(&str, &str)], errors: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("classes")).unwrap();
    fs::write(dir.path().join("api.yaml"), API).unwrap();
    fs::write(dir.path().join("releases.yaml"), RELEASES).unwrap();
    fs::write(dir.path().join("errors.yaml"), errors).unwrap();
    for (name, text) in classes {
        fs::write(dir.path().join("classes").join(format!("{name}.yaml")), text).unwrap();
    }
    dir
}

/// Runs every backend over the schema into a fresh output tree (a panic
/// fails the test), then checks the C and Python output.
fn render_all(schema: &Path) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let outcome = Builder::new().schema(schema).langs(Lang::ALL).generate_tree(out.path());
    if let Err(e) = outcome {
        panic!("{} does not generate: {e}", schema.display());
    }
    for lang in Lang::ALL {
        assert!(out.path().join(lang.dir()).is_dir(), "no {lang} output");
    }
    compile_c(&out.path().join("c"));
    compile_python(&out.path().join("python"));
    parse_stubs(&out.path().join("python-stubs/XenAPI-stubs"));
    out
}

fn files_with(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            out.extend(files_with(&p, ext));
        } else if p.extension().is_some_and(|e| e == ext) {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// libxml2's compiler flags, or `None` when gcc or libxml2 is missing.
fn c_toolchain() -> Option<Vec<String>> {
    Command::new("gcc").arg("--version").output().ok().filter(|o| o.status.success())?;
    let flags =
        Command::new("pkg-config").args(["--cflags", "libxml-2.0"]).output().ok().filter(|o| o.status.success())?;
    Some(String::from_utf8_lossy(&flags.stdout).split_whitespace().map(String::from).collect())
}

/// Every source file and every public header on its own, as C99 with the
/// SDK's warnings as errors (headers also -pedantic, as the Makefile's
/// check-headers does).
fn compile_c(c: &Path) {
    let Some(xml) = c_toolchain() else {
        eprintln!("note: gcc or libxml2 is missing; the C output is not compiled");
        return;
    };
    let mut units = files_with(&c.join("src"), "c");
    units.extend(files_with(&c.join("include"), "h"));
    assert!(!units.is_empty(), "no C files in {}", c.display());
    for unit in units {
        let out = Command::new("gcc")
            .args(["-std=c99", "-W", "-Wall", "-Wmissing-prototypes", "-Werror", "-fsyntax-only"])
            .args(["-x", "c"])
            .args(unit.extension().is_some_and(|e| e == "h").then_some("-pedantic"))
            .arg(format!("-I{}", c.join("include").display()))
            .arg(format!("-I{}", c.join("src").display()))
            .args(&xml)
            .arg(&unit)
            .output()
            .unwrap();
        assert!(out.status.success(), "{} does not compile:\n{}", unit.display(), String::from_utf8_lossy(&out.stderr));
    }
}

fn compile_python(py: &Path) {
    let modules = files_with(py, "py");
    assert!(!modules.is_empty(), "no Python modules in {}", py.display());
    let out = Command::new("python3").args(["-m", "py_compile"]).args(&modules).output();
    match out {
        Ok(out) => assert!(out.status.success(), "Python does not compile:\n{}", String::from_utf8_lossy(&out.stderr)),
        Err(e) => eprintln!("note: python3 cannot run ({e}); the Python output is not compiled"),
    }
}

/// The stubs of the `XenAPI` module parse as Python (stubs are never
/// imported, so `py_compile` does not apply).
fn parse_stubs(dir: &Path) {
    let stubs = files_with(dir, "pyi");
    assert!(stubs.len() >= 4, "no stubs in {}", dir.display());
    let check = "import ast, sys\nfor p in sys.argv[1:]:\n    ast.parse(open(p).read(), p)";
    match Command::new("python3").arg("-c").arg(check).args(&stubs).output() {
        Ok(out) => assert!(out.status.success(), "the stubs do not parse:\n{}", String::from_utf8_lossy(&out.stderr)),
        Err(e) => eprintln!("note: python3 cannot run ({e}); the stubs are not parsed"),
    }
}

/// Renders the schema in every language, checks the C and Python output,
/// and returns the C files asked for (`None` for one not written).
fn c_files<const N: usize>(schema: &Path, paths: [&str; N]) -> [Option<String>; N] {
    let out = render_all(schema);
    paths.map(|p| fs::read_to_string(out.path().join("c").join(p)).ok())
}

const VM_H: &str = "include/xen/api/xen_vm.h";
const COMMON_H: &str = "include/xen/api/xen_common.h";

#[test]
fn the_mini_fixture_without_task_or_event_class() {
    let [vm, common, batch] = c_files(&common::mini(), [VM_H, COMMON_H, "include/xen/api/xen_event_batch.h"]);
    let (vm, common) = (vm.unwrap(), common.unwrap());
    // No task class: no `_async` function, though VM.start has an async form.
    assert!(vm.contains("xen_vm_start("), "{vm}");
    assert!(!vm.contains("_async("), "{vm}");
    // No event class: no event batch.
    assert!(batch.is_none());
    assert!(!common.contains("xen_task_decl.h"), "{common}");
    assert!(common.contains("#include <xen/api/xen_host_decl.h>"), "{common}");
}

#[test]
fn the_mini_fixture_with_a_task_class_has_async_functions() {
    let dir = common::mini_copy();
    common::apply(dir.path(), Edit::Write("classes/task.yaml", common::TASK_CLASS));
    let [vm, common] = c_files(dir.path(), [VM_H, COMMON_H]).map(Option::unwrap);
    assert!(vm.contains("xen_vm_start_async("), "{vm}");
    assert!(common.contains("#include <xen/api/xen_task_decl.h>"), "{common}");
}

#[test]
fn a_session_class_alone_with_no_errors_or_enums() {
    let dir = schema(&[("session", SESSION_ONLY)], NO_ERRORS);
    let [failure] = c_files(dir.path(), ["src/xen_api_failure.c"]).map(Option::unwrap);
    assert!(failure.contains("no error codes"), "{failure}");
}

#[test]
fn one_class_without_calls_or_session() {
    let dir = schema(&[("thing", FIELDS_ONLY)], NO_ERRORS);
    let [common] = c_files(dir.path(), [COMMON_H]).map(Option::unwrap);
    assert!(!common.contains("xen_session.h"), "{common}");
    assert!(!common.contains("_decl.h"), "{common}");
}

#[test]
fn a_class_with_nothing_beside_one_with_unusual_types() {
    let other = "\
name: other
description: Removed in the release it came in.
lifecycle: [published rio, removed rio]
enums:
  - name: one_value
    description: An enum of one value.
    values:
      - {name: only, description: The only one.}
fields:
  - {name: e, description: An enum field., type: enum one_value, qualifier: RW, lifecycle: [published rio]}
  - {name: m, description: A map keyed by the enum., type: (enum one_value -> empty ref set) map, qualifier: RW, lifecycle: [published rio]}
";
    let dir = schema(
        &[("empty", "name: empty\ndescription: No fields, no calls.\nlifecycle: [published rio]\n"), ("other", other)],
        NO_ERRORS,
    );
    let [map] = c_files(dir.path(), ["include/xen/api/xen_one_value_empty_set_map.h"]).map(Option::unwrap);
    assert!(map.contains("xen_one_value_empty_set_map"), "{map}");
}

#[test]
fn derived_calls_without_a_session_class_are_a_located_diagnostic() {
    let derived = FIELDS_ONLY
        .replace("lifecycle: [published rio]\nfields:", "lifecycle: [published rio]\nderive: {fields: true}\nfields:");
    let dir = schema(&[("thing", derived.as_str())], NO_ERRORS);
    let printed = common::diagnostics(dir.path()).expect("the schema is rejected");
    assert_eq!(
        printed,
        "classes/thing.yaml:6:5: error: class `thing` derives calls that take a session (`get_uuid` is one), but the API has no `session` class\n  \
         help: add classes/session.yaml with the login calls, or derive nothing\n1 error found"
    );
}

#[test]
fn an_event_batch_without_an_event_class_is_a_located_diagnostic() {
    let dir = common::mini_copy();
    common::apply(
        dir.path(),
        Edit::Replace("classes/session.yaml", "    result: void\n", "    result: an event batch\n"),
    );
    let printed = common::diagnostics(dir.path()).expect("the schema is rejected");
    assert!(printed.starts_with("classes/session.yaml:"), "{printed}");
    assert!(printed.contains("is a batch of event records, but the API has no `event` class"), "{printed}");
}
