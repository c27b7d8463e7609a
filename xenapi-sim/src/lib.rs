//! In-memory XenAPI server built on the generated server stubs.
