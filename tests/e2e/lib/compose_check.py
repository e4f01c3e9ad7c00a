"""The compose checks: `compose up` of a project's generated compose.yaml on one engine.

Docker Compose v2 (E2E_COMPOSE, fetched from Debian trixie by standins.sh) drives both
engines: docker through its daemon, podman through `podman system service` (podman's
Docker-compatible API, classic builder: the API has no BuildKit). The app must reach
healthy, every one-shot service (`migrate`) must exit 0, the app must answer on its
published port, and `down -v` must leave no container or volume behind.
"""
import contextlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path


def project_name(slug, engine_name):
    """A Compose project name of its own per row, so runners side by side never share one."""
    return re.sub(r"[^a-z0-9_-]+", "-", f"dockform-e2e-{slug}-{engine_name}".lower())


def one_shots(config):
    """Services another one waits for with `service_completed_successfully` (`migrate`)."""
    out = set()
    for svc in (config.get("services") or {}).values():
        for dep, how in (svc.get("depends_on") or {}).items():
            if (how or {}).get("condition") == "service_completed_successfully":
                out.add(dep)
    return out


def app_port(config, app):
    """The container port of the app's first published port, or None."""
    ports = ((config.get("services") or {}).get(app) or {}).get("ports") or []
    return int(ports[0]["target"]) if ports else None


def override(services, app, port, limits=None):
    """A Compose file merged over the project's: the app's port on an ephemeral loopback
    port (its fixed host port would collide with other runners and helpers), its image's
    health check every 2 s (Docker waits one interval, 30 s, before the first), and with
    `limits` (nofile, nproc) those ulimits on every service (podman asks for more than
    this host grants and runc then refuses to start)."""
    lines = ["services:"]
    for name in services:
        body = []
        if name == app:
            if port:
                body += ["    ports: !override", f'      - "127.0.0.1::{port}"']
            body += ["    healthcheck:", "      interval: 2s"]
        if limits:
            body += ["    ulimits:", f"      nofile: {limits[0]}", f"      nproc: {limits[1]}"]
        if body:
            lines += [f"  {json.dumps(name)}:"] + body
    return "\n".join(lines) + "\n"


def parse_ps(text):
    """`compose ps --format json`: a JSON array (Compose before 2.21) or one object a line."""
    text = text.strip()
    if not text:
        return []
    if text.startswith("["):
        return json.loads(text)
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def pending(rows, shots, services):
    """(services not ready yet, services that failed) from `compose ps -a` rows: a one-shot
    is ready when it exited 0; any other service when it runs and, if it has a health
    check, is healthy. A service with no container is pending."""
    seen = {r.get("Service"): r for r in rows}
    waiting, failed = [], []
    for name in services:
        r = seen.get(name)
        if r is None:
            waiting.append(f"{name}: no container")
            continue
        state, health, code = r.get("State", ""), r.get("Health", ""), r.get("ExitCode", 0)
        if name in shots:
            if state != "exited":
                waiting.append(f"{name}: {state}")
            elif code != 0:
                failed.append(f"{name}: exited {code}")
        elif state != "running":
            (failed if state in ("exited", "dead") else waiting).append(f"{name}: {state} (exit {code})")
        elif health == "unhealthy":
            failed.append(f"{name}: unhealthy")
        elif health not in ("", "healthy"):
            waiting.append(f"{name}: {health}")
    return waiting, failed


@contextlib.contextmanager
def compose_env(engine, logs):
    """The environment Compose runs in: docker's own; for podman, its API served on a
    private socket for the duration (stopped afterwards) and the classic builder."""
    env = dict(os.environ)
    if engine.name != "podman":
        yield env
        return
    tmp = Path(tempfile.mkdtemp(prefix="e2e-podman-api-"))
    sock = tmp / "podman.sock"
    with open(logs / "podman-service.log", "w") as log:
        proc = subprocess.Popen([engine.cmd, "system", "service", "--time=0", f"unix://{sock}"],
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 20
            while not sock.exists() and time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.2)
            env.update(DOCKER_HOST=f"unix://{sock}", DOCKER_BUILDKIT="0")
            yield env
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def health_timer(engine, project):
    """Podman runs health checks from systemd timers, and there is no systemd here: while
    Compose waits for `service_healthy`, run each container's check every 2 s by hand (a
    container with no check just fails the call). Docker's daemon runs its own."""
    if engine.name != "podman":
        yield
        return
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ids = engine.run("ps", "-q", "--filter", f"label=com.docker.compose.project={project}",
                             check=False).stdout.split()
            for cid in ids:
                engine.run("healthcheck", "run", cid, check=False)
            stop.wait(2)

    t = threading.Thread(target=tick, daemon=True)
    t.start()
    try:
        yield
    finally:
        stop.set()
        t.join(timeout=30)


