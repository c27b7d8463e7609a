//! Changing a schema file reruns the build script; building again without
//! a change does not; no run prints a warning. Builds a copy of this
//! example against a copy of the schema in a temporary directory, with its
//! own target directory.

use std::path::Path;
use std::process::Command;

fn build(krate: &Path, schema: &Path, target: &Path, log: &Path) -> String {
    let out = Command::new(env!("CARGO"))
        .args(["build", "--offline", "--manifest-path"])
        .arg(krate.join("Cargo.toml"))
        .env("XENAPI_EXAMPLE_SCHEMA", schema)
        .env("CARGO_TARGET_DIR", target)
        .env("XENAPI_EXAMPLE_RUNLOG", log)
        .output()
        .expect("cargo runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "build failed:\n{text}");
    // Cargo shows a build script's `cargo:warning` lines as
    // `warning: <package>@<version>: ...`; a good run must have none.
    assert!(
        !text.lines().any(|l| l.starts_with("warning: rerun-check@")),
        "the build script warned on success:\n{text}"
    );
    text
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn editing_a_schema_file_reruns_the_build_script() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = here.parent().unwrap().parent().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let schema = tmp.path().join("schema");
    copy_dir(&root.join("schema"), &schema);
    // A standalone copy of this crate, with absolute paths to the project
    // and the features this crate asks for (a JSON-RPC-only runtime, the
    // generator without its allocator): no more to compile than it needs.
    // No debug info: nothing here is ever debugged, and it is built anew.
    let krate = tmp.path().join("krate");
    std::fs::create_dir_all(krate.join("src")).unwrap();
    std::fs::copy(here.join("build.rs"), krate.join("build.rs")).unwrap();
    std::fs::copy(here.join("src/lib.rs"), krate.join("src/lib.rs")).unwrap();
    let p = |rel: &str| root.join(rel).display().to_string();
    let manifest = format!(
        "[package]\nname = \"rerun-check\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[workspace]\n\n\
         [dependencies]\nxenapi-rt = {{ path = {:?}, default-features = false, features = [\"json-rpc\"] }}\n\
         serde = {{ version = \"1\", features = [\"derive\"] }}\n\
         serde_json = \"1\"\ntokio = {{ version = \"1\", features = [\"time\"] }}\n\n\
         [build-dependencies]\nxenapi-gen = {{ path = {:?}, default-features = false }}\n\n\
         [profile.dev]\ndebug = false\n\n[profile.dev.package.unsafe-libyaml]\nopt-level = 3\n",
        p("xenapi-rt"),
        p("xenapi-gen")
    );
    std::fs::write(krate.join("Cargo.toml"), manifest).unwrap();
    std::fs::copy(root.join("Cargo.lock"), krate.join("Cargo.lock")).unwrap();
    // Its own target dir (the outer cargo holds the workspace one), kept
    // between runs so that only the first build compiles dependencies.
    let target = root.join("target").join("rerun-check");

    let log = tmp.path().join("runs.log");
    let runs = || std::fs::read_to_string(&log).map(|t| t.lines().count()).unwrap_or(0);
    build(&krate, &schema, &target, &log);
    assert_eq!(runs(), 1, "the first build runs the build script");
    build(&krate, &schema, &target, &log);
    assert_eq!(runs(), 1, "a build without a change must not rerun the build script");

    // Let the edit get a later modification time than the last build.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let vm = schema.join("classes/VM.yaml");
    let text = std::fs::read_to_string(&vm).unwrap();
    std::fs::write(&vm, format!("{text}# edited by the rerun test\n")).unwrap();
    let out = build(&krate, &schema, &target, &log);
    assert_eq!(runs(), 2, "editing a schema file must rerun the build script:\n{out}");
}
