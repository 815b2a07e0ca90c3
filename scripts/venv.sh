#!/usr/bin/env bash
# Creates or updates one set of the project's Python tools and prints its venv's path on
# stdout (everything else, pip's progress included, goes to stderr):
#
#   scripts/venv.sh [local]  requirements/local.txt into .venv: the moto emulator (npm start,
#                            npm test)
#   scripts/venv.sh test     requirements/test.txt into .venv-test: cfn-lint (one integration
#                            test and CI)
#   scripts/venv.sh ci       requirements/ci.txt into .venv-ci: checkov, schemathesis (CI only)
#
#   VENV="$(scripts/venv.sh test)" && "$VENV/bin/cfn-lint" ...
#
# Idempotent and fast when up to date: a stamp in the venv records the hash of the set's
# requirements and the Python version it was built with; pip runs only when that changes.
# Concurrent callers (parallel test workers, CI) are serialised with flock when available.
# Override the interpreter with PYTHON=/path/to/python3. ROLEBROKER_INTERNAL_VENV moves the
# local set's venv (the first-start check times a fresh one); not for everyday use.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
set_name="${1:-local}"
case "$set_name" in
local)
  venv="${ROLEBROKER_INTERNAL_VENV:-$root/.venv}"
  what='the local emulator (moto)'
  expect='about 15 s'
  # Byte-compiling every module at install was most of pip's CPU time (moto alone has
  # ~1,450) and the emulator imports ~150: moto_server writes those on its first start
  # (scripts/emulator.ts). The other sets' tools are compiled at install as usual.
  compile=--no-compile
  ;;
test)
  venv="$root/.venv-test"
  what='the test tools (cfn-lint)'
  expect='about 15 s'
  compile=--compile
  ;;
ci)
  venv="$root/.venv-ci"
  what='the CI tools (checkov, schemathesis)'
  expect='about a minute'
  compile=--compile
  ;;
*)
  echo "venv.sh: unknown set '$set_name' (local, test or ci)" >&2
  exit 2
  ;;
esac
requirements="$root/requirements/$set_name.txt"
stamp="$venv/.requirements.sha256"
python="${PYTHON:-python3}"

if ! command -v "$python" >/dev/null 2>&1; then
  echo "venv.sh: $python not found; install Python 3 (with its venv module)" >&2
  exit 1
fi

want="$(
  {
    echo "$set_name"
    sha256sum "$requirements" | cut -d' ' -f1
    "$python" -c 'import sys; print(sys.version)'
  } | sha256sum | cut -d' ' -f1
)"

up_to_date() {
  [[ -x "$venv/bin/python" ]] && [[ -f "$stamp" ]] && [[ "$(cat "$stamp")" == "$want" ]]
}

if ! up_to_date; then
  mkdir -p "$venv"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$venv/.lock"
    flock 9
  fi
  # Another caller may have finished the work while we waited for the lock.
  if ! up_to_date; then
    started=$SECONDS
    echo "venv.sh: installing $what into $venv from requirements/$set_name.txt" \
      "(first run or changed requirements only; $expect)" >&2
    # A venv from another interpreter version cannot be upgraded in place reliably.
    if [[ -x "$venv/bin/python" ]] &&
      ! "$venv/bin/python" -c 'import sys; sys.exit(sys.version != sys.argv[1])' \
        "$("$python" -c 'import sys; print(sys.version)')" 2>/dev/null; then
      find "$venv" -mindepth 1 -maxdepth 1 ! -name .lock -exec rm -rf {} +
    fi
    [[ -x "$venv/bin/python" ]] || "$python" -m venv "$venv" >&2
    # pip's own progress, on stderr.
    "$venv/bin/python" -m pip install --disable-pip-version-check --no-input \
      --progress-bar on "$compile" -r "$requirements" >&2
    echo "$want" >"$stamp"
    echo "venv.sh: $venv ready in $((SECONDS - started)) s" >&2
  fi
fi

echo "$venv"
