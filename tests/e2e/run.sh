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
runner=$here/lib/runner.py
if [ -n "$DOCKER" ] && [ -n "$PODMAN" ] && [ "${E2E_PARALLEL:-1}" = 1 ]; then
  # The engines share nothing, and builds wait on the network as much as on the CPU:
  # one runner per engine side by side, then one report of both.
  out=target/e2e
  for i in "${!args[@]}"; do [ "${args[$i]}" = --out ] && out=${args[$((i + 1))]}; done
  rest=()
  skip=0
  for a in "${args[@]}"; do
    if [ "$skip" = 1 ]; then skip=0; continue; fi
    if [ "$a" = --out ]; then skip=1; continue; fi
    rest+=("$a")
  done
  E2E_DOCKER=$DOCKER E2E_PODMAN='' python3 "$runner" --out "$out/docker" "${rest[@]}" &
  d=$!
  E2E_DOCKER='' E2E_PODMAN=$PODMAN python3 "$runner" --out "$out/podman" "${rest[@]}" &
  p=$!
  wait "$d" || true
  wait "$p" || true
  exec python3 "$runner" --merge --out "$out" "$out/docker" "$out/podman"
fi
export E2E_DOCKER=$DOCKER E2E_PODMAN=$PODMAN
exec python3 "$runner" "${args[@]}"
