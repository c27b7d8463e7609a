#!/usr/bin/env bash
# The C SDK's tests, from a clean tree:
#
#   1. builds generated/c (libxenserver.a, .so, .pc) with gcc and clang, and
#      checks with both that every public header compiles on its own with
#      -std=c99 -pedantic -W -Wall -Wmissing-prototypes -Werror;
#   2. builds the test programs (tests/c) with both compilers; installs the
#      SDK (make install, with and without DESTDIR; make uninstall) and
#      builds installed.c with only what pkg-config says, shared and static;
#   3. builds xenapi-sim and starts it, and the deliberately broken server
#      (broken_server.py), on free loopback ports;
#   4. runs, each under valgrind --leak-check=full --error-exitcode=1:
#      the fuzzer (damaged replies through a fake transport), the
#      robustness program against the broken server, and the scenario
#      (static and shared library, gcc and clang), the
#      source-compatibility program and a C++ program against the
#      simulator (the headers are also compiled as C++ on their own); and,
#      without valgrind, the two builds of installed.c.
#
# Exits non-zero on any failure. Needs gcc, clang, make, pkg-config,
# g++ and clang++, libxml2 and libcurl development files, valgrind,
# readelf (binutils), python3 and cargo.
#
#   tests/c/run.sh            everything
#   tests/c/run.sh --build-only   steps 1 and 2 only
#   tests/c/run.sh --no-build     steps 3 and 4 only, on the builds of an
#                                 earlier --build-only run
#   NO_CLANG=1 tests/c/run.sh skip the clang builds
#   ASAN=1 tests/c/run.sh     also fuzz a sanitizer build (slower)
#
# With $XENAPI_SIM set, that simulator binary is used instead of a build.
#
# Logs go to tests/c/build/logs/.
set -euo pipefail
BUILD=1 RUN=1
case "${1:-}" in
  --build-only) RUN= ;;
  --no-build) BUILD= ;;
  "") ;;
  *) echo "usage: $0 [--build-only | --no-build]" >&2; exit 2 ;;
esac
cd "$(dirname "$0")/../.."
ROOT=$PWD
TESTS=$ROOT/tests/c
LOGS=$TESTS/build/logs
JOBS=$(nproc 2>/dev/null || echo 2)
mkdir -p "$LOGS"

step() { printf '\n==> %s\n' "$*"; }
die() { printf '\nFAILED: %s\n' "$*" >&2; exit 1; }

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT

COMPILERS=(gcc)
if [ -z "${NO_CLANG:-}" ]; then
  command -v clang >/dev/null || die "clang is not installed (set NO_CLANG=1 to skip it)"
  COMPILERS+=(clang)
fi

# Builds the SDK and the test programs with one compiler, into
# generated/c/$build and tests/c/$build.
build_with() {
  local cc=$1 build=build debug=-g cxx=g++
  # DWARF 4: the valgrind of Debian 12 cannot read clang's default DWARF 5.
  if [ "$cc" != gcc ]; then build=build/$cc; debug=-gdwarf-4; cxx=clang++; fi
  step "C SDK with $cc (generated/c/$build)"
  make -s -C generated/c -j"$JOBS" CC="$cc" BUILD="$build" CFLAGS="-O2 $debug" \
    || die "the C SDK does not build with $cc"
  step "every public header compiles on its own with $cc (-std=c99 -pedantic -W -Wall -Wmissing-prototypes -Werror)"
  make -s -C generated/c -j"$JOBS" CC="$cc" BUILD="$build" check-headers \
    || die "a header does not compile on its own with $cc"
  echo "$(ls generated/c/include/xen/api/*.h | wc -l) headers checked"
  step "every public header compiles on its own as C++ with $cxx (-std=c++11 -W -Wall -Werror)"
  make -s -C generated/c -j"$JOBS" CXX="$cxx" BUILD="$build" check-headers-cxx \
    || die "a header does not compile as C++ with $cxx"
  step "test programs with $cc (tests/c/$build)"
  make -s -C tests/c CC="$cc" CXX="$cxx" BUILD="$build" CFLAGS="-O1 $debug" \
    || die "the test programs do not build with $cc"
}

