//! Generates a client (no server side) that speaks JSON-RPC only, for the
//! VM and host classes (and session, task and event, which every client
//! needs) from the project's schema. Cargo.toml builds `xenapi-rt` with
//! just its `json-rpc` feature, so the XML-RPC codec is not compiled in.

fn main() {
    let schema = std::env::var("XENAPI_EXAMPLE_SCHEMA").unwrap_or_else(|_| "../../schema".into());
    println!("cargo:rerun-if-env-changed=XENAPI_EXAMPLE_SCHEMA");
    // Lets a test count the runs of this script, which prints nothing Cargo
    // would show.
    println!("cargo:rerun-if-env-changed=XENAPI_EXAMPLE_RUNLOG");
    if let Ok(log) = std::env::var("XENAPI_EXAMPLE_RUNLOG") {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new().create(true).append(true).open(log).expect("run log");
        writeln!(f, "ran").expect("run log");
    }
    // Silent on success, as a build script should be: Cargo shows every
    // `cargo:warning` on every build. A schema that does not load has
    // already been reported, one `cargo:warning` per problem; the error
    // then stops the build.
    if let Err(e) =
        xenapi_gen::Builder::new().schema(schema).classes(["VM", "host"]).server(false).xml_rpc(false).generate()
    {
        eprintln!("error: the XenAPI bindings could not be generated: {e}");
        std::process::exit(1);
    }
}
