#!/usr/bin/env bash
# Runs every test of the project: schema validation, freshness of
# generated/, lints, and the test suites of every crate.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "schema loads and validates"
cargo run -q -p xenapi-gen -- check --schema schema

step "generated/ is what the schema generates"
cargo run -q -p xenapi-gen -- generate --check

step "clippy, warnings are errors"
cargo clippy -q --workspace --all-targets -- -D warnings

step "cargo test"
cargo test --workspace
