#!/usr/bin/env bash
# Runs every test of the project: schema validation, freshness of
# generated/, lints, the test suites of every crate, the Python package
# and the C SDK against the simulator, and the docs as an HTML site with
# every link checked.
#
#   bash scripts/test.sh           everything (what CI runs)
#   bash scripts/test.sh --quick   the everyday subset: no one-protocol
#                                  builds, class-feature checks, newest
#                                  mypy, hostile run, simulator coverage
#                                  check or C SDK
#
# Where the time goes: the generated crate (4 MB of Rust) dominates. The
# script compiles it as few times as the checks need: once for clippy
# (a check build) and once for the tests (a debug build with the feature
# set of `cargo test --workspace`, which also yields the simulator binary
# every other suite then runs). Work that needs no Rust (the Python
# virtualenvs, ruff and mypy, the C SDK builds) runs in the background
# meanwhile, and the suites against the simulator run side by side, each
# with a simulator of its own. Every step reports its wall time and the
# CPU time (user+sys) of its processes; a table at the end sums them up.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

QUICK=
case "${1:-}" in
  --quick) QUICK=1 ;;
  "") ;;
  *) echo "usage: $0 [--quick]" >&2; exit 2 ;;
esac

# Every panic shows where it came from, in test output and in the
# simulator's log (which the test harnesses check for panics).
export RUST_BACKTRACE=1
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
LOGS="$TARGET/test-logs"
rm -rf "$LOGS"
mkdir -p "$LOGS"
T_START=$EPOCHREALTIME
# XENAPI_TIMINGS=1: Cargo's own report of where the build time goes, for
# clippy and the test build, in target/cargo-timings/.
TIMINGS=()
[ -z "${XENAPI_TIMINGS:-}" ] || TIMINGS=(--timings)

# ---------------------------------------------------------------- timing

# User+sys seconds of the children in the output of bash's `times` (its
# second line, "0m1.250s 0m0.310s").
cpu_of() { awk 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); t += p[1] * 60 + p[2] } printf "%.1f", t }' "$1"; }

# Seconds since $1 (an $EPOCHREALTIME).
since() { awk -v now="$EPOCHREALTIME" -v t0="$1" 'BEGIN { printf "%.1f", now - t0 }'; }

# timed NAME CMD...: runs CMD, then records its wall time and the CPU
# time of every process it waited for in $LOGS/times. CMD runs in a
# subshell of its own with `set -e` in force (a function given as CMD
# stops at its first failing command).
timed() {
  local name=$1 t0=$EPOCHREALTIME rc=0 cpu
  shift
  cpu="$LOGS/.cpu.$BASHPID.$RANDOM"
  set +e
  # (`times` itself, not in a pipeline: a pipeline's subshell has no
  # children of its own to report.)
  ( set -e; trap 'times >"$cpu"' EXIT; "$@" )
  rc=$?
  set -e
  printf '%-70s %7s %8s %s\n' "$name" "$(since "$t0")" "$(cpu_of "$cpu")" \
    "$([ $rc = 0 ] && echo ok || echo FAILED)" >>"$LOGS/times"
  rm -f "$cpu"
  return $rc
}

step() { printf '\n==> %s\n' "$1"; }

# step NAME CMD...: a step in the foreground, its output as it comes.
run() {
  step "$1"
  timed "$@"
}

# Background steps: `spawn NAME CMD...` starts one with its output in a
# log; `join NAME` waits for it, then shows the log (and fails with it).
declare -A PIDS=()
# The log of a background step, named after the step (a `/` in a step's
# name would be taken for a folder).
log_of() { printf '%s/%s.log' "$LOGS" "${1//\//_}"; }
spawn() {
  local name=$1
  shift
  timed "$name" "$@" >"$(log_of "$name")" 2>&1 &
  PIDS[$name]=$!
}
join() {
  local name=$1 rc=0
  wait "${PIDS[$name]}" || rc=$?
  unset "PIDS[$name]"
  step "$name (ran in the background)"
  cat "$(log_of "$name")"
  [ $rc = 0 ] || { echo "FAILED: $name" >&2; return $rc; }
}

