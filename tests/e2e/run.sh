#!/usr/bin/env bash
# Build, run and inspect generated Dockerfiles on docker and podman.
# usage: tests/e2e/run.sh [--out DIR] [--quick] [--no-standins] PROJECT_OR_ROOT...
# Each argument is a project directory with a Dockerfile, or a directory of them.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
E2E_CACHE=${DOCKFORM_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dockform-e2e}
export E2E_CACHE   # the runner restarts a stopped dockerd with its log there
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
# The Compose implementation for rows that ask for the compose checks (see standins.sh).
if [ -z "${E2E_COMPOSE:-}" ] && [ -x "$E2E_CACHE/bin/docker-compose" ]; then
  export E2E_COMPOSE=$E2E_CACHE/bin/docker-compose
fi
runner=$here/lib/runner.py
jobs=${E2E_JOBS:-1}
if [ "${E2E_PARALLEL:-1}" = 1 ]; then
  # One runner per engine side by side (the engines share nothing), or E2E_JOBS per
  # engine, each taking every E2E_JOBS-th project; then one report of all their rows.
  # On 2 cores a second runner per engine mostly competes with the CPU-bound builds
  # (go test, rustc, next build) of the first.
  out=target/e2e
  for i in "${!args[@]}"; do [ "${args[$i]}" = --out ] && out=${args[$((i + 1))]}; done
  rest=()
  skip=0
  for a in "${args[@]}"; do
    if [ "$skip" = 1 ]; then skip=0; continue; fi
    if [ "$a" = --out ]; then skip=1; continue; fi
    rest+=("$a")
  done
  pids=() dirs=()
  for engine in docker podman; do
    if [ "$engine" = docker ]; then cmd=$DOCKER; else cmd=$PODMAN; fi
    [ -n "$cmd" ] || continue
    # Podman builds and runs the same rows more slowly than docker (a light Next.js row
    # took 200 s against 50 s): E2E_JOBS_PODMAN gives it more runners.
    n=$jobs
    if [ "$engine" = podman ]; then n=${E2E_JOBS_PODMAN:-$jobs}; fi
    for ((s = 0; s < n; s++)); do
      dir=$out/$engine-$s
      if [ "$engine" = docker ]; then
        E2E_DOCKER=$cmd E2E_PODMAN='' python3 "$runner" --shard "$s/$n" --out "$dir" "${rest[@]}" &
      else
        E2E_DOCKER='' E2E_PODMAN=$cmd python3 "$runner" --shard "$s/$n" --out "$dir" "${rest[@]}" &
      fi
      pids+=("$!") dirs+=("$dir")
    done
  done
  for p in "${pids[@]}"; do wait "$p" || true; done
  exec python3 "$runner" --merge --out "$out" "${dirs[@]}"
fi
export E2E_DOCKER=$DOCKER E2E_PODMAN=$PODMAN
exec python3 "$runner" "${args[@]}"
