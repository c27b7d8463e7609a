//! Compile-time expansion of `xenapi-gen` output.