# Stops a process and everything it started.
kill_tree() {
  local child
  for child in $(cat /proc/"$1"/task/*/children 2>/dev/null); do kill_tree "$child"; done
  kill "$1" 2>/dev/null || true
}

summary() {
  local rc=$? pid
  # A failing step leaves its background siblings running: stop them.
  for pid in "${PIDS[@]}"; do kill_tree "$pid"; done
  wait 2>/dev/null || true
  if [ -s "$LOGS/times" ]; then
    printf '\n==> time per step (wall s, CPU s = user+sys; background steps overlap)\n'
    printf '%-70s %7s %8s\n' step wall cpu
    cat "$LOGS/times"
    printf '%-70s %7s\n' "total" "$(since "$T_START")"
  fi
  exit $rc
}
trap summary EXIT

# ---------------------------------------------------------------- steps

# The Python side: a pinned virtualenv (created when its requirements
# change), and one with the newest mypy: the package must stay clean for
# both.
venv() {
  local dir=$1 req=$2
  shift 2
  if [ ! -x "$dir/bin/python" ] || ! cmp -s "$req" "$dir/requirements.txt"; then
    echo "creating $dir from $req"
    python3 -m venv "$dir"
    "$dir/bin/pip" install -q --disable-pip-version-check "$@" -r "$req"
    cp "$req" "$dir/requirements.txt"
  fi
}
VENV="${XENAPI_VENV:-.venv}"
LATEST="${XENAPI_VENV_LATEST:-.venv-latest}"
PY_LINTS="Python virtualenvs, ruff, mypy --strict (pinned$([ -n "$QUICK" ] || echo ' and newest')), pip install leaves generated/ clean"
python_lints() {
  venv "$VENV" tests/python/requirements.txt
  "$VENV/bin/ruff" check generated/python tests/python tests/hostile tests/sim_coverage.py tests/stubs tests/docs
  [ -n "$QUICK" ] || venv "$LATEST" tests/python/requirements-latest.txt --upgrade
  local mypys=("$VENV/bin/mypy")
  [ -n "$QUICK" ] || mypys+=("$LATEST/bin/mypy")
  for mypy in "${mypys[@]}"; do
    "$mypy" --version
    MYPYPATH=generated/python/src "$mypy" --strict generated/python/src/xenapi_client tests/python/example.py
  done
  pip_install_leaves_tree_clean
}

# `pip install generated/python` (and of every other generated Python
# package) builds and installs, and writes nothing into generated/: no
# build/, no *.egg-info, ignored or not. Each install goes to a scratch
# directory; the typed package must import from there with its py.typed.
pip_install_leaves_tree_clean() {
  local pkg before after scratch
  for pkg in generated/python*/; do
    [ -f "$pkg/pyproject.toml" ] || continue
    before=$(git status --porcelain --ignored --untracked-files=all -- "$pkg")
    scratch=$(mktemp -d)
    "$VENV/bin/pip" install -q --disable-pip-version-check --no-deps --target "$scratch" "./$pkg"
    after=$(git status --porcelain --ignored --untracked-files=all -- "$pkg")
    if [ "$before" != "$after" ]; then
      echo "pip install $pkg wrote into the source tree:" >&2
      diff <(echo "$before") <(echo "$after") >&2 || true
      return 1
    fi
    if [ "$pkg" = generated/python/ ]; then
      PYTHONPATH="$scratch" "$VENV/bin/python" -c '
import pathlib, sys, xenapi_client as m
here = pathlib.Path(m.__file__).resolve().parent
assert here.parent == pathlib.Path(sys.argv[1]).resolve(), f"imported from {here}"
assert (here / "py.typed").is_file(), "the installed package has no py.typed"' "$scratch"
    fi
    rm -rf "$scratch"
    echo "pip install $pkg: installed, source tree untouched"
  done
}

# The typed stubs of the PyPI `XenAPI` module (generated/python-stubs):
# installed into a virtualenv of their own, then mypy --strict and
# pyright (strict) over programs written against the module. Needs no
# Rust; the same programs run against the simulator in tests/python.
STUBS_VENV="${XENAPI_VENV_STUBS:-.venv-stubs}"
STUBS_CHECKS="typed stubs of the XenAPI module: mypy --strict and pyright"
stubs_checks() {
  venv "$STUBS_VENV" tests/stubs/requirements.txt
  "$STUBS_VENV/bin/pytest" -q -p no:cacheprovider tests/stubs
}

# The generator, debug build, run in place (as `cargo run` would).
gen() { cargo run -q -p xenapi-gen -- "$@"; }

# The generated crate has no tests of its own and no doc examples, so
# `cargo test` leaves it out: building its unit-test harness and running
# rustdoc over it would compile its 4 MB once more and find nothing. This
# guard turns that exclusion into an error the day it gains one.
generated_crate_has_no_tests() {
  if grep -rlE '#\[(test|cfg\(test\))\]|^ *(//[/!]|#!?\[doc).*```' generated/rust/src; then
    echo "generated/rust now has tests or doc examples: stop excluding it from cargo test" >&2
    return 1
  fi
}

# `cargo test` skips a test marked #[ignore] (or ignored under a cfg_attr,
# such as only in debug builds), and a skipped test is a defect: none may
# be left. The check asks the test binaries of the build the run step
# uses, so it sees exactly what that run skips.
no_test_is_left_out() {
  local left
  left=$(cargo test -q --workspace --exclude xenapi -- --ignored --list | sed -n 's/: test$//p')
  if [ -n "$left" ]; then
    echo "cargo test skips these ignored tests:" >&2
    sed 's/^/  /' <<<"$left" >&2
    echo "make them cheap enough to run, or run them in a step of their own (and widen this check to know that step)" >&2
    return 1
  fi
  echo "no ignored tests"
}

# Each protocol on its own: the runtime without the other protocol's
# feature, and the two example crates, whose bindings speak one protocol
# each and whose libraries build against a runtime with only that feature
# (built one at a time so that Cargo does not merge their features).
one_protocol() {
  for proto in xml-rpc json-rpc; do
    cargo clippy -q -p xenapi-rt --no-default-features --features "$proto" --all-targets -- -D warnings
    cargo test -q -p xenapi-rt --no-default-features --features "$proto" --lib --test protocols
  done
  cargo clippy -q -p xenapi-example-build -- -D warnings
  cargo clippy -q -p xenapi-example-server -- -D warnings
  # The simulator as `cargo install` or `cargo build -p xenapi-sim` sees
  # it: without the workspace's dev-dependencies, whose features (tokio's
  # io-util and process, among others) the other builds lend it.
  cargo clippy -q -p xenapi-sim --bins -- -D warnings
}

# The generated crate with only a few of its class features on: the client
# of the five classes a typical program needs, one small class with its
# server side, and nothing at all (markers, refs and errors only). Check
# builds (clippy's) against the dependencies the workspace clippy already
# built; what they lint is what a user with `default-features = false`
# compiles.
class_features() {
  local features
  for features in VM,host,pool,task,event secret,server ""; do
    echo "features: ${features:-none}"
    cargo clippy -q -p xenapi --no-default-features --features "$features" -- -D warnings
  done
}

# ---------------------------------------------------------------- run

# Tools first (Debian packages, clippy, mdBook): a no-op when present.
# Sourced here so that its PATH and MDBOOK_VERSION reach every step.
# shellcheck source=scripts/tools.sh
. scripts/tools.sh
run "tools the tests need (installed when missing)" install_tools

# Needs no Rust: starts at once, runs beside the Cargo builds.
spawn "$PY_LINTS" python_lints
spawn "$STUBS_CHECKS" stubs_checks
[ -n "$QUICK" ] || spawn "C SDK and test programs, gcc and clang" bash tests/c/run.sh --build-only

# Fast checks first.
run "schema loads and validates" gen check --schema schema
run "generated/ is what the schema generates" gen generate --check
run "hand-written Rust is formatted (rustfmt.toml; the generated crate opts out)" cargo fmt --all --check
# Needs only mdbook and python3: beside the Cargo builds.
DOCS_SITE="docs site: mdBook build, every link and anchor of its HTML checked"
spawn "$DOCS_SITE" bash tests/docs/run.sh
run "clippy, warnings are errors" cargo clippy -q "${TIMINGS[@]}" --workspace --all-targets -- -D warnings

run "the generated crate has no tests of its own" generated_crate_has_no_tests
# One build for every test and the simulator binary the other suites use
# (--quick builds the same, so that the two share every artifact).
run "cargo test: build" cargo test -q "${TIMINGS[@]}" --workspace --exclude xenapi --no-run
run "cargo test skips no test: none is ignored" no_test_is_left_out
export XENAPI_SIM="$TARGET/debug/xenapi-sim"
[ -x "$XENAPI_SIM" ] || { echo "no simulator binary at $XENAPI_SIM" >&2; exit 1; }

join "$PY_LINTS"

# The suites against the simulator, side by side: each starts its own.
spawn "Python: typed package and the PyPI XenAPI module against the simulator" "$VENV/bin/pytest" -q tests/python
if [ -z "$QUICK" ]; then
  spawn "hostile input against the simulator (over 20,000 requests)" "$VENV/bin/python" tests/hostile/run.py --sim "$XENAPI_SIM"
  spawn "the explicit messages real clients call have behaviour in the simulator" "$VENV/bin/python" tests/sim_coverage.py --sim "$XENAPI_SIM"
  join "C SDK and test programs, gcc and clang"
  spawn "C SDK programs under valgrind against the simulator and a broken server" bash tests/c/run.sh --no-build
fi
run "cargo test: run" cargo test --workspace --exclude xenapi
if [ -z "$QUICK" ]; then
  run "one protocol only: xenapi-rt and the example crates; the simulator on its own features" one_protocol
  run "the generated crate with a few class features: five clients, one class with its server, none" class_features

  join "hostile input against the simulator (over 20,000 requests)"
  join "the explicit messages real clients call have behaviour in the simulator"
  join "C SDK programs under valgrind against the simulator and a broken server"
fi
join "Python: typed package and the PyPI XenAPI module against the simulator"
join "$STUBS_CHECKS"
join "$DOCS_SITE"