# `make install` as a user of the SDK runs it, and a program built from
# what the installed pkg-config file says, nothing else of generated/c:
#   - linked to the shared library (rpath from the .pc's libdir);
#   - linked statically, from a prefix without the .so (as a static-only
#     package ships it): `pkg-config --static` must bring libxml2, which
#     the program does not ask for, from Requires.private;
#   - with DESTDIR, the .pc names PREFIX, not the staging folder, and
#     `make uninstall` with the same DESTDIR leaves no file behind.
# The programs run against the simulator below.
INSTALLED=$TESTS/build/installed
install_and_link() {
  local prefix flags version built staged left
  local cflags=(-std=c99 -W -Wall -Wmissing-prototypes -Werror -D_POSIX_C_SOURCE=200809L -O1)
  local curl
  curl=$(pkg-config --cflags --libs libcurl)
  rm -rf "$INSTALLED"
  mkdir -p "$INSTALLED"
  pc() { PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config "$@" libxenserver; }
  # shellcheck disable=SC2086 # the pkg-config flags are meant to split
  link() { gcc "${cflags[@]}" -o "$INSTALLED/$1" "$TESTS/installed.c" "$TESTS/transport.c" $2 $curl; }

  prefix=$INSTALLED/prefix
  step "make install PREFIX=$prefix; a program built with pkg-config --cflags --libs libxenserver"
  make -s -C generated/c install PREFIX="$prefix" >/dev/null || die "make install failed"
  version=$(pc --modversion) || die "pkg-config does not find the installed libxenserver.pc"
  built=$(PKG_CONFIG_PATH=generated/c/build pkg-config --modversion libxenserver)
  [ "$version" = "$built" ] || die "installed .pc version $version, built one $built"
  flags=$(pc --cflags --libs)
  echo "libxenserver $version: $flags"
  case "$flags" in *generated/c*) die "the installed .pc points into generated/c: $flags" ;; esac
  link shared "$flags -Wl,-rpath,$(pc --variable=libdir)" \
    || die "a program does not build against the installed shared library"
  readelf -d "$INSTALLED/shared" | grep -q 'NEEDED.*libxenserver\.so' \
    || die "the shared build does not use libxenserver.so"

  prefix=$INSTALLED/static-prefix
  step "make install PREFIX=$prefix, its .so removed; the program linked with pkg-config --static"
  make -s -C generated/c install PREFIX="$prefix" >/dev/null || die "make install failed"
  rm "$prefix/lib/libxenserver.so"
  flags=$(pc --static --cflags --libs)
  echo "pkg-config --static: $flags"
  link static "$flags" || die "a program does not link statically with pkg-config --static"
  ! readelf -d "$INSTALLED/static" | grep -q 'NEEDED.*libxenserver' || die "the static build needs libxenserver.so"
  readelf -d "$INSTALLED/static" | grep -q 'NEEDED.*libxml2' \
    || die "the static build does not link libxml2: Requires.private is not doing its job"

  staged=$INSTALLED/stage/opt/xenapi
  step "make install, then make uninstall, PREFIX=/opt/xenapi DESTDIR=$INSTALLED/stage"
  make -s -C generated/c install PREFIX=/opt/xenapi DESTDIR="$INSTALLED/stage" >/dev/null || die "make install with DESTDIR failed"
  grep -qx 'prefix=/opt/xenapi' "$staged/lib/pkgconfig/libxenserver.pc" \
    || die "the staged .pc does not name PREFIX: $(cat "$staged/lib/pkgconfig/libxenserver.pc")"
  ! grep -q "$INSTALLED" "$staged/lib/pkgconfig/libxenserver.pc" || die "the staged .pc names the DESTDIR"
  [ -f "$staged/lib/libxenserver.a" ] && [ -f "$staged/lib/libxenserver.so" ] && [ -f "$staged/include/xen/api/xen_all.h" ] \
    || die "make install with DESTDIR did not stage the libraries and headers"
  make -s -C generated/c uninstall PREFIX=/opt/xenapi DESTDIR="$INSTALLED/stage" || die "make uninstall failed"
  left=$(find "$INSTALLED/stage" -type f)
  [ -z "$left" ] || die "make uninstall left files behind: $left"
  echo "installed, linked shared and static, uninstalled"
}

if [ -n "$BUILD" ]; then
  for cc in "${COMPILERS[@]}"; do build_with "$cc"; done
  install_and_link
fi
if [ -z "$RUN" ]; then
  echo "C SDK and test programs built"
  exit 0
fi

