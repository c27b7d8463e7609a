//! Generates the server side only (no client), speaking XML-RPC only, for
//! the VM class plus the session, task and event classes every server
//! answers for. Cargo.toml builds `xenapi-rt` with just its `xml-rpc`
//! feature, so the JSON-RPC codec is not compiled in.

fn main() {
    if let Err(e) =
        xenapi_gen::Builder::new().schema("../../schema").classes(["VM"]).client(false).json_rpc(false).generate()
    {
        panic!("XenAPI server stubs: {e}");
    }
}
