#!/usr/bin/env bash
# End-to-end over dockform's own fixtures: generate each fixture's files with the real
# binary (`init --yes` plus the fixture's `.args`), add its expectations from
# tests/e2e/fixtures/<name>.json, and hand the projects to run.sh.
# usage: tests/e2e/fixtures.sh [run.sh options] [FIXTURE...]   (default: every fixture)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
out=$root/target/e2e/projects
opts=() names=()
for a in "$@"; do
  case $a in
    --*) opts+=("$a") ;;
    *) names+=("$a") ;;
  esac
done
if [ "${#names[@]}" -eq 0 ]; then
  for f in "$root"/tests/e2e/fixtures/*.json; do names+=("$(basename "$f" .json)"); done
fi

# Debian trixie carries Python 3.13 only: fixtures that pin 3.12 or 3.14 build on the
# 3.13 stand-in under their own tag, and a range that resolves to Node 26 (the newest
# LTS) on the Node 24 stand-in (the report lists the aliases).
export DOCKFORM_E2E_ALIASES="${DOCKFORM_E2E_ALIASES:-python:3.12-slim-trixie=python:3.13-slim-trixie python:3.14-slim-trixie=python:3.13-slim-trixie node:26-trixie-slim=node:24-trixie-slim}"

cargo build --release --quiet --manifest-path "$root/Cargo.toml"
dockform=$root/target/release/dockform
# The runner checks `dockform verify` on rows whose e2e.json asks for it.
export DOCKFORM_BIN=$dockform
rm -rf "$out"
mkdir -p "$out"
for name in "${names[@]}"; do
  src=$root/tests/fixtures/$name
  [ -d "$src" ] || { echo "no fixture $name" >&2; exit 2; }
  cp -a "$src" "$out/$name"
  args=()
  if [ -f "$src.args" ]; then mapfile -t args < "$src.args"; fi
  "$dockform" init --yes --quiet --no-config "${args[@]}" "$out/$name"
  # A workspace (`ws-*`) writes a Dockerfile per app, built from the root: each app is
  # a row of its own, a copy of the root with that app's Dockerfile at the top (the
  # same build as `docker build -f APP/Dockerfile .`) and its part of the expectations.
  if [[ $name == ws-* ]]; then
    for app in $(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["apps"]))' "$root/tests/e2e/fixtures/$name.json"); do
      row=$out/$name@${app##*/}
      cp -a "$out/$name" "$row"
      cp "$row/$app/Dockerfile" "$row/Dockerfile"
      python3 -c 'import json,sys; json.dump(json.load(open(sys.argv[1]))["apps"][sys.argv[2]], open(sys.argv[3], "w"))' \
        "$root/tests/e2e/fixtures/$name.json" "$app" "$row/e2e.json"
    done
    rm -rf "${out:?}/$name"
    continue
  fi
  cp "$root/tests/e2e/fixtures/$name.json" "$out/$name/e2e.json"
  # `prepare`: a command run in the copy after init, e.g. `cargo generate-lockfile` for a
  # fixture whose committed lockfile is a hand-made one in the real one's shape (a real
  # one names the registry, which nothing committed may do).
  python3 -c 'import json, subprocess, sys
cmd = json.load(open(sys.argv[1])).get("prepare")
if cmd:
    subprocess.run(cmd, cwd=sys.argv[2], check=True, stdout=subprocess.DEVNULL)' \
    "$out/$name/e2e.json" "$out/$name"
done
exec "$root/tests/e2e/run.sh" "${opts[@]}" "$out"
