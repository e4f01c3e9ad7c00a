#!/usr/bin/env bash
# Build, run and inspect generated Dockerfiles on docker and podman.
# usage: tests/e2e/run.sh [--out DIR] [--quick] [--no-standins] PROJECT_OR_ROOT...
# Each argument is a project directory with a Dockerfile, or a directory of them.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
E2E_CACHE=${DOCKFORM_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dockform-e2e}
# shellcheck source=lib/engines.sh
. "$here/lib/engines.sh"

args=()
standins=1
for a in "$@"; do
  case $a in
    --no-standins) standins=0 ;;
    *) args+=("$a") ;;
  esac
done
[ "${#args[@]}" -gt 0 ] || die "usage: run.sh [--out DIR] [--quick] [--no-standins] PROJECT_OR_ROOT..."

if [ "$standins" = 1 ]; then
  "$here/standins.sh"
fi
pick_engines
export E2E_DOCKER=$DOCKER E2E_PODMAN=$PODMAN
exec python3 "$here/lib/runner.py" "${args[@]}"
