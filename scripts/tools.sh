#!/usr/bin/env bash
# Installs the tools the test suite needs that are not there yet, so that
# `bash scripts/test.sh` works on a fresh Debian machine by itself:
#
# - Debian packages (compilers, valgrind, libxml2/libcurl headers,
#   rsvg-convert, python3-venv), with apt-get when run as root; as
#   another user it names the missing ones and the command to install
#   them, and fails;
# - rustup's clippy and rustfmt;
# - mdBook at the pinned version ($MDBOOK_VERSION), with `cargo install`,
#   only its search feature: the tests build the site, they don't serve
#   it.
#
# Each is checked first and costs nothing when present. Sourced by
# scripts/test.sh (it exports MDBOOK_VERSION and puts Cargo's bin folder
# on PATH); can also be run on its own.
set -euo pipefail

PACKAGES=(
  pkg-config ca-certificates build-essential clang valgrind
  libxml2-dev libcurl4-openssl-dev python3 python3-venv openssl
  librsvg2-bin
)
export MDBOOK_VERSION="${MDBOOK_VERSION:-0.5.4}"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

missing_packages() {
  command -v dpkg-query >/dev/null 2>&1 || return 0
  local p
  for p in "${PACKAGES[@]}"; do
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] || echo "$p"
  done
}

install_tools() {
  local missing
  missing=$(missing_packages | tr '\n' ' ')
  if [ -n "${missing// /}" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "installing Debian packages: $missing"
      apt-get update -qq
      # shellcheck disable=SC2086
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
    else
      echo "the tests need these Debian packages: $missing" >&2
      echo "install them with: sudo apt-get install $missing" >&2
      return 1
    fi
  fi

  if ! cargo clippy --version >/dev/null 2>&1 || ! rustfmt --version >/dev/null 2>&1; then
    rustup component add clippy rustfmt
  fi

  if [ "$(mdbook --version 2>/dev/null)" != "mdbook v$MDBOOK_VERSION" ]; then
    echo "installing mdBook $MDBOOK_VERSION (compiles once, a few minutes)"
    cargo install -q mdbook --locked --version "$MDBOOK_VERSION" --no-default-features --features search
  fi
}

# Run directly: install and stop. Sourced: define, and let the caller run.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  install_tools
fi
