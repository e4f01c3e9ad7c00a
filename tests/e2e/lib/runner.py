"""End-to-end runner: build, run and inspect each project's Dockerfile per engine.

Driven by run.sh, which picks the engines and passes them in E2E_DOCKER / E2E_PODMAN.
Writes report.json and report.md; exits 1 if any check failed.
"""
import argparse
import contextlib
import fcntl
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
import urllib.request
from pathlib import Path

import compose_check

HERE = Path(__file__).resolve().parent.parent
NAIVE = HERE / "naive"

DEPS_STEP = {
    "node": r"\b(npm ci|npm install|pnpm install|yarn install|yarn --frozen|yarn workspaces focus|bun install)",
    "go": r"\bgo mod download\b",
    # `uv sync` without --no-install-project (in a workspace, --no-install-workspace), and
    # `pip install [--no-deps] .`, install the project itself, with its sources, after
    # `COPY . .`: that step must re-run, it is not the dependency layer.
    "python": r"\b(pip install(?![^\n]*\s\.\s*$)|uv sync\b.*--no-install-(?:project|workspace)|uv pip install|poetry install|pipenv install)",
    # The build stage touches the real sources and must re-run; the dependency layer
    # is the cargo step without a `touch`.
    "rust": r"^(?!.*\btouch\b).*\bcargo (fetch|build)\b",
}
TOUCH = {
    "node": ["src/**/*.ts", "src/**/*.js", "*.js", "*.ts", "app/**/*.tsx", "pages/**/*.tsx"],
    "go": ["*.go", "cmd/**/*.go", "**/*.go"],
    "python": ["*.py", "src/**/*.py", "**/*.py"],
    "rust": ["src/main.rs", "src/lib.rs", "src/**/*.rs"],
}
# The file whose change must make the dependency step run again, first found wins.
LOCKFILES = ("package-lock.json", "npm-shrinkwrap.json", "pnpm-lock.yaml", "yarn.lock", "bun.lock",
             "Cargo.lock", "uv.lock", "poetry.lock", "Pipfile.lock", "requirements.txt",
             # no lockfile: the manifest the install step reads
             "package.json", "Pipfile", "pyproject.toml", "Cargo.toml")
# A change that keeps the lockfile valid: Cargo compares `--locked` lockfiles as text, so
# its probe rewrites the format version (3 and 4 read the same for registry-only locks),
# with a comment in Cargo.toml (copied beside it) that makes the layer new on every run.
LOCK_CHANGE = {"Cargo.lock": [{"file": "Cargo.lock", "replace": ["version = 4", "version = 3"]},
                              {"file": "Cargo.toml", "append": "\n# e2e lockfile probe {nonce}\n"}]}
COMPILER = re.compile(r"(^|/)s?bin/([\w.]+-)*(gcc|cc|go|cargo|rustc)(-[\d.]+)?$")
SOURCE = re.compile(r"(?<!\.d)\.ts$|\.go$|(^|/)src/([^/]+/)*[^/]+\.rs$")
# Also not sources: Next.js's generated type declarations under .next/types.
SYSTEM = re.compile(r"^usr/(lib|share|include|local/lib|local/include)/|(^|/)node_modules/|(^|/)\.next/types/")
CACHES = re.compile(
    r"^(root|home/[^/]+)/(\.npm/_cacache|\.cache/(pip|uv|go-build|yarn|pnpm)|\.cargo/registry"
    r"|\.local/share/pnpm/store|\.bun/install/cache|\.yarn/berry/cache)/."
    r"|^go/pkg/mod/.|^usr/local/cargo/registry/.|^usr/local/share/\.cache/yarn/."
    r"|^var/cache/apt/archives/[^/]+\.deb$"
)
TYPESCRIPT = re.compile(r"(^|/)node_modules/typescript/package\.json$")
# Credential files planted in each project's copy (where no file of that name exists):
# their marker must be in no layer of the final image. Their names are on dockform's
# deny list, so the .dockerignore keeps them out of the build context.
CANARY = "dockform-e2e-canary"
CANARIES = {
    ".npmrc": f"//registry.invalid/:_authToken={CANARY}\n",
    "id_rsa": f"-----BEGIN OPENSSH PRIVATE KEY-----\n{CANARY}\n",
    "server.key": f"{CANARY}\n",
    ".aws/credentials": f"[default]\naws_secret_access_key = {CANARY}\n",
    ".netrc": f"machine registry.invalid login u password {CANARY}\n",
    ".git-credentials": f"https://u:{CANARY}@registry.invalid\n",
    ".docker/config.json": f'{{"auths": {{"registry.invalid": {{"auth": "{CANARY}"}}}}}}\n',
    ".env": f"TOKEN={CANARY}\n",
    "config/.env": f"TOKEN={CANARY}\n",
    "service-account.json": f'{{"private_key": "{CANARY}"}}\n',
}
# Files larger than this are not read for the marker (every canary is far smaller).
CANARY_SCAN_MAX = 64 * 1024


