//! XenAPI bindings for VMs, expanded at compile time by `xenapi!` from the
//! project's schema, as the API stood at the `stockholm` release.

xenapi_macros::xenapi! {
    schema: "../../schema",
    classes: ["VM"],
    release: "stockholm",
}
