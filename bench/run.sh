#!/usr/bin/env bash
# Benchmarks `dockform detect` and `dockform init --stdout` (release build) on a small
# app, a 100,000-file app with a deep node_modules, and a 5,000-package workspace.
# Needs hyperfine (`apt-get install -y hyperfine`) and GNU time (/usr/bin/time).
# Usage: bench/run.sh [trees-dir]   (trees are generated once, then reused)
set -euo pipefail
cd "$(dirname "$0")/.."
trees="${1:-${TMPDIR:-/tmp}/dockform-bench}"
cargo build --release --quiet
bin="$PWD/target/release/dockform"
if [ ! -f "$trees/.done" ]; then
    rm -rf "$trees"
    python3 bench/gen_trees.py "$trees"
    touch "$trees/.done"
fi
out="$PWD/target/bench"
mkdir -p "$out"
# Keep the page cache warm and measure the program, not the disk.
cases=(
    "small detect|$bin detect $trees/small"
    "small init --stdout|$bin init --yes --stdout $trees/small"
    "100k files detect|$bin detect $trees/big"
    "100k files init --stdout|$bin init --yes --stdout $trees/big"
    "workspace root detect (refused: exit 1)|$bin detect $trees/workspaces"
    "workspace app detect|$bin detect $trees/workspaces/packages/pkg-2500"
    "workspace app init --stdout|$bin init --yes --stdout $trees/workspaces/packages/pkg-2500"
)
args=()
for c in "${cases[@]}"; do
    args+=(-n "${c%%|*}" "${c#*|}")
done
hyperfine -N -i --warmup 3 --min-runs 20 --export-markdown "$out/times.md" --export-json "$out/times.json" "${args[@]}"
echo
echo "| case | max RSS (MB) |"
echo "| --- | ---: |"
for c in "${cases[@]}"; do
    # shellcheck disable=SC2086 # the command line is split on purpose
    /usr/bin/time -f "%M" -o "$out/rss.txt" ${c#*|} >/dev/null 2>&1 || true
    printf '| %s | %.1f |\n' "${c%%|*}" "$(echo "$(tail -1 "$out/rss.txt") / 1024" | bc -l)"
done | tee "$out/rss.md"
echo
cat "$out/times.md"
