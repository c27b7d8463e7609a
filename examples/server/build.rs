//! Generates the server side only (no client) for the VM class, plus the
//! session, task and event classes every server answers for.

fn main() {
    if let Err(e) = xenapi_gen::Builder::new().schema("../../schema").classes(["VM"]).client(false).generate() {
        panic!("XenAPI server stubs: {e}");
    }
}