class Engine:
    lock_dir = Path(tempfile.gettempdir())

    def __init__(self, name, cmd):
        self.name, self.cmd = name, cmd

    @contextlib.contextmanager
    def store_lock(self, exclusive):
        """Podman 4.3's cache lookup walks every image in the store and fails a build
        ("getting top layer info: layer not known") when another runner removes an image
        meanwhile. Builds of one engine share this lock; removing images takes it alone.
        Docker's daemon keeps its own store consistent, so it needs none."""
        if self.name != "podman":
            yield
            return
        path = self.lock_dir / f"dockform-e2e-{self.name}-store.lock"
        with open(path, "a") as f:
            fcntl.flock(f, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def revive(self):
        """Docker 20.10's BuildKit can panic on two concurrent builds ("panic: failed to get
        edge", moby/moby#42414, fixed in later BuildKit), taking the daemon and every build
        on it down. A runner that finds the daemon gone restarts it (one runner at a time)
        and says so; the row then runs again and must pass on its own. Returns what happened,
        or None when the engine was up."""
        if self.name != "docker":
            return None
        with open(self.lock_dir / "dockform-e2e-dockerd.lock", "a") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            if self.run("info", check=False).returncode == 0:
                return None
            cache = Path(os.environ.get("E2E_CACHE") or tempfile.gettempdir())
            old = cache / "dockerd.log"
            cause, kept = "no reason in its log", None
            if old.is_file():
                text = old.read_text(errors="replace")
                cause = next((ln.strip() for ln in text.splitlines() if ln.startswith(("panic:", "fatal error:"))),
                             cause)
                kept = cache / f"dockerd-stopped-{time.strftime('%Y%m%dT%H%M%S')}.log"
                old.rename(kept)
            lib = Path(__file__).resolve().parent / "engines.sh"
            p = subprocess.run(["bash", "-c", f'. "{lib}"; ensure_dockerd "$1"', "revive", self.cmd],
                               capture_output=True, text=True, env=dict(os.environ, E2E_CACHE=str(cache)))
            state = "was restarted" if p.returncode == 0 else f"could not be restarted ({p.stderr.strip()[-200:]})"
            note = f"the docker daemon had stopped ({cause}) and {state}"
            print(f"e2e: {note}; its log: {kept}", file=sys.stderr)
            return note + (f"; its log: {kept}" if kept else "")

    def run(self, *args, check=True, timeout=None, **kw):
        p = subprocess.run([self.cmd, *args], capture_output=True, text=True, timeout=timeout, **kw)
        if check and p.returncode != 0:
            raise RuntimeError(f"`{self.name} {' '.join(args[:3])}` failed: {p.stderr.strip()[-400:]}")
        return p

    def build(self, ctx, tag, target=None, dockerfile=None, args=(), no_cache=False, log=None):
        cmd = [self.cmd, "build", "-f", str(dockerfile or Path(ctx) / "Dockerfile"), "-t", tag]
        if self.name == "docker":
            cmd += ["--progress=plain"]
        else:
            cmd += ["--format", "docker", "--pull=never"]
        if target:
            cmd += ["--target", target]
        if no_cache:
            cmd += ["--no-cache"]
        for a in args:
            cmd += ["--build-arg", a]
        t0 = time.monotonic()
        env = dict(os.environ, DOCKER_BUILDKIT="1")
        # A hung build fails, not hangs the suite. Rocket's cold release build took 600 s
        # on podman beside three other runners (ci28), so the limit is half again above it.
        limit = int(os.environ.get("E2E_BUILD_TIMEOUT", "900"))
        try:
            with self.store_lock(exclusive=False):
                p = subprocess.run(cmd + [str(ctx)], capture_output=True, text=True, env=env, timeout=limit)
            rc, out = p.returncode, p.stdout + p.stderr
        except subprocess.TimeoutExpired as e:
            # A hung build (a test that never exits) is a failure with a reason, not a hung suite.
            rc = 124
            out = (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
            out += f"\ne2e: build stopped after {limit} s (E2E_BUILD_TIMEOUT)\n"
        secs = round(time.monotonic() - t0, 1)
        if log:
            log.write_text(out)
        return rc, out, secs

    def inspect(self, image):
        return json.loads(self.run("image", "inspect", image).stdout)[0]

    def layer_hits(self, image):
        """Files holding the canary marker, in any layer of the saved image."""
        p = subprocess.Popen([self.cmd, "save", image], stdout=subprocess.PIPE)
        try:
            return canary_hits(p.stdout)
        finally:
            p.stdout.close()
            p.wait()

    def files(self, image):
        """Names of all files in the image's filesystem (works for shell-less images)."""
        cid = self.run("create", image, "/nonexistent").stdout.strip()
        try:
            p = subprocess.Popen([self.cmd, "export", cid], stdout=subprocess.PIPE)
            names = []
            with tarfile.open(fileobj=p.stdout, mode="r|") as tar:
                for m in tar:
                    if not m.isdir():
                        names.append(m.name.removeprefix("./"))
            p.wait()
            return names
        finally:
            self.run("rm", "-f", cid, check=False)


def plant_canaries(ctx):
    """Writes each canary credential file where the project has none; returns their paths."""
    planted = []
    for rel, text in CANARIES.items():
        path = ctx / rel
        if path.exists() or path.is_symlink():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        planted.append(rel)
    return planted


def canary_hits(stream):
    """Reads an image archive (docker or OCI layout, as `save` writes it) as a stream:
    every member that is itself a tar (a layer, gzip or not) is searched, and so is
    every small file; returns "layer:path" for each file holding the canary marker."""
    hits = []
    marker = CANARY.encode()
    with tarfile.open(fileobj=stream, mode="r|") as outer:
        for member in outer:
            if not member.isfile():
                continue
            f = outer.extractfile(member)
            try:
                with tarfile.open(fileobj=f, mode="r|*") as layer:
                    for m in layer:
                        if m.isfile() and m.size <= CANARY_SCAN_MAX:
                            data = layer.extractfile(m).read()
                            if marker in data:
                                hits.append(f"{member.name}:{m.name}")
            except tarfile.TarError:
                # Not a layer (manifest, config JSON): its bytes were partly consumed,
                # which is fine, a canary file is only ever inside a layer.
                continue
    return hits


def load_config(project):
    for name in ("e2e.json", "e2e.toml"):
        f = project / name
        if f.exists():
            text = f.read_text()
            return json.loads(text) if name.endswith(".json") else tomllib.loads(text)
    return {}


def detect_stack(project, cfg):
    if cfg.get("stack"):
        return cfg["stack"]
    for marker, stack in (("package.json", "node"), ("go.mod", "go"), ("Cargo.toml", "rust"),
                          ("pyproject.toml", "python"), ("requirements.txt", "python"),
                          ("Pipfile", "python")):
        if (project / marker).exists():
            return stack
    return "unknown"


def stages(dockerfile):
    """[(name, from)] for each FROM line, in order."""
    out = []
    for line in dockerfile.read_text().splitlines():
        m = re.match(r"\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?", line, re.I)
        if m:
            out.append(((m.group(2) or "").lower(), m.group(1)))
    return out


def resolve_image(st, ref):
    names = dict(st)
    while ref.lower() in names:
        ref = names[ref.lower()]
    return ref


def cached_steps(engine, output, regex):
    """(matched install RUN steps, how many were cached, how many RUN/COPY steps ran) in a build log."""
    pat = re.compile(regex)
    matched, cached, ran = 0, 0, 0
    if engine == "docker":
        text, done = {}, set()
        for line in output.splitlines():
            m = re.match(r"#(\d+) \[[^\]]*\] ((?:RUN|COPY|ADD) .*)", line)
            if m:
                text[m.group(1)] = m.group(2)
            m = re.match(r"#(\d+) CACHED", line)
            if m:
                done.add(m.group(1))
        for n, t in text.items():
            if t.startswith("RUN") and pat.search(t):
                matched += 1
                cached += n in done
            ran += n not in done
    else:
        # A `--> ` line settles the newest unsettled step: `--> Using cache` or a new
        # layer. Podman interleaves stages, so a stage that resumes after another one
        # settles its own interrupted step, not the other stage's last one.
        # `--> Using cache <id>` is followed by `--> <short id>`, which repeats it.
        steps, cache_id = [], ""  # steps: [text, cached, settled]
        for line in output.splitlines():
            m = re.match(r"(?:\[\d+/\d+\] )?STEP \d+/\d+: (.*)", line)
            if m:
                steps.append([m.group(1), False, False])
                continue
            if not line.startswith("--> "):
                continue
            layer = line.removeprefix("--> Using cache ").removeprefix("--> ").strip()
            repeat = not line.startswith("--> Using cache") and cache_id.startswith(layer)
            cache_id = layer if line.startswith("--> Using cache") else ""
            open_steps = [st for st in steps if not st[2]]
            if open_steps and not repeat:
                open_steps[-1][1:] = [line.startswith("--> Using cache"), True]
        for t, c, _ in steps:
            if t.startswith("RUN") and pat.search(t):
                matched += 1
                cached += c
            ran += t.startswith(("RUN", "COPY", "ADD")) and not c
    return matched, cached, ran


def touch_file(project, stack, cfg):
    if cfg.get("touch"):
        return project / cfg["touch"]
    for pattern in TOUCH.get(stack, []):
        for f in sorted(project.glob(pattern)):
            if "node_modules" not in f.parts and f.is_file():
                return f
    return None


def http_get(url, timeout):
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=3) as r:
                return r.status, r.read(65536).decode(errors="replace")
        except urllib.error.HTTPError as e:
            return e.code, e.read(65536).decode(errors="replace")
        except Exception as e:  # connection refused while the app starts
            last = str(e)
            time.sleep(0.5)
    raise TimeoutError(f"{url}: {last}")


class Check:
    def __init__(self, results, label):
        # Both engines' runners write to one terminal: each line names its row.
        self.results, self.label = results, label

    def __call__(self, name, ok, detail=""):
        self.results.append({"name": name, "ok": ok, "detail": detail})
        mark = {True: "ok", False: "FAIL", None: "skip"}[ok]
        print(f"    {mark:4} {self.label}: {name}{': ' + detail if detail and ok is not True else ''}", file=sys.stderr)
        return ok


def project_slug(project):
    return re.sub(r"[^a-z0-9]+", "-", project.name.lower()).strip("-")


def row_logs(out_dir, project, engine):
    return out_dir / "logs" / f"{project_slug(project)}-{engine.name}"


def is_light(cfg, engine):
    """A light row on this engine: `light: true` everywhere, or light on every engine
    `full_on` does not name (the row's full checks run there)."""
    if cfg.get("light"):
        return True
    full_on = cfg.get("full_on")
    return full_on is not None and engine not in full_on


def run_project(project, engine, out_dir, quick):
    cfg = load_config(project)
    stack = detect_stack(project, cfg)
    slug = project_slug(project)
    tag = f"dockform-e2e/{slug}"
    row = {"project": project.name, "path": str(project), "engine": engine.name, "stack": stack,
           "checks": [], "times": {}, "sizes": {}}
    check = Check(row["checks"], f"{project.name}/{engine.name}")
    logs = row_logs(out_dir, project, engine)
    logs.mkdir(parents=True, exist_ok=True)
    timeout = int(cfg.get("timeout", 60))
    print(f"==> {project.name} [{stack}] on {engine.name}", file=sys.stderr)
    if engine.name in cfg.get("skip_engines", []):
        check("engine", None, "runs on the other engine only (e2e.json `skip_engines`); every template is built "
                              "on both engines by its stack's main rows")
        return row
    if is_light(cfg, engine.name):
        cfg = dict(cfg, light=True)
    work = Path(tempfile.mkdtemp(prefix=f"e2e-{slug}-"))
    t0 = time.monotonic()
    try:
        ctx = work / "ctx"
        shutil.copytree(project, ctx, symlinks=True, ignore=shutil.ignore_patterns(".git", "node_modules", "target"))
        row["canaries"] = plant_canaries(ctx)
        run_checks(ctx, engine, cfg, stack, tag, logs, check, row, timeout, quick)
    except Exception as e:  # an unexpected engine error fails the row, not the run
        check("runner", False, f"{type(e).__name__}: {e}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if os.environ.get("E2E_KEEP_IMAGES") != "1":
            # A row leaves its numbers, not its images: a full run would otherwise hold
            # tens of GB (the naive images alone are 0.2-0.8 GB each).
            ours = engine.run("images", "--format", "{{.Repository}}:{{.Tag}}", check=False).stdout.split()
            mine = [t for t in ours if f"{tag}:" in t and t.endswith("-" + engine.name)]
            if mine:
                # --no-prune: untagged parents can be another runner's cached layers mid-build.
                with engine.store_lock(exclusive=True):
                    engine.run("rmi", "-f", "--no-prune", *mine, check=False)
        row["times"]["total_s"] = round(time.monotonic() - t0, 1)
    return row


def plain_build(ctx, engine, prod, tag, logs, check, row):
    """`docker build .` with no target builds the same image as `--target prod`."""
    rc, _, secs = engine.build(ctx, f"{tag}:plain-{engine.name}", log=logs / "plain.log")
    row["times"]["noop_s"] = secs
    if check("build_plain", rc == 0, f"exit {rc}, see {logs / 'plain.log'}"):
        a, b = engine.inspect(prod), engine.inspect(f"{tag}:plain-{engine.name}")
        same = a["Id"] == b["Id"] or all(a["Config"].get(k) == b["Config"].get(k)
                                         for k in ("User", "Entrypoint", "Cmd", "ExposedPorts"))
        check("prod_is_last_stage", same, "the plain build differs from --target prod")


def run_checks(ctx, engine, cfg, stack, tag, logs, check, row, timeout, quick):
    st = stages(ctx / "Dockerfile")
    prod = f"{tag}:prod-{engine.name}"
    # A light row measures no cold build: its prod build may reuse another row's layers
    # (the `init` stage's tini, the stack's base steps).
    cold = not quick and not cfg.get("light")
    rc, out, secs = engine.build(ctx, prod, "prod", no_cache=cold, log=logs / "prod-cold.log")
    row["times"]["prod_s" if cfg.get("light") else "cold_s"] = secs
    if not check("build_prod", rc == 0, f"exit {rc}, see {logs / 'prod-cold.log'}"):
        return
    if cfg.get("light"):
        # That prod is the last stage is the template's property, checked on the stack's
        # full rows; on podman the plain rebuild alone took 12 s a row (967 s a run).
        check("build_plain", None, "light row: prod is the last stage is checked on full rows")
    else:
        plain_build(ctx, engine, prod, tag, logs, check, row)

    info = engine.inspect(prod)
    conf = info.get("Config") or {}
    user = (conf.get("User") or "").strip()
    check("non_root_user", user.split(":")[0] not in ("", "0", "root"), f"Config.User is {user!r}")
    run_container(engine, prod, info, cfg, check, timeout, logs)
    inspect_files(engine, prod, check, cfg)
    hits = engine.layer_hits(prod)
    check("no_canary_secrets", not hits, f"{len(hits)} found, e.g. {', '.join(hits[:3])}")
    if cfg.get("light"):
        # A fixture that pins one detection rule (a port, a start command, a health
        # path): its production image must build, serve and stop; the dev, test, cache and
        # size checks run on the stack's full rows, which share these templates.
        verify(ctx, engine, cfg, check, logs, timeout)
        why = (f"full checks on {', '.join(cfg['full_on'])} (e2e.json `full_on`)" if cfg.get("full_on")
               else "e2e.json `light`")
        check("full_checks", None, f"light row ({why}): prod image built, run, inspected and verified only")
        return

    for target in ("dev", "test"):
        rc, _, secs = engine.build(ctx, f"{tag}:{target}-{engine.name}", target, log=logs / f"{target}.log")
        row["times"][f"{target}_s"] = secs
        if target == "test" and cfg.get("test_stage_fails"):
            # A project with no test command: its test stage must fail and say so.
            check("build_test_fails_without_tests", rc != 0, "the test stage passed with no test command")
            continue
        check(f"build_{target}", rc == 0, f"exit {rc}, see {logs / (target + '.log')}")
    break_test(ctx, engine, cfg, tag, logs, check)
    verify(ctx, engine, cfg, check, logs, timeout)
    compose_check.compose_check(ctx, engine, cfg, check, logs, row, project_slug(Path(row["path"])), timeout,
                                http_get, podman_limits())
    cache_behaviour(ctx, engine, cfg, stack, prod, logs, check, row)
    sizes(ctx, engine, cfg, st, stack, tag, prod, logs, check, row)


def run_container(engine, image, info, cfg, check, timeout, logs):
    conf = info.get("Config") or {}
    ports = sorted(int(p.split("/")[0]) for p in (conf.get("ExposedPorts") or {}))
    name = f"dockform-e2e-{os.getpid()}-{int(time.time() * 1000)}"
    args = ["run", "-d", "--name", name]
    if engine.name == "podman":
        nofile, nproc = podman_limits()
        args += ["--ulimit", f"nofile={nofile}:{nofile}", "--ulimit", f"nproc={nproc}:{nproc}"]
    if cfg.get("serves") is False:
        # The image's check requests a page, and the page needs the missing service.
        args += ["--no-healthcheck"]
    elif engine.name == "docker":
        # Docker runs the first check one interval (30 s) after start; a shorter interval
        # runs the image's own check command sooner and saves half a minute a fixture.
        args += ["--health-interval", "2s"]
    for k, v in (cfg.get("env") or {}).items():
        args += ["-e", f"{k}={v}"]
    if ports:
        args += ["-p", f"127.0.0.1::{ports[0]}"]
    try:
        cid = engine.run(*args, image, *cfg.get("run_args", [])).stdout.strip().splitlines()[-1]
        if cfg.get("serves") is False:
            stays_up(engine, cid, cfg, check)
            return
        if ports:
            addr = engine.run("port", cid, f"{ports[0]}/tcp").stdout.split()[0]
            host, port = addr.rsplit(":", 1)
            url = f"http://127.0.0.1:{port}{cfg.get('http_path', '/')}"
            try:
                status, body = http_get(url, timeout)
                want = int(cfg.get("expect_status", 200))
                ok = status == want and cfg.get("expect_output", "") in body
                check("http", ok, f"{url} answered {status} {body[:120]!r}")
            except TimeoutError as e:
                check("http", False, str(e))
        elif cfg.get("expect_output"):
            out, running = printed(engine, cid, cfg["expect_output"], timeout)
            check("output", cfg["expect_output"] in out, f"output: {out[:200]!r}")
        else:
            check("http", False, "no EXPOSE in the image and no `expect_output` in e2e config")
        wait_healthy(engine, cid, info, cfg, check, timeout)
        if ports or running:
            stop_promptly(engine, cid, check)
    finally:
        p = engine.run("logs", name, check=False)
        (logs / "container.log").write_text(p.stdout + p.stderr)
        engine.run("rm", "-f", name, check=False)


def printed(engine, cid, want, timeout, poll=0.5):
    """What a container with nothing exposed printed (stdout and stderr: Go's `log` and
    Python's `logging` write to stderr), read as soon as `want` is among it or the program
    has exited, else at `timeout`; and whether it still runs (a worker that runs on, which
    must then stop on SIGTERM like a server)."""
    deadline = time.monotonic() + timeout
    while True:
        p = engine.run("logs", cid, check=False)
        out = (p.stdout or "") + (p.stderr or "")
        state = engine.run("inspect", "--format", "{{.State.Running}}", cid, check=False).stdout.strip()
        running = state == "true"
        if want in out or not running or time.monotonic() >= deadline:
            if not running:  # what it printed just before it exited
                p = engine.run("logs", cid, check=False)
                out = (p.stdout or "") + (p.stderr or "")
            return out, running
        time.sleep(poll)


def stays_up(engine, cid, cfg, check, settle=5):
    """A row whose app answers only through services the stand-ins lack (e2e.json
    `"serves": false`, `serves_why` says which): it must start with its row `env` and still
    run after `settle` seconds (no crash on a missing service at start), then stop on
    SIGTERM; no request is made and the HEALTHCHECK is not waited for."""
    time.sleep(settle)
    state = engine.run("inspect", "--format", "{{.State.Running}} {{.State.ExitCode}}", cid,
                       check=False).stdout.split()
    running = bool(state) and state[0] == "true"
    check("stays_up", running, f"running {state[0] if state else '?'}, exit code "
                               f"{state[1] if len(state) > 1 else '?'} after {settle} s")
    why = cfg.get("serves_why", "e2e.json `serves: false`")
    check("http", None, why)
    check("healthcheck", None, why)
    if running:
        stop_promptly(engine, cid, check)


def podman_limits():
    """podman asks for higher limits than some hosts grant and runc then refuses to
    start: (nofile, nproc) to pass instead, the current ones capped (nproc above 32768
    failed here)."""
    return (min(resource.getrlimit(resource.RLIMIT_NOFILE)[0], 65536),
            min(resource.getrlimit(resource.RLIMIT_NPROC)[0], 4096))


def stop_promptly(engine, cid, check):
    """`stop` sends SIGTERM and kills after 10 s: a server must be gone well before."""
    t0 = time.monotonic()
    engine.run("stop", "-t", "10", cid, check=False, timeout=60)
    secs = round(time.monotonic() - t0, 1)
    code = engine.run("inspect", "--format", "{{.State.ExitCode}}", cid, check=False).stdout.strip()
    check("stops_on_sigterm", secs < 5, f"stopped after {secs} s, exit code {code} (137: killed after the grace period)")


def wait_healthy(engine, cid, info, cfg, check, timeout):
    hc = (info.get("Config") or {}).get("Healthcheck") or info.get("Healthcheck")  # podman: top level
    if not hc or hc.get("Test", ["NONE"])[0] == "NONE":
        required = cfg.get("healthcheck", True)
        check("healthcheck", False if required else None, "the image has no HEALTHCHECK")
        return
    deadline = time.monotonic() + timeout
    status = "starting"
    while time.monotonic() < deadline:
        if engine.name == "docker":
            state = json.loads(engine.run("inspect", "--format", "{{json .State.Health}}", cid).stdout)
            status = state.get("Status") if state else "none"
            if status == "unhealthy":
                break
        else:  # podman runs healthchecks from systemd timers; run it by hand instead
            status = "healthy" if engine.run("healthcheck", "run", cid, check=False).returncode == 0 else "starting"
        if status == "healthy":
            break
        time.sleep(1)
    check("healthcheck", status == "healthy", f"status {status}")


def inspect_files(engine, image, check, cfg=None):
    names = engine.files(image)
    found = {
        "no_compiler": [n for n in names if COMPILER.search(n)],
        "no_sources": [n for n in names if SOURCE.search(n) and not SYSTEM.search(n)],
        "no_pm_caches": [n for n in names if CACHES.search(n)],
        "no_typescript_module": [n for n in names if TYPESCRIPT.search(n)],
    }
    if (cfg or {}).get("runs_sources"):
        # The app runs its sources as they are (`tsx ./api/main.ts`): they are the artifact.
        del found["no_sources"]
        check("no_sources", None, "the start command runs the sources (e2e.json `runs_sources`)")
    for name, hits in found.items():
        check(name, not hits, f"{len(hits)} found, e.g. {', '.join(hits[:3])}")
    for name, ok, detail in image_path_checks(names, (cfg or {}).get("image_paths") or {}):
        check(name, ok, detail)


def image_path_checks(names, spec):
    """e2e.json `image_paths`: `present` paths the final image must hold (a file, or a
    directory with a file in it) and `absent` ones it must not; relative to `/`."""
    def held(path):
        return any(n == path or n.startswith(path.rstrip("/") + "/") for n in names)
    missing = [p for p in spec.get("present", []) if not held(p)]
    extra = [p for p in spec.get("absent", []) if held(p)]
    out = []
    if spec.get("present"):
        out.append(("image_holds_runtime_paths", not missing, f"missing: {', '.join(missing)}"))
    if spec.get("absent"):
        out.append(("image_leaves_out_dev_paths", not extra, f"present: {', '.join(extra)}"))
    return out


def break_test(ctx, engine, cfg, tag, logs, check):
    brk = cfg.get("break_test")
    if not brk:
        check("test_stage_catches_failure", None, "no `break_test` in e2e config")
        return
    f = ctx / brk["file"]
    old, new = brk["replace"]
    text = f.read_text()
    if old not in text:
        check("test_stage_catches_failure", False, f"{old!r} not found in {brk['file']}")
        return
    f.write_text(text.replace(old, new))
    try:
        rc, _, _ = engine.build(ctx, f"{tag}:broken-{engine.name}", "test", log=logs / "test-broken.log")
        check("test_stage_catches_failure", rc != 0, "the test stage built although a test was broken")
    finally:
        f.write_text(text)


# Copies of a Node project broken on purpose, each with the `dockform verify` check that
# must fail: its last stage's CMD or USER line replaced.
BROKEN = {
    "never_answers": ("answers", r'^CMD \[.*$', 'CMD ["node", "-e", "setInterval(() => {}, 1000)"]'),
    "ignores_sigterm": ("stops_on_sigterm", r'^CMD \[.*$',
                        'CMD ["node", "-e", "process.on(\'SIGTERM\', () => {}); require(\'http\')'
                        '.createServer((q, s) => s.end(\'ok\')).listen(process.env.PORT)"]'),
    "runs_as_root": ("non_root", r'^USER .*$', "USER root"),
}


def break_last_stage(text, line, replacement):
    """The Dockerfile with the first line of its last stage matching `line` replaced."""
    head, sep, last = text.rpartition("\nFROM ")
    return head + sep + re.sub(line, lambda _: replacement, last, count=1, flags=re.M)


def run_verify(ctx, engine, logs, label, timeout, env_vars=None, path=None):
    """`dockform verify --json` on `ctx` with this engine: (exit code, report or None)."""
    binary = os.environ.get("DOCKFORM_BIN", "")
    # The runner's client (a BuildKit-capable docker) comes first on PATH.
    env = dict(os.environ, PATH=f"{Path(engine.cmd).parent}:{os.environ.get('PATH', '')}")
    # --keep: the runner removes the image itself, holding the store lock alone (podman
    # 4.3 fails another runner's build when an image goes away under its cache lookup).
    cmd = [binary, "verify", str(ctx), "--engine", engine.name, "--json", "--keep",
           "--timeout", str(timeout)]
    for k, v in (env_vars or {}).items():
        cmd += ["-e", f"{k}={v}"]
    if path:
        cmd += ["--path", path]
    with engine.store_lock(exclusive=False):
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
    (logs / f"{label}.log").write_text(p.stdout + p.stderr)
    try:
        report = json.loads(p.stdout)
    except json.JSONDecodeError:
        report = None
    image = (report or {}).get("image")
    if image:
        ids = engine.run("ps", "-aq", "--filter", f"ancestor={image}", check=False).stdout.split()
        if ids:
            engine.run("rm", "-f", *ids, check=False)
        with engine.store_lock(exclusive=True):
            engine.run("rmi", "-f", "--no-prune", image, check=False)
    return p.returncode, report


def failed_checks(report):
    return [c["name"] for c in (report or {}).get("checks", []) if not c.get("ok")]


def verify(ctx, engine, cfg, check, logs, timeout):
    """`dockform verify` passes on every generated project, with the row's `env` and
    `http_path` (a `/` that needs the database answers 500 without one; e2e.json
    `"verify": false` opts out, saying why in `verify_skip`), and fails naming the right
    check on copies broken on purpose (`"verify_broken": true`)."""
    if cfg.get("verify") is False:
        check("verify", None, cfg.get("verify_skip", "e2e.json `verify: false`"))
        return
    if cfg.get("serves") is False:
        check("verify", None, "verify waits for an answer: " + cfg.get("serves_why", "e2e.json `serves: false`"))
        return
    if not os.environ.get("DOCKFORM_BIN"):
        check("verify", False, "DOCKFORM_BIN is not set")
        return
    rc, report = run_verify(ctx, engine, logs, "verify", timeout, cfg.get("env"), cfg.get("http_path"))
    check("verify", rc == 0 and bool(report and report.get("ok")),
          f"exit {rc}, failed {failed_checks(report)}, see {logs / 'verify.log'}")
    if not cfg.get("verify_broken"):
        return
    for name, (expected, line, replacement) in BROKEN.items():
        copy = ctx.parent / f"broken-{name}"
        shutil.copytree(ctx, copy, symlinks=True)
        text = (copy / "Dockerfile").read_text()
        (copy / "Dockerfile").write_text(break_last_stage(text, line, replacement))
        rc, report = run_verify(copy, engine, logs, f"verify-{name}", 15)
        failed = failed_checks(report)
        check(f"verify_catches_{name}", rc == 1 and expected in failed,
              f"exit {rc}, failed {failed}, expected `{expected}` among them")
        shutil.rmtree(copy, ignore_errors=True)


def cache_behaviour(ctx, engine, cfg, stack, prod, logs, check, row):
    f = touch_file(ctx, stack, cfg)
    if f is None:
        check("deps_cached_after_source_change", False, "no source file to change (set `touch`)")
        return
    comment = "#" if f.suffix == ".py" else "//"

    def source_change_build(n):
        f.write_text(f.read_text() + f"\n{comment} e2e cache probe {time.time()}\n")
        suffix = "" if n == 1 else f"-{n}"
        return engine.build(ctx, prod, "prod", log=logs / f"prod-warm{suffix}.log")

    rc, out, secs = source_change_build(1)
    if not check("build_prod_warm", rc == 0, f"exit {rc}"):
        return
    cold = row["times"].get("cold_s") or 0
    # Under 2 s the ratio is mostly engine overhead; above, the rebuild must be quicker
    # (podman re-runs every stage's cache lookup, so a small app's ratio can near 0.8).
    # The other runners' load only ever adds time, so a rebuild that is not quicker is
    # measured up to twice more, each after a new source change, and the quickest counts:
    # a lost dependency cache makes every one of them as slow as the cold build.
    tries = [secs]
    while not quick_enough(min(tries), cold) and len(tries) < 3:
        rc_n, _, secs_n = source_change_build(len(tries) + 1)
        if rc_n != 0:
            break
        tries.append(secs_n)
    best = min(tries)
    row["times"]["warm_s"] = best
    if len(tries) > 1:
        row["times"]["warm_tries_s"] = tries
    check("warm_build_a_fraction_of_cold", quick_enough(best, cold),
          f"warm {' / '.join(f'{t} s' for t in tries)} against cold {cold} s")
    row["times"]["warm_ratio"] = round(best / cold, 2) if cold else None
    regex = cfg.get("deps_step") or DEPS_STEP.get(stack, r"$^")
    matched, cached, ran = cached_steps(engine.name, out, regex)
    row["deps_steps"] = {"matched": matched, "cached": cached, "rebuilt_run_steps": ran}
    if cfg.get("no_deps_step"):
        # stdlib-only or vendored: nothing is downloaded, so there is no install step.
        check("deps_cached_after_source_change", None if matched == 0 else False,
              "no dependency install step expected" if matched == 0 else f"{matched} unexpected install steps")
    else:
        check("deps_cached_after_source_change", matched > 0 and cached == matched,
              f"{cached}/{matched} install steps matching {regex!r} were cached")
    check("source_change_rebuilds", ran > 0,
          "no step re-ran after changing " + f.name)
    workspace_changes(ctx, engine, cfg, prod, logs, check, cfg.get("change_step") or regex)
    lockfile_change(ctx, engine, cfg, stack, prod, logs, check, row, regex)


def workspace_changes(ctx, engine, cfg, prod, logs, check, regex):
    """A workspace app (`unrelated_change`, `related_change`: {file, replace: [old, new]}):
    editing a package the app does not depend on keeps its dependency install cached;
    editing the manifest of one it depends on runs the install again. `change_step` names
    another step to watch instead: a Go workspace downloads nothing, and its `go build`
    must stay cached after an unrelated member's source changes and run after a change in
    a member the app imports. `{nonce}` in the new
    text is this attempt's number: an engine keeps the layer of every change it saw, so a
    row's second attempt (or an earlier run) would otherwise find the "new" manifest cached."""
    nonce = time.time_ns()
    for key, name, want_cached in (
        ("unrelated_change", "deps_cached_after_unrelated_package_change", True),
        ("related_change", "deps_reinstalled_after_dependency_package_change", False),
    ):
        probe = cfg.get(key)
        if not probe:
            continue
        path = ctx / probe["file"]
        before = path.read_text()
        old, new = probe["replace"]
        if old not in before:
            check(name, False, f"`{old}` not in {probe['file']}")
            continue
        path.write_text(before.replace(old, new.replace("{nonce}", str(nonce)), 1))
        try:
            rc, out, _ = engine.build(ctx, prod, "prod", log=logs / f"prod-{key}.log")
            matched, cached, _ = cached_steps(engine.name, out, regex)
            if rc != 0:
                check(name, False, f"exit {rc}")
            elif want_cached:
                check(name, matched > 0 and cached == matched,
                      f"{cached}/{matched} install steps cached after changing {probe['file']}")
            else:
                check(name, matched > 0 and cached < matched,
                      f"{cached}/{matched} install steps cached after changing {probe['file']}")
        finally:
            path.write_text(before)


def quick_enough(warm, cold):
    """A source-only rebuild is quicker than the cold build, or engine overhead (< 2 s)."""
    return warm < 2 or warm < cold


def lockfile_change(ctx, engine, cfg, stack, prod, logs, check, row, regex):
    """After a lockfile change the dependency step must run again (and the build pass)."""
    name = "deps_reinstalled_after_lockfile_change"
    if cfg.get("no_deps_step"):
        check(name, None, "no dependency install step expected")
        return
    # `lock_change`: [{file, replace: [old, new]} or {file, append}, ...], applied in order
    # (Yarn Berry, whose immutable installs compare the lockfile as text, needs a real range
    # change in two files); `{nonce}` in a text is this run's number.
    nonce = random.SystemRandom().randint(1, 199)
    probes = cfg.get("lock_change")
    if not probes:
        lock = next((n for n in LOCKFILES if (ctx / n).is_file()), None)
        if lock is None:
            check(name, False, "no lockfile found (set `lock_change`)")
            return
        # Trailing newlines, as many as the nonce: an engine that ran this suite before
        # holds the layer of any change it saw, so each run's change must be new.
        probes = LOCK_CHANGE.get(lock) or [{"file": lock, "append": "\n" * nonce}]
    saved = {}
    try:
        for p in probes:
            f = ctx / p["file"]
            text = f.read_text()
            saved.setdefault(f, text)
            if "append" in p:
                f.write_text(text + p["append"].replace("{nonce}", str(nonce)))
                continue
            old, new = p["replace"]
            if old not in text:
                check(name, False, f"{old!r} not found in {p['file']}")
                return
            f.write_text(text.replace(old, new.replace("{nonce}", str(nonce)), 1))
        rc, out, secs = engine.build(ctx, prod.replace(":prod-", ":lockfile-"), "prod",
                                     log=logs / "prod-lockfile.log")
    finally:
        for f, text in saved.items():
            f.write_text(text)
    lock = " and ".join(dict.fromkeys(p["file"] for p in probes))
    row["times"]["lockfile_s"] = secs
    matched, cached, _ = cached_steps(engine.name, out, regex)
    check(name, rc == 0 and matched > 0 and cached < matched,
          f"exit {rc}; {matched - cached}/{matched} install steps re-ran after changing {lock}")


def sizes(ctx, engine, cfg, st, stack, tag, prod, logs, check, row):
    mb = lambda image: round(engine.inspect(image)["Size"] / 1e6, 1)
    row["sizes"]["final_mb"] = mb(prod)
    base = resolve_image(st, st[-1][1])
    row["sizes"]["runtime_base"] = base
    try:
        row["sizes"]["runtime_base_mb"] = mb(base) if base != "scratch" else 0.0
    except RuntimeError:
        row["sizes"]["runtime_base_mb"] = None
    naive = NAIVE / f"{stack}.Dockerfile"
    # The baseline is the same Dockerfile on either engine; building it on both would
    # add a cold build to every row of the slower engine (E2E_NAIVE_ENGINES).
    if engine.name not in os.environ.get("E2E_NAIVE_ENGINES", "docker").split():
        check("naive_build", None, f"the naive baseline is measured on {os.environ.get('E2E_NAIVE_ENGINES', 'docker')} (E2E_NAIVE_ENGINES)")
        return
    if not naive.exists():
        check("naive_build", None, f"no naive template for {stack}")
        return
    builder = resolve_image(st, st[0][1])
    rc, _, secs = engine.build(ctx, f"{tag}:naive-{engine.name}", dockerfile=naive,
                               args=[f"BUILDER={builder}"] + (["PACKAGES=" + " ".join(cfg["naive_packages"])]
                                                             if cfg.get("naive_packages") else []),
                               log=logs / "naive.log")
    row["times"]["naive_s"] = secs
    if check("naive_build", rc == 0, f"exit {rc}, see {logs / 'naive.log'}"):
        row["sizes"]["naive_mb"] = mb(f"{tag}:naive-{engine.name}")
        row["sizes"]["reduction"] = round(1 - row["sizes"]["final_mb"] / row["sizes"]["naive_mb"], 3)
        payload(row["sizes"], builder, mb)


def payload(s, builder, mb):
    """What each image adds on top of its base: the final image's payload is what the app
    needs (its dependencies, code and assets); the naive one's also carries the build
    tools, caches and the whole source tree. Whole-image sizes hide that difference
    when both images start from the same runtime."""
    try:
        builder_mb = mb(builder) if builder != "scratch" else 0.0
    except RuntimeError:
        return
    s["builder_base_mb"] = builder_mb
    s["naive_payload_mb"] = round(s["naive_mb"] - builder_mb, 1)
    if s.get("runtime_base_mb") is None:
        return
    s["payload_mb"] = round(s["final_mb"] - s["runtime_base_mb"], 1)
    if s["naive_payload_mb"] > 0:
        s["payload_reduction"] = round(1 - s["payload_mb"] / s["naive_payload_mb"], 3)


def run_once_more_if_red(project, engine, out_dir, quick):
    """A red row runs once more: two cores shared by four builds can miss a timeout. The
    report keeps the first attempt's failures, so a pass on the second try shows. A daemon
    that stopped under a row is restarted first (`Engine.revive`); when it stops again
    under the second attempt, the row gets a third, and the report lists every restart."""
    restarts = [n for n in [engine.revive()] if n]
    row = run_project(project, engine, out_dir, quick)
    if all(c["ok"] is not False for c in row["checks"]) or os.environ.get("E2E_RETRY", "1") != "1":
        row["engine_restarts"] = restarts
        return row
    first = []
    for attempt in (2, 3):
        revived = engine.revive()
        if revived:
            restarts.append(revived)
        elif attempt == 3:
            break
        print(f"==> {project.name} on {engine.name}: red, running it once more", file=sys.stderr)
        # The earlier attempt's build logs are what explain its failures: keep them beside the next's.
        logs = row_logs(out_dir, project, engine)
        kept = logs.with_name(logs.name + ("-first-attempt" if attempt == 2 else "-second-attempt"))
        first += [f"{c['name']}: {c['detail']}".replace(str(logs), str(kept))
                  for c in row["checks"] if c["ok"] is False]
        if logs.is_dir():
            shutil.rmtree(kept, ignore_errors=True)
            logs.rename(kept)
        row = run_project(project, engine, out_dir, quick)
        row["first_attempt_logs"] = str(kept)
        if all(c["ok"] is not False for c in row["checks"]):
            break
    row["first_attempt_failures"] = first
    row["engine_restarts"] = restarts
    return row


def row_cost(cfg, engine):
    """A rough weight for balancing runners: a full row builds five to eight times (cold,
    dev, test, broken test, warm, naive), a light one twice; a skipped row costs nothing."""
    if engine in cfg.get("skip_engines", []):
        return 0
    return 1 if is_light(cfg, engine) else 4


def shard(projects, costs, i, n):
    """Runner `i` of `n` on one engine: a contiguous run of the (name-sorted, so stack by
    stack) projects holding about a 1/n share of the cost, walked backwards by every
    odd runner. Side by side, two runners then build different stacks on different base
    images most of the time: docker 20.10's BuildKit merges a step two concurrent builds
    share (the same `FROM`), and the other build then loses its cache (and under load
    sometimes panics with "failed to get edge"). Skipped rows go to runner 0."""
    total = sum(costs[p] for p in projects) or 1
    chunk, done = [], 0
    for p in projects:
        c = costs[p]
        if c and int((done + c / 2) * n // total) == i:
            chunk.append(p)
        done += c
    if i % 2:
        chunk.reverse()
    if i == 0:
        chunk += [p for p in projects if not costs[p]]
    return chunk


def projects_from(paths):
    out = []
    for p in map(Path, paths):
        p = p.resolve()
        if (p / "Dockerfile").exists():
            out.append(p)
        elif p.is_dir():
            out += sorted(d for d in p.iterdir() if (d / "Dockerfile").exists())
        else:
            sys.exit(f"e2e: error: `{p}` is neither a project with a Dockerfile nor a directory of them")
    return out


def unbuilt_fixtures():
    """{fixture: why it is not an e2e row}, from tests/e2e/unbuilt.toml."""
    f = Path(__file__).resolve().parent.parent / "unbuilt.toml"
    return tomllib.loads(f.read_text()) if f.exists() else {}


def write_report(rows, out_dir, elapsed):
    for r in rows:
        r["ok"] = all(c["ok"] is not False for c in r["checks"])
        r["failures"] = [f"{c['name']}: {c['detail']}" for c in r["checks"] if c["ok"] is False]
    note = ("Images are built FROM local stand-ins of the base images (see tests/e2e/README.md), "
            "so sizes are measured on stand-ins; alpine variants are lint-only.")
    aliases = os.environ.get("DOCKFORM_E2E_ALIASES", "").split()
    if aliases:
        note += " Stand-in aliases (tag = the stand-in it points at): " + ", ".join(aliases) + "."
    doc = {"ok": all(r["ok"] for r in rows), "elapsed_s": round(elapsed, 1), "rows": rows, "note": note}
    (out_dir / "report.json").write_text(json.dumps(doc, indent=2) + "\n")
    lines = ["# dockform end-to-end report", "", doc["note"], "",
             "| project | engine | result | row s | cold s | warm s | deps cached | final MB | runtime base MB | naive MB | reduction | payload MB | naive payload MB | payload reduction | failed checks |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        t, s, d = r["times"], r["sizes"], r.get("deps_steps", {})
        red = f"{s['reduction']:.0%}" if "reduction" in s else ""
        pred = f"{s['payload_reduction']:.0%}" if "payload_reduction" in s else ""
        deps = f"{d['cached']}/{d['matched']}" if d else ""
        lines.append(f"| {r['project']} | {r['engine']} | {'pass' if r['ok'] else 'FAIL'} | {t.get('total_s', '')} "
                     f"| {t.get('cold_s', '')} "
                     f"| {t.get('warm_s', '')} | {deps} | {s.get('final_mb', '')} | {s.get('runtime_base_mb', '')} "
                     f"| {s.get('naive_mb', '')} | {red} | {s.get('payload_mb', '')} | {s.get('naive_payload_mb', '')} | {pred} "
                     f"| {'; '.join(c.split(':')[0] for c in r['failures'])} |")
    retried = [r for r in rows if r.get("first_attempt_failures")]
    if retried:
        lines += ["", "## Rows run twice", "",
                  "These rows failed once and ran again; the table shows the second attempt.", ""]
        for r in retried:
            lines.append(f"- {r['project']} on {r['engine']}: first attempt failed "
                         + "; ".join(r["first_attempt_failures"]))
    restarted = [r for r in rows if r.get("engine_restarts")]
    if restarted:
        lines += ["", "## Engine restarts", "",
                  "The engine had stopped when these rows were about to run (or run again); "
                  "it was restarted and the rows ran from the start.", ""]
        for r in restarted:
            lines.append(f"- {r['project']} on {r['engine']}: " + "; ".join(r["engine_restarts"]))
    unbuilt = unbuilt_fixtures()
    if unbuilt:
        lines += ["", "## Fixtures without a row", "",
                  "Every other fixture of tests/fixtures/ (but the error-* ones) is a row on both engines; "
                  "these are not, for the reason given (tests/e2e/unbuilt.toml).", ""]
        for name, why in sorted(unbuilt.items()):
            lines.append(f"- {name}: {why}")
    lines += ["", "## Checks", ""]
    for r in rows:
        lines.append(f"### {r['project']} on {r['engine']} ({r['stack']})")
        lines.append("")
        for c in r["checks"]:
            mark = {True: "pass", False: "FAIL", None: "skip"}[c["ok"]]
            lines.append(f"- {mark} `{c['name']}`" + (f": {c['detail']}" if c["ok"] is not True else ""))
        lines.append("")
    lines.append(f"Total time: {doc['elapsed_s']} s.")
    (out_dir / "report.md").write_text("\n".join(lines) + "\n")
    return doc["ok"]


def main():
    ap = argparse.ArgumentParser(description="dockform end-to-end runner")
    ap.add_argument("projects", nargs="+", help="project dirs with a Dockerfile, or dirs of them")
    ap.add_argument("--out", default="target/e2e", help="report directory")
    ap.add_argument("--quick", action="store_true", help="do not force a cold (--no-cache) first build")
    ap.add_argument("--shard", default="0/1", metavar="I/N",
                    help="run every N-th project starting at the I-th (for runners side by side)")
    ap.add_argument("--merge", action="store_true",
                    help="the arguments are report directories of earlier runs: write one report of all their rows")
    a = ap.parse_args()
    if a.merge:
        docs = [json.loads((Path(d) / "report.json").read_text()) for d in a.projects]
        rows = sorted((r for d in docs for r in d["rows"]), key=lambda r: (r["project"], r["engine"]))
        out_dir = Path(a.out)
        out_dir.mkdir(parents=True, exist_ok=True)
        return 0 if write_report(rows, out_dir, max(d["elapsed_s"] for d in docs)) else 1
    engines = [Engine(n, os.environ[v]) for n, v in (("docker", "E2E_DOCKER"), ("podman", "E2E_PODMAN"))
               if os.environ.get(v)]
    if not engines:
        sys.exit("e2e: error: no engine (run through tests/e2e/run.sh)")
    out_dir = Path(a.out)
    shutil.rmtree(out_dir / "logs", ignore_errors=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    i, n = (int(x) for x in a.shard.split("/"))
    projects = projects_from(a.projects)
    if len(engines) == 1:
        costs = {p: row_cost(load_config(p), engines[0].name) for p in projects}
        mine = shard(projects, costs, i, n)
    else:
        mine = projects[i::n]
    rows = [run_once_more_if_red(p, e, out_dir, a.quick) for p in mine for e in engines]
    ok = write_report(rows, out_dir, time.monotonic() - t0)
    print(f"e2e: {'all checks passed' if ok else 'some checks FAILED'}; report: {out_dir / 'report.md'}",
          file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
