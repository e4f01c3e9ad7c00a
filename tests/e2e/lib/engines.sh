# Shared by standins.sh and run.sh: pick a docker client that can drive BuildKit
# against the local daemon (starting dockerd if needed), and podman.
# Sets DOCKER (command or empty) and PODMAN (command or empty).

log() { printf 'e2e: %s\n' "$*" >&2; }
die() { printf 'e2e: error: %s\n' "$*" >&2; exit 1; }

# A client can build with BuildKit if it has the buildx plugin or predates 23.0
# (which dropped the built-in BuildKit client).
docker_client_ok() {
  local c=$1 v
  "$c" buildx version >/dev/null 2>&1 && return 0
  # `docker version` exits non-zero while the daemon is down, yet prints the client's.
  v=$("$c" version --format '{{.Client.Version}}' 2>/dev/null || true)
  [ -n "$v" ] && [ "${v%%.*}" -lt 23 ] 2>/dev/null
}

ensure_dockerd() {
  local c=$1 i
  "$c" info >/dev/null 2>&1 && return 0
  command -v dockerd >/dev/null 2>&1 || return 1
  [ "$(id -u)" = 0 ] || return 1
  log "starting dockerd (log: ${E2E_CACHE:-/tmp}/dockerd.log)"
  mkdir -p "${E2E_CACHE:-/tmp}"
  local pidfile=/var/run/docker.pid attempt pid
  # A daemon that panicked takes a few seconds to exit (it stops its containers first):
  # a new one started meanwhile refuses ("pid file found"). Wait for it, then kill it.
  pid=$(cat "$pidfile" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    for i in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -9 "$pid" 2>/dev/null || true
    sleep 1
  fi
  for attempt in 1 2 3; do
    # A daemon that was killed leaves its pid file, and a new one refuses to start
    # although nothing runs under that pid.
    if [ -f "$pidfile" ] && ! kill -0 "$(cat "$pidfile" 2>/dev/null)" 2>/dev/null; then
      log "removing the stale $pidfile"
      rm -f "$pidfile"
    fi
    nohup dockerd >>"${E2E_CACHE:-/tmp}/dockerd.log" 2>&1 &
    pid=$!
    for i in $(seq 1 60); do
      "$c" info >/dev/null 2>&1 && return 0
      kill -0 "$pid" 2>/dev/null || break   # it exited: start it again
      sleep 1
    done
    log "dockerd did not come up (attempt $attempt)"
    sleep 2
  done
  return 1
}

pick_engines() {
  local c want=${E2E_ENGINES:-docker podman}
  DOCKER=""
  PODMAN=""
  case " $want " in *" docker "*)
    for c in ${DOCKER_CLI:-} $(type -ap docker) /usr/bin/docker; do
      [ -x "$c" ] || continue
      docker_client_ok "$c" || continue
      if ensure_dockerd "$c"; then DOCKER=$c; break; fi
    done
    [ -n "$DOCKER" ] || die "no docker client with BuildKit reaches a daemon (set DOCKER_CLI, or E2E_ENGINES=podman)"
  esac
  case " $want " in *" podman "*)
    PODMAN=$(command -v podman || true)
    [ -n "$PODMAN" ] || die "podman not found (or set E2E_ENGINES=docker)"
  esac
  export DOCKER_BUILDKIT=1
}