def compose_check(ctx, engine, cfg, check, logs, row, slug, timeout, http_get, limits):
    """Runs the compose checks on rows whose e2e config has `"compose": true`."""
    if not cfg.get("compose"):
        return
    tool = os.environ.get("E2E_COMPOSE", "")
    if not tool or not shutil.which(tool):
        check("compose_up", False, f"no Compose tool (E2E_COMPOSE={tool!r}; run.sh sets it from standins.sh)")
        return
    project = project_name(slug, engine.name)
    with compose_env(engine, logs) as env:
        base = [tool, "-p", project, "-f", str(ctx / "compose.yaml")]

        def compose(*args, timeout=120):
            return subprocess.run([*base, "-f", str(ctx.parent / "compose.e2e.yaml"), *args],
                                  capture_output=True, text=True, env=env, timeout=timeout)

        conf = subprocess.run([*base, "config", "--format", "json"], capture_output=True, text=True, env=env)
        if not check("compose_config", conf.returncode == 0, conf.stderr.strip()[-400:]):
            return
        config = json.loads(conf.stdout)
        app = cfg.get("compose_service", "app")
        services = sorted(config.get("services") or {})
        port = app_port(config, app)
        (ctx.parent / "compose.e2e.yaml").write_text(
            override(services, app, port, limits if engine.name == "podman" else None))
        t0 = time.monotonic()
        try:
            with health_timer(engine, project):
                up = compose_up(compose, engine, check, logs, row, timeout)
                # After a failed `up` one look says what failed: nothing more will start.
                if check_ready(compose, config, services, check, timeout if up else 0, t0, row) and port:
                    answers(compose, app, port, cfg, check, http_get, timeout)
        finally:
            down(compose, engine, project, check, logs)
        row["times"]["compose_s"] = round(time.monotonic() - t0, 1)


def compose_up(compose, engine, check, logs, row, timeout):
    limit = int(os.environ.get("E2E_BUILD_TIMEOUT", "600")) + timeout
    t0 = time.monotonic()
    try:
        with engine.store_lock(exclusive=False):
            p = compose("up", "-d", "--build", timeout=limit)
        rc, out = p.returncode, p.stdout + p.stderr
    except subprocess.TimeoutExpired:
        rc, out = 124, f"e2e: compose up stopped after {limit} s\n"
    row["times"]["compose_up_s"] = round(time.monotonic() - t0, 1)
    (logs / "compose-up.log").write_text(out)
    return check("compose_up", rc == 0, f"exit {rc}, see {logs / 'compose-up.log'}")


def check_ready(compose, config, services, check, timeout, t0, row):
    """Every service healthy (or running, without a check) and every one-shot exited 0."""
    shots = one_shots(config)
    deadline = time.monotonic() + timeout
    while True:
        rows = parse_ps(compose("ps", "-a", "--format", "json").stdout)
        waiting, failed = pending(rows, shots, services)
        if failed or not waiting or time.monotonic() >= deadline:
            break
        time.sleep(1)
    row["times"]["compose_ready_s"] = round(time.monotonic() - t0, 1)
    states = {r.get("Service"): r for r in rows}
    for name in sorted(shots):
        r = states.get(name, {})
        check(f"compose_{name}_completed", r.get("State") == "exited" and r.get("ExitCode") == 0,
              f"state {r.get('State')!r}, exit code {r.get('ExitCode')!r}")
    return check("compose_healthy", not waiting and not failed,
                 "; ".join(failed + waiting) + f" after {timeout} s")


def answers(compose, app, port, cfg, check, http_get, timeout):
    out = compose("port", app, str(port)).stdout.strip().splitlines()
    if not out:
        check("compose_answers", False, f"`compose port {app} {port}` printed nothing")
        return
    url = f"http://127.0.0.1:{out[-1].rsplit(':', 1)[1]}{cfg.get('compose_path', '/')}"
    try:
        status, body = http_get(url, timeout)
    except TimeoutError as e:
        check("compose_answers", False, str(e))
        return
    want = int(cfg.get("compose_expect_status", 200))
    check("compose_answers", status == want and cfg.get("compose_expect_output", "") in body,
          f"{url} answered {status} {body[:120]!r}")


def down(compose, engine, project, check, logs):
    """Saves the services' logs, then `down` with volumes and built images; nothing of the
    project may be left."""
    p = compose("logs", "--no-color", "--timestamps")
    (logs / "compose-services.log").write_text(p.stdout + p.stderr)
    with engine.store_lock(exclusive=True):
        p = compose("down", "--volumes", "--rmi", "local", "--remove-orphans", "-t", "10")
    (logs / "compose-down.log").write_text(p.stdout + p.stderr)
    label = f"label=com.docker.compose.project={project}"
    left = engine.run("ps", "-aq", "--filter", label, check=False).stdout.split()
    left += engine.run("volume", "ls", "-q", "--filter", label, check=False).stdout.split()
    check("compose_down_clean", p.returncode == 0 and not left,
          f"exit {p.returncode}, left behind: {', '.join(left) or 'nothing'}")
