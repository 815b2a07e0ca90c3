#!/usr/bin/env bash
# Creates or updates the project's Python tools (moto, cfn-lint) in ./.venv from
# requirements-dev.txt and prints the venv's path on stdout (everything else goes to stderr):
#
#   VENV="$(scripts/venv.sh)" && "$VENV/bin/cfn-lint" ...
#
# Idempotent and fast when up to date: a stamp in the venv records the hash of the
# requirements and the Python version it was built with; pip runs only when that changes.
# Concurrent callers (parallel test workers, CI) are serialised with flock when available.
# Override the interpreter with PYTHON=/path/to/python3.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
requirements="$root/requirements-dev.txt"
stamp="$venv/.requirements.sha256"
python="${PYTHON:-python3}"

if ! command -v "$python" >/dev/null 2>&1; then
  echo "venv.sh: $python not found; install Python 3 (with its venv module)" >&2
  exit 1
fi

want="$(
  {
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
    echo "venv.sh: installing $(basename "$requirements") into $venv" >&2
    # A venv from another interpreter version cannot be upgraded in place reliably.
    if [[ -x "$venv/bin/python" ]] &&
      ! "$venv/bin/python" -c 'import sys; sys.exit(sys.version != sys.argv[1])' \
        "$("$python" -c 'import sys; print(sys.version)')" 2>/dev/null; then
      find "$venv" -mindepth 1 -maxdepth 1 ! -name .lock -exec rm -rf {} +
    fi
    [[ -x "$venv/bin/python" ]] || "$python" -m venv "$venv" >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
      --no-input -r "$requirements" >&2
    echo "$want" >"$stamp"
  fi
fi

echo "$venv"
