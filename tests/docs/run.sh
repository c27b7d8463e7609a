#!/usr/bin/env bash
# Builds the mdBook of generated/docs and checks every link of the HTML it
# writes (tests/docs/check_links.py), after the checker's own tests.
#
#   bash tests/docs/run.sh
#
# Needs python3 and mdbook. Without mdbook the step says so and passes,
# except under CI=true, where it fails: CI installs the pinned version
# (.ci/run, which also exports MDBOOK_VERSION so that a different one on
# the PATH is an error rather than a silent change of tool).
set -euo pipefail
cd "$(dirname "$0")/../.."

python3 -m unittest -q tests/docs/test_check_links.py

if ! command -v mdbook >/dev/null 2>&1; then
  if [ "${CI:-}" = true ]; then
    echo "mdbook is not installed, and CI must build the docs site (.ci/run installs it)" >&2
    exit 1
  fi
  echo "mdbook is not installed: the docs site was not built. Install it as .ci/run does:"
  echo "  cargo install mdbook --locked --version ${MDBOOK_VERSION:-<see .ci/run>} --no-default-features --features search"
  exit 0
fi
version=$(mdbook --version)
echo "$version"
if [ -n "${MDBOOK_VERSION:-}" ] && [ "$version" != "mdbook v$MDBOOK_VERSION" ]; then
  echo "expected mdbook v$MDBOOK_VERSION, found: $version" >&2
  exit 1
fi

# The site where the README says it is; mdBook empties the folder first,
# so nothing stale is checked.
site=generated/docs/book
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! mdbook build generated/docs >"$log" 2>&1; then
  cat "$log" >&2
  echo "mdbook build failed" >&2
  exit 1
fi
# Any warning is a fault of the pages (an unclosed HTML tag, a missing
# file), except the size of the search index, which is the size of the
# reference itself.
warnings=$(grep -E '\b(WARN|ERROR)\b' "$log" | grep -v 'search index is very large' || true)
if [ -n "$warnings" ]; then
  cat "$log" >&2
  echo "mdbook warned about the pages:" >&2
  echo "$warnings" >&2
  exit 1
fi
python3 tests/docs/check_links.py "$site"