# Waits for a file to hold a port number; prints it.
wait_port_file() {
  local file=$1 pid=$2
  for _ in $(seq 1 200); do
    if [ -s "$file" ]; then cat "$file"; return 0; fi
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# Waits for the simulator to print the address it listens on; prints the port.
wait_sim_port() {
  local log=$1 pid=$2 port
  for _ in $(seq 1 300); do
    port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$log" | head -n1)
    if [ -n "$port" ]; then echo "$port"; return 0; fi
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

VALGRIND=(valgrind --leak-check=full --error-exitcode=1)
RESULTS=()

# Runs a program under valgrind; prints valgrind's summaries.
run_valgrind() {
  local name=$1; shift
  local log=$LOGS/$name.valgrind.log out=$LOGS/$name.out
  printf -- '--- %s\n' "$*"
  if "${VALGRIND[@]}" --log-file="$log" "$@" >"$out" 2>&1; then
    tail -n 3 "$out"
    grep -E 'ERROR SUMMARY|in use at exit|definitely lost|All heap blocks' "$log" | sed 's/^==[0-9]*== /    valgrind: /'
    RESULTS+=("ok    $name")
  else
    cat "$out"
    cat "$log"
    RESULTS+=("FAIL  $name")
    return 1
  fi
}

failed=0

step "damaged replies through a fake transport (fuzz)"
run_valgrind fuzz "$TESTS/build/fuzz" 3000 1 || failed=1
if [ -n "${ASAN:-}" ]; then
  step "the same with AddressSanitizer and UndefinedBehaviorSanitizer (ASAN=1)"
  san="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer"
  make -s -C generated/c -j"$JOBS" BUILD=build/asan CFLAGS="$san" build/asan/libxenserver.a
  make -s -C tests/c BUILD=build/asan CFLAGS="$san" build/asan/fuzz
  if UBSAN_OPTIONS=halt_on_error=1 "$TESTS/build/asan/fuzz" 100000 2; then
    RESULTS+=("ok    fuzz-asan")
  else
    RESULTS+=("FAIL  fuzz-asan"); failed=1
  fi
fi

step "the deliberately broken server"
rm -f "$LOGS/broken.port"
python3 "$TESTS/broken_server.py" --port-file "$LOGS/broken.port" 2>"$LOGS/broken-server.log" &
PIDS+=($!)
BROKEN_PORT=$(wait_port_file "$LOGS/broken.port" "${PIDS[-1]}") || die "the broken server did not start"
echo "listening on 127.0.0.1:$BROKEN_PORT"
for cc in "${COMPILERS[@]}"; do
  build=build
  [ "$cc" = gcc ] || build=build/$cc
  run_valgrind "broken-$cc" "$TESTS/$build/broken" "http://127.0.0.1:$BROKEN_PORT" || failed=1
done

step "the simulator"
if [ ! -f xenapi-sim/Cargo.toml ]; then
  printf '\n%s\n%s\n%s\n\n' \
    '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!' \
    '!!! xenapi-sim is not in this tree: the simulator scenario is SKIPPED !!!' \
    '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!'
  RESULTS+=("SKIP  scenario (no xenapi-sim)")
else
  SIM=${XENAPI_SIM:-}
  if [ -z "$SIM" ]; then
    cargo build -q -p xenapi-sim || die "xenapi-sim does not build"
    SIM=${CARGO_TARGET_DIR:-$ROOT/target}/debug/xenapi-sim
  fi
  [ -x "$SIM" ] || die "no simulator binary at $SIM"
  "$SIM" --listen 127.0.0.1:0 >"$LOGS/sim.log" 2>&1 &
  PIDS+=($!)
  SIM_PORT=$(wait_sim_port "$LOGS/sim.log" "${PIDS[-1]}") || { cat "$LOGS/sim.log"; die "the simulator did not start"; }
  echo "listening on 127.0.0.1:$SIM_PORT"
  run_valgrind scenario-static "$TESTS/build/scenario" "http://127.0.0.1:$SIM_PORT" || failed=1
  run_valgrind scenario-shared "$TESTS/build/scenario-shared" "http://127.0.0.1:$SIM_PORT" || failed=1
  run_valgrind compat "$TESTS/build/compat" "http://127.0.0.1:$SIM_PORT" || failed=1
  run_valgrind cxx "$TESTS/build/cxx" "http://127.0.0.1:$SIM_PORT" || failed=1
  # Built against the installed SDK (see install_and_link): they check the
  # link, not the code, so valgrind is spared them.
  for kind in shared static; do
    printf -- '--- installed SDK, %s: %s\n' "$kind" "$INSTALLED/$kind"
    if "$INSTALLED/$kind" "http://127.0.0.1:$SIM_PORT" >"$LOGS/installed-$kind.out" 2>&1; then
      tail -n 1 "$LOGS/installed-$kind.out"
      RESULTS+=("ok    installed-$kind")
    else
      cat "$LOGS/installed-$kind.out"
      RESULTS+=("FAIL  installed-$kind"); failed=1
    fi
  done
  if [ -z "${NO_CLANG:-}" ]; then
    run_valgrind scenario-clang "$TESTS/build/clang/scenario" "http://127.0.0.1:$SIM_PORT" || failed=1
  fi
fi

if [ -f "$LOGS/sim.log" ] && grep -q "panicked at" "$LOGS/sim.log"; then
  grep -A5 "panicked at" "$LOGS/sim.log"
  RESULTS+=("FAIL  the simulator panicked (see $LOGS/sim.log)")
  failed=1
fi

step "results"
printf '%s\n' "${RESULTS[@]}"
[ "$failed" = 0 ] || die "some C SDK tests failed (logs in $LOGS)"
echo "all C SDK tests passed"
