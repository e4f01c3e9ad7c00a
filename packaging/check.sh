#!/usr/bin/env bash
# Proves every install channel locally, publishing nothing: builds each artefact from
# the release binary, installs it into a clean prefix, and runs `dockform --version`
# and `dockform init --stdout` on an example project there (the output must be the
# release binary's, byte for byte).
#
#   packaging/check.sh                 # archive, wheel, npm, crate
#   packaging/check.sh npm crate       # some
#   packaging/check.sh crate-install   # also compile the packaged crate (6 minutes)
#
# Needs Rust (the release binary is built when stale), Python 3 with venv, and npm for the
# npm channel. It reaches package registries only: the wheel's first run installs
# maturin into a virtualenv under target/dist/tools, and Cargo fetches crates it lacks.
set -euo pipefail
cd "$(dirname "$0")/.."

MATURIN=maturin==1.16.0
bin=target/release/dockform
out=target/dist
example=tests/fixtures/node-express-npm
channels=("$@")
[ ${#channels[@]} -gt 0 ] || channels=(archive wheel npm crate)

ver=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
cargo build --release --locked --quiet   # a no-op when the e2e step or a developer built it
mkdir -p "$out"
"$bin" init --stdout --yes --no-config "$example" > "$out/expected.txt"

# smoke NAME BINARY: the installed program reports the crate's version and generates
# what the release binary generates.
smoke() {
  local name=$1 installed=$2 version
  version=$("$installed" --version)
  [ "$version" = "dockform $ver" ] || { echo "$name: \`--version\` said \`$version\`" >&2; return 1; }
  if ! "$installed" init --stdout --yes --no-config "$example" | cmp --silent "$out/expected.txt"; then
    echo "$name: \`init --stdout\` differs from the release binary's" >&2
    return 1
  fi
  echo "$name: $version; init --stdout as the release binary"
}


timed() {
  local start=$SECONDS
  printf '\n--> %s\n' "$1"
  rm -rf "${out:?}/${1%-install}"
  "check_$1"
  printf -- '--> %s: %ss\n' "$1" $((SECONDS - start))
}

# (a) Release archive and checksum, in the layout `cargo binstall` reads.
check_archive() {
  local dir=$out/archive archive
  archive=$(python3 packaging/dist.py archive --binary "$bin" --out "$dir")
  (cd "$dir" && sha256sum --check --quiet "$(basename "$archive").sha256" && sha256sum --check --quiet sha256.sum)
  mkdir "$dir/prefix"
  tar -xzf "$archive" -C "$dir/prefix"
  local folder
  folder=$(basename "$archive" .tar.gz)
  for f in dockform README.md LICENSE-MIT LICENSE-APACHE; do
    [ -f "$dir/prefix/$folder/$f" ] || { echo "archive: no $folder/$f" >&2; return 1; }
  done
  smoke archive "$dir/prefix/$folder/dockform"
}

# (b) Python wheel (maturin, pyproject.toml), pip-installed into a fresh virtualenv:
# what `pipx install dockform` and `uvx dockform` do.
check_wheel() {
  local dir=$out/wheel tools=$out/tools
  if ! "$tools/bin/maturin" --version 2>/dev/null | grep -q "${MATURIN#maturin==}"; then
    python3 -m venv --clear "$tools"
    "$tools/bin/python" -m pip install --quiet --disable-pip-version-check "$MATURIN"
  fi
  "$tools/bin/maturin" build --release --locked --quiet --out "$dir" >/dev/null
  python3 -m venv "$dir/venv"
  "$dir/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-index "$dir"/dockform-*.whl
  smoke wheel "$dir/venv/bin/dockform"
}

# (c) npm: the platform package and the main package (launcher plus optional
# dependencies), installed from the local tarballs into a clean prefix. `--offline`:
# the other platforms' packages are not fetched, and optional ones may be missing.
check_npm() {
  local dir=$out/npm
  python3 packaging/dist.py npm --binary "$bin" --out "$dir" >/dev/null
  mkdir "$dir/prefix"
  (cd "$dir/prefix" && printf '{"private": true}\n' > package.json &&
    npm install --offline --no-audit --no-fund --loglevel=error \
      ../dockform-[a-z]*-"$ver".tgz "../dockform-$ver.tgz" >/dev/null)
  smoke npm "$dir/prefix/node_modules/.bin/dockform"
  # `npx dockform` in a project that has it installed.
  local npx
  npx=$(cd "$dir/prefix" && npx --offline --no-install dockform --version)
  [ "$npx" = "dockform $ver" ] || { echo "npx: \`--version\` said \`$npx\`" >&2; return 1; }
  echo "npx dockform: $npx"
}

# (d) The crate as the Rust crate registry would receive it: the file list holds the
# embedded templates and presets and none of the tests, and it packs under the
# registry's 10 MB.
check_crate() {
  local list crate size
  list=$(cargo package --locked --allow-dirty --list)
  for need in src/main.rs templates/node/Dockerfile.j2 presets/node.toml README.md LICENSE-MIT Cargo.lock; do
    grep -qx "$need" <<<"$list" || { echo "crate: \`$need\` is not packaged" >&2; return 1; }
  done
  if grep -q '^tests/' <<<"$list"; then echo "crate: tests are packaged" >&2; return 1; fi
  cargo package --locked --allow-dirty --no-verify --quiet
  crate=target/package/dockform-$ver.crate
  size=$(stat -c %s "$crate")
  [ "$size" -lt 10000000 ] || { echo "crate: $size bytes, over the registry's 10 MB" >&2; return 1; }
  echo "crate: $(wc -l <<<"$list") files, $size bytes"
}

# (d, not in the default run: it compiles the crate, about 6 minutes on 2 cores) The
# packaged crate builds and `cargo install` puts it into a clean root, as
# `cargo install dockform` would.
check_crate-install() {
  check_crate
  local dir=$out/crate
  mkdir -p "$dir"
  tar -xzf "target/package/dockform-$ver.crate" -C "$dir"
  CARGO_TARGET_DIR=$PWD/target cargo install --offline --locked --quiet \
    --path "$dir/dockform-$ver" --root "$dir/root"
  smoke crate "$dir/root/bin/dockform"
}

for channel in "${channels[@]}"; do
  timed "$channel"
done
