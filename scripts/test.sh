#!/usr/bin/env bash
# Runs every test of the project: schema validation, freshness of
# generated/, lints, and the test suites of every crate.
set -euo pipefail
cd "$(dirname "$0")/.."
# Every panic shows where it came from, in test output and in the
# simulator's log (which the test harnesses check for panics).
export RUST_BACKTRACE=1

step() { printf '\n==> %s\n' "$*"; }

step "schema loads and validates"
cargo run -q -p xenapi-gen -- check --schema schema

step "generated/ is what the schema generates"
cargo run -q -p xenapi-gen -- generate --check

step "clippy, warnings are errors"
cargo clippy -q --workspace --all-targets -- -D warnings

step "cargo test"
cargo test --workspace

# Each protocol on its own: the runtime without the other protocol's
# feature, and the two example crates, whose bindings speak one protocol
# each and whose libraries build against a runtime with only that feature
# (built one at a time so that Cargo does not merge their features).
step "one protocol only: xenapi-rt and the example crates"
for proto in xml-rpc json-rpc; do
  cargo clippy -q -p xenapi-rt --no-default-features --features "$proto" --all-targets -- -D warnings
  cargo test -q -p xenapi-rt --no-default-features --features "$proto" --lib --test protocols
done
cargo clippy -q -p xenapi-example-build -- -D warnings
cargo clippy -q -p xenapi-example-server -- -D warnings

# The Python side: a pinned virtualenv (created on first run), then the
# generated package under mypy --strict and ruff, then the Python tests.
VENV="${XENAPI_VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ] || ! cmp -s tests/python/requirements.txt "$VENV/requirements.txt"; then
  step "python virtualenv ($VENV)"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r tests/python/requirements.txt
  cp tests/python/requirements.txt "$VENV/requirements.txt"
fi

# The newest mypy too, from a second small virtualenv (rebuilt when its
# requirements file changes): the package must stay clean for both.
LATEST="${XENAPI_VENV_LATEST:-.venv-latest}"
if [ ! -x "$LATEST/bin/mypy" ] || ! cmp -s tests/python/requirements-latest.txt "$LATEST/requirements.txt"; then
  step "python virtualenv with the newest mypy ($LATEST)"
  python3 -m venv "$LATEST"
  "$LATEST/bin/pip" install -q --disable-pip-version-check --upgrade -r tests/python/requirements-latest.txt
  cp tests/python/requirements-latest.txt "$LATEST/requirements.txt"
fi

step "generated Python package: ruff, and mypy --strict (pinned and newest)"
"$VENV/bin/ruff" check generated/python tests/python tests/hostile tests/sim_coverage.py
for mypy in "$VENV/bin/mypy" "$LATEST/bin/mypy"; do
  "$mypy" --version
  MYPYPATH=generated/python/src "$mypy" --strict generated/python/src/xenapi_client tests/python/example.py
done

step "build the simulator"
cargo build -q -p xenapi-sim
export XENAPI_SIM="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/debug/xenapi-sim"

step "Python: typed package and the PyPI XenAPI module against the simulator"
"$VENV/bin/pytest" -q tests/python

step "hostile input against the simulator: over 20,000 requests, every reply parsed by Python's own parsers"
"$VENV/bin/python" tests/hostile/run.py --sim "$XENAPI_SIM"

step "the explicit messages real clients call all have behaviour in the simulator"
"$VENV/bin/python" tests/sim_coverage.py --sim "$XENAPI_SIM"

step "C SDK: gcc and clang builds, programs under valgrind against the simulator and a broken server"
bash tests/c/run.sh
