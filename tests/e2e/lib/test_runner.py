"""Unit tests for the runner's parsers: python3 -m unittest discover -s tests/e2e/lib"""
import contextlib
import io
import re
import tempfile
import threading
import unittest
from unittest import mock
from pathlib import Path

import runner

BUILDKIT = """\
#7 [deps 2/2] RUN --mount=type=cache,target=/root/.npm npm ci
#7 CACHED

#8 [prod-deps 2/2] RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev
#8 CACHED

#9 [build 2/2] RUN npm run build
#9 0.794 > tsc -p tsconfig.json
#9 DONE 2.1s
"""

PODMAN = """\
[2/5] STEP 1/2: FROM localhost/dockform-e2e/base AS deps
[2/5] STEP 2/2: RUN --mount=type=cache,target=/root/.npm npm ci
--> Using cache 1f2e3d
STEP 1/2: FROM deps AS build
STEP 2/2: RUN npm run build
> tsc -p tsconfig.json
--> 9a8b7c
"""


class CachedStepsTest(unittest.TestCase):
    def test_buildkit_install_steps_cached_and_build_step_rebuilt(self):
        self.assertEqual(runner.cached_steps("docker", BUILDKIT, r"npm ci"), (2, 2, 1))

    def test_buildkit_install_step_that_ran_is_not_counted_as_cached(self):
        log = BUILDKIT.replace("#7 CACHED", "#7 DONE 3.0s")
        self.assertEqual(runner.cached_steps("docker", log, r"npm ci"), (2, 1, 2))

    def test_podman_a_resumed_stage_s_cache_line_is_not_the_step_before_it(self):
        log = ("[7/7] STEP 4/11: COPY --from=prod-deps /app/node_modules ./node_modules\n"
               "[5/7] STEP 2/3: COPY package.json bun.lock ./\n--> ebc48d0a533\n"
               "[5/7] STEP 3/3: RUN bun install --frozen-lockfile --production\n--> 0f4fb2703ef\n"
               "--> Using cache bb0b4423e83\n--> bb0b4423e83\n[7/7] STEP 5/11: COPY . .\n--> 83a982e2f27\n")
        # The resumed COPY --from was cached: three steps ran.
        self.assertEqual(runner.cached_steps("podman", log, r"bun install"), (1, 0, 3))

    def test_podman_a_cached_step_s_repeated_id_does_not_settle_an_interrupted_step(self):
        log = ("[3/3] STEP 2/3: COPY --from=deps /app/node_modules ./node_modules\n"
               "[2/3] STEP 2/2: RUN npm ci\n--> Using cache 1f2e3d4c5b6a\n--> 1f2e3d4c5b6\n"
               "--> 9a8b7c6d5e4\n")
        # npm ci cached; the COPY --from (settled by the last line) made a new layer.
        self.assertEqual(runner.cached_steps("podman", log, r"npm ci"), (1, 1, 1))

    def test_podman_using_cache_marks_the_step_before_it(self):
        self.assertEqual(runner.cached_steps("podman", PODMAN, r"npm ci"), (1, 1, 1))


class DepsStepTest(unittest.TestCase):
    def test_python_project_install_is_not_the_dependency_layer(self):
        steps = ["RUN uv sync --frozen --no-dev --no-install-project", "RUN uv sync --frozen --no-dev --inexact",
                 "RUN pipenv install", "RUN pip install -r requirements.txt",
                 "#11 [build 2/2] RUN --mount=type=cache,target=/root/.cache/pip     pip install --no-deps .",
                 "STEP 3/3: RUN pip install .", "RUN python -c \"...\" > /tmp/r.txt && pip install -r /tmp/r.txt"]
        hits = [s for s in steps if re.search(runner.DEPS_STEP["python"], s)]
        self.assertEqual(hits, [steps[0], steps[2], steps[3], steps[6]])

    def test_a_uv_workspace_apps_dependency_layer_skips_the_members(self):
        steps = ["RUN uv sync --frozen --package api --no-dev --no-install-workspace",
                 "RUN uv sync --frozen --package api --no-dev --no-editable"]
        hits = [s for s in steps if re.search(runner.DEPS_STEP["python"], s)]
        self.assertEqual(hits, [steps[0]])


class FileChecksTest(unittest.TestCase):
    def test_compilers_are_found_in_bin_dirs_only(self):
        hits = [n for n in ("usr/bin/gcc-14", "usr/local/go/bin/go", "usr/bin/x86_64-linux-gnu-gcc-14",
                            "usr/local/cargo/bin/cargo", "app/go.mod", "usr/lib/go/doc") if runner.COMPILER.search(n)]
        self.assertEqual(hits, ["usr/bin/gcc-14", "usr/local/go/bin/go", "usr/bin/x86_64-linux-gnu-gcc-14",
                                "usr/local/cargo/bin/cargo"])

    def test_declaration_files_and_system_paths_are_not_sources(self):
        names = ["app/src/a.ts", "app/dist/a.d.ts", "app/node_modules/x/y.ts", "src/main.rs", "main.go",
                 "usr/share/go/x.go"]
        hits = [n for n in names if runner.SOURCE.search(n) and not runner.SYSTEM.search(n)]
        self.assertEqual(hits, ["app/src/a.ts", "src/main.rs", "main.go"])

    def test_package_manager_caches(self):
        names = ["root/.npm/_cacache/index-v5/x", "go/pkg/mod/cache/x", "root/.cache/pip/http/x",
                 "var/cache/apt/archives/a.deb", "app/node_modules/.cache/x", "var/cache/apt/archives/lock"]
        self.assertEqual([n for n in names if runner.CACHES.search(n)], names[:4])

    def test_image_paths_match_files_and_directories_by_whole_name(self):
        names = ["app/views/index.html", "app/app.js", "app/testing/x.js", "app/README.md.bak"]
        spec = {"present": ["app/views", "app/app.js", "app/config"], "absent": ["app/test", "app/README.md"]}
        self.assertEqual(runner.image_path_checks(names, spec), [
            ("image_holds_runtime_paths", False, "missing: app/config"),
            ("image_leaves_out_dev_paths", True, "present: "),
        ])
        bad = runner.image_path_checks(names + ["app/test/a.test.js"], {"absent": ["app/test"]})
        self.assertEqual(bad, [("image_leaves_out_dev_paths", False, "present: app/test")])
        self.assertEqual(runner.image_path_checks(names, {}), [])


class ShardTest(unittest.TestCase):
    def test_two_runners_split_the_cost_and_meet_in_the_middle(self):
        names = ["go-a", "go-b", "next-a", "node-a", "node-b", "py-a", "py-b", "rust-a", "skipped"]
        costs = {"go-a": 4, "go-b": 4, "next-a": 4, "node-a": 1, "node-b": 1, "py-a": 4, "py-b": 1,
                 "rust-a": 4, "skipped": 0}
        first, second = runner.shard(names, costs, 0, 2), runner.shard(names, costs, 1, 2)
        self.assertEqual(first, ["go-a", "go-b", "next-a", "skipped"])
        self.assertEqual(second, ["rust-a", "py-b", "py-a", "node-b", "node-a"])
        self.assertEqual(sum(costs[p] for p in first), 12)
        self.assertEqual(sum(costs[p] for p in second), 11)
        self.assertEqual(runner.shard(names, costs, 0, 1), names)

    def test_row_cost(self):
        self.assertEqual(runner.row_cost({"skip_engines": ["podman"]}, "podman"), 0)
        self.assertEqual(runner.row_cost({"skip_engines": ["podman"], "light": True}, "docker"), 1)
        self.assertEqual(runner.row_cost({}, "docker"), 4)
        self.assertEqual(runner.row_cost({"full_on": ["docker"]}, "docker"), 4)
        self.assertEqual(runner.row_cost({"full_on": ["docker"]}, "podman"), 1)

    def test_full_on_names_the_engines_of_the_full_checks(self):
        self.assertFalse(runner.is_light({}, "podman"))
        self.assertTrue(runner.is_light({"light": True}, "docker"))
        self.assertFalse(runner.is_light({"full_on": ["podman"]}, "podman"))
        self.assertTrue(runner.is_light({"full_on": ["podman"]}, "docker"))


class MatrixTest(unittest.TestCase):
    """Every fixture is an e2e row on both engines, or is listed in unbuilt.toml with why."""
    root = Path(__file__).resolve().parents[3]

    def rows(self):
        out = {}
        for f in sorted((self.root / "tests/e2e/fixtures").glob("*.json")):
            cfg = runner.json.loads(f.read_text())
            out[f.stem] = list(cfg["apps"].values()) if "apps" in cfg else [cfg]
        return out

    def test_every_fixture_is_a_row_or_says_why_not(self):
        fixtures = {d.name for d in (self.root / "tests/fixtures").iterdir()
                    if d.is_dir() and not d.name.startswith("error-")}
        rows, unbuilt = set(self.rows()), set(runner.unbuilt_fixtures())
        self.assertEqual(sorted(fixtures - rows - unbuilt), [], "fixtures with neither a row nor a reason")
        self.assertEqual(sorted(rows & unbuilt), [], "rows that unbuilt.toml also lists")
        self.assertEqual(sorted((rows | unbuilt) - fixtures), [], "names with no fixture")
        for name, why in runner.unbuilt_fixtures().items():
            self.assertGreater(len(why), 40, f"{name}: say why it cannot be a row")

    def test_every_row_runs_on_both_engines(self):
        for name, cfgs in self.rows().items():
            for cfg in cfgs:
                self.assertNotIn("skip_engines", cfg, name)
                self.assertTrue(set(cfg.get("full_on", [])) <= {"docker", "podman"}, name)
                if cfg.get("serves") is False:
                    self.assertGreater(len(cfg.get("serves_why", "")), 20, f"{name}: say why it cannot serve")


class StaysUpTest(unittest.TestCase):
    """A row that cannot serve (`serves: false`) must still start and keep running."""

    class Engine:
        name = "docker"

        def __init__(self, state):
            self.state, self.stopped = state, False

        def run(self, *args, check=True, timeout=None):
            if args[0] == "stop":
                self.stopped = True
            out = self.state if args[0] == "inspect" and "{{.State.Running}}" in args[2] else "0"
            return mock.Mock(stdout=out, returncode=0)

    def checks(self, state):
        seen = {}
        engine = self.Engine(state)
        runner.stays_up(engine, "c1", {"serves": False, "serves_why": "no database here"},
                        lambda name, ok, detail: seen.setdefault(name, ok), settle=0)
        return seen, engine.stopped

    def test_a_running_container_passes_and_is_stopped(self):
        seen, stopped = self.checks("true 0")
        self.assertEqual(seen, {"stays_up": True, "http": None, "healthcheck": None, "stops_on_sigterm": True})
        self.assertTrue(stopped)

    def test_a_container_that_exited_fails(self):
        seen, stopped = self.checks("false 1")
        self.assertIs(seen["stays_up"], False)
        self.assertFalse(stopped)


class PrintedTest(unittest.TestCase):
    """A program with nothing exposed: its output is read as soon as it is there."""

    class Engine:
        name = "docker"

        def __init__(self, logs, states):
            self.logs, self.states, self.calls = list(logs), list(states), 0

        def run(self, *args, check=True, timeout=None):
            if args[0] == "logs":
                self.calls += 1
                out = self.logs.pop(0) if len(self.logs) > 1 else self.logs[0]
                return mock.Mock(stdout="", stderr=out, returncode=0)
            state = self.states.pop(0) if len(self.states) > 1 else self.states[0]
            return mock.Mock(stdout=state, returncode=0)

    def test_a_worker_that_runs_on_is_read_once_it_printed_not_waited_out(self):
        engine = self.Engine(["", "2026/12/03 hello from worker\n"], ["true"])
        out, running = runner.printed(engine, "c1", "hello from worker", timeout=30, poll=0)
        self.assertIn("hello from worker", out)
        self.assertTrue(running)
        self.assertEqual(engine.calls, 2)

    def test_a_program_that_exited_is_read_after_it_exited(self):
        engine = self.Engine(["", "done: hello\n"], ["false"])
        out, running = runner.printed(engine, "c1", "hello", timeout=30, poll=0)
        self.assertEqual(out, "done: hello\n")
        self.assertFalse(running)

    def test_output_that_never_comes_ends_at_the_timeout(self):
        engine = self.Engine(["starting\n"], ["true"])
        out, running = runner.printed(engine, "c1", "hello", timeout=0, poll=0)
        self.assertNotIn("hello", out)
        self.assertTrue(running)


class StagesTest(unittest.TestCase):
    def test_runtime_base_resolves_through_stage_names(self):
        with tempfile.TemporaryDirectory() as d:
            f = Path(d) / "Dockerfile"
            f.write_text("FROM node:24-trixie-slim AS base\nFROM base AS deps\nFROM deps AS build\n"
                         "FROM gcr.io/distroless/nodejs24-debian13:nonroot AS prod\n")
            st = runner.stages(f)
        self.assertEqual(runner.resolve_image(st, st[-1][1]), "gcr.io/distroless/nodejs24-debian13:nonroot")
        self.assertEqual(runner.resolve_image(st, st[2][1]), "node:24-trixie-slim")


class PayloadTest(unittest.TestCase):
    def test_payload_is_what_each_image_adds_to_its_base(self):
        sizes = {"final_mb": 195.0, "runtime_base_mb": 188.0, "naive_mb": 215.0}
        runner.payload(sizes, "python:3.13-slim-trixie", lambda image: 188.0)
        self.assertEqual(sizes["payload_mb"], 7.0)
        self.assertEqual(sizes["naive_payload_mb"], 27.0)
        self.assertEqual(sizes["payload_reduction"], round(1 - 7 / 27, 3))

    def test_an_unmeasured_runtime_base_gives_no_payload(self):
        sizes = {"final_mb": 50.0, "runtime_base_mb": None, "naive_mb": 215.0}
        runner.payload(sizes, "python:3.13-slim-trixie", lambda image: 188.0)
        self.assertNotIn("payload_mb", sizes)
        self.assertEqual(sizes["naive_payload_mb"], 27.0)


class LockfileChangeTest(unittest.TestCase):
    """The probe changes the lockfile for the build only, and judges the install step."""

    class Engine:
        name = "docker"

        def __init__(self, ran):
            self.ran, self.seen = ran, None

        def build(self, ctx, tag, target, log=None):
            self.seen = (Path(ctx) / "Cargo.lock").read_text()
            self.manifest = (Path(ctx) / "Cargo.toml").read_text()
            state = "DONE 9.0s" if self.ran else "CACHED"
            return 0, f"#5 [deps 2/2] RUN cargo build --release --locked\n#5 {state}\n", 9.0

    def probe(self, ran):
        results, row = [], {"times": {}}
        with tempfile.TemporaryDirectory() as d:
            lock = Path(d) / "Cargo.lock"
            lock.write_text("version = 4\n")
            (Path(d) / "Cargo.toml").write_text("[package]\n")
            engine = self.Engine(ran)
            runner.lockfile_change(Path(d), engine, {}, "rust", "t:prod-docker", Path(d),
                                   runner.Check(results, "x"), row, runner.DEPS_STEP["rust"])
            self.assertEqual(engine.seen, "version = 3\n")
            self.assertRegex(engine.manifest, r"^\[package\]\n\n# e2e lockfile probe \d+\n$")
            self.assertEqual(lock.read_text(), "version = 4\n")
            self.assertEqual((Path(d) / "Cargo.toml").read_text(), "[package]\n")
        return results[0]["ok"], row["times"]["lockfile_s"]

    def test_a_rerun_install_step_passes(self):
        self.assertEqual(self.probe(True), (True, 9.0))

    def test_a_cached_install_step_fails(self):
        self.assertEqual(self.probe(False), (False, 9.0))


class WarmBuildTest(unittest.TestCase):
    """A slow source-only rebuild is measured again (at most three in all); the quickest counts."""

    class Engine:
        name = "docker"

        def __init__(self, times):
            self.times, self.sources = list(times), []

        def build(self, ctx, tag, target, log=None):
            self.sources.append((Path(ctx) / "app.js").read_text())
            return 0, "#9 [prod 3/3] COPY . .\n#9 DONE 0.1s\n", self.times.pop(0)

    def measure(self, times, cold=16.0):
        results, row = [], {"times": {"cold_s": cold}}
        with tempfile.TemporaryDirectory() as d:
            (Path(d) / "app.js").write_text("x\n")
            engine = self.Engine(times)
            runner.cache_behaviour(Path(d), engine, {"touch": "app.js", "no_deps_step": True}, "node",
                                   "t:prod-docker", Path(d), runner.Check(results, "x"), row)
        ok = next(r["ok"] for r in results if r["name"] == "warm_build_a_fraction_of_cold")
        self.assertEqual(len(set(engine.sources)), len(engine.sources), "each rebuild follows a new change")
        return ok, row["times"]["warm_s"], len(engine.sources)

    def test_a_quick_rebuild_is_measured_once(self):
        self.assertEqual(self.measure([5.0]), (True, 5.0, 1))

    def test_a_slow_rebuild_under_load_is_measured_again(self):
        self.assertEqual(self.measure([19.9, 4.0]), (True, 4.0, 2))

    def test_a_rebuild_as_slow_as_cold_fails_after_three(self):
        self.assertEqual(self.measure([19.9, 18.0, 17.0]), (False, 17.0, 3))


class StoreLockTest(unittest.TestCase):
    """Removing podman images waits for every build in flight; docker takes no lock."""

    def remove_while_building(self, name):
        with tempfile.TemporaryDirectory() as d:
            building, removing = runner.Engine(name, name), runner.Engine(name, name)
            building.lock_dir = removing.lock_dir = Path(d)
            removed = threading.Event()

            def remove():
                with removing.store_lock(exclusive=True):
                    removed.set()

            with building.store_lock(exclusive=False):
                t = threading.Thread(target=remove)
                t.start()
                during = removed.wait(0.3)
            t.join(5)
            return during, removed.is_set()

    def test_podman_removal_waits_for_the_build(self):
        self.assertEqual(self.remove_while_building("podman"), (False, True))

    def test_docker_removal_does_not_wait(self):
        self.assertEqual(self.remove_while_building("docker"), (True, True))


class RetryTest(unittest.TestCase):
    def run_rows(self, outcomes, revivals=()):
        calls = iter(outcomes)
        # What Engine.revive finds before each attempt: None (the daemon was up) or a note.
        revived = iter(list(revivals) + [None] * 3)

        def run_project(project, engine, out_dir, quick):
            # Each attempt writes its own log into the row's log directory.
            logs = runner.row_logs(out_dir, project, engine)
            logs.mkdir(parents=True, exist_ok=True)
            ok = next(calls)
            (logs / "prod-cold.log").write_text(f"attempt ok={ok}\n")
            return {"checks": [{"name": "http", "ok": ok, "detail": f"refused, see {logs / 'prod-cold.log'}"}]}

        with mock.patch.object(runner, "run_project", run_project), \
                mock.patch.object(runner.Engine, "revive", lambda self: next(revived)), \
                tempfile.TemporaryDirectory() as d:
            row = runner.run_once_more_if_red(Path("p"), runner.Engine("docker", "docker"), Path(d), False)
            logs = {p.parent.name: p.read_text() for p in Path(d).glob("logs/*/prod-cold.log")}
            for i, failure in enumerate(row.get("first_attempt_failures", [])):
                row["first_attempt_failures"][i] = failure.replace(d, "OUT")
            return row, logs

    def test_a_red_row_runs_once_more_and_keeps_its_first_failures_and_logs(self):
        row, logs = self.run_rows([False, True])
        self.assertEqual((row["checks"][0]["ok"], row["first_attempt_failures"]),
                         (True, ["http: refused, see OUT/logs/p-docker-first-attempt/prod-cold.log"]))
        self.assertEqual(logs, {"p-docker-first-attempt": "attempt ok=False\n", "p-docker": "attempt ok=True\n"})

    def test_a_green_row_runs_once(self):
        row, logs = self.run_rows([True])
        self.assertNotIn("first_attempt_failures", row)
        self.assertEqual((list(logs), row["engine_restarts"]), (["p-docker"], []))

    def test_a_row_red_twice_on_a_live_engine_is_not_run_a_third_time(self):
        row, logs = self.run_rows([False, False, True])
        self.assertFalse(row["checks"][0]["ok"])
        self.assertEqual(len(row["first_attempt_failures"]), 1)
        self.assertEqual(sorted(logs), ["p-docker", "p-docker-first-attempt"])

    def test_a_daemon_that_stopped_under_the_second_attempt_gives_a_third(self):
        # Up before the first attempt, up before the second, stopped under the second.
        row, logs = self.run_rows([False, False, True], [None, None, "panic: failed to get edge"])
        self.assertTrue(row["checks"][0]["ok"])
        self.assertEqual(row["engine_restarts"], ["panic: failed to get edge"])
        self.assertEqual(len(row["first_attempt_failures"]), 2)
        self.assertEqual(sorted(logs), ["p-docker", "p-docker-first-attempt", "p-docker-second-attempt"])

    def test_engine_restarts_are_in_the_report(self):
        with tempfile.TemporaryDirectory() as d:
            row = {"project": "p", "engine": "docker", "stack": "node", "times": {}, "sizes": {},
                   "checks": [{"name": "http", "ok": True, "detail": ""}],
                   "engine_restarts": ["the docker daemon had stopped (panic: failed to get edge) and was restarted"]}
            runner.write_report([row], Path(d), 1.0)
            report = (Path(d) / "report.md").read_text()
        self.assertIn("## Engine restarts", report)
        self.assertIn("- p on docker: the docker daemon had stopped (panic: failed to get edge)", report)


class WorkspaceChangeTest(unittest.TestCase):
    """Each attempt's change to a workspace package is new: an engine keeps the layer of
    every change it saw, so a repeated one would find the changed manifest cached."""

    class Engine:
        name = "docker"

        def __init__(self):
            self.seen = []

        def build(self, ctx, tag, target, log=None):
            self.seen.append((Path(ctx) / "pkg.json").read_text())
            return 0, "#5 [deps 2/2] RUN npm ci\n#5 DONE 3.0s\n", 3.0

    def test_two_attempts_make_two_different_changes_and_restore_the_file(self):
        cfg = {"related_change": {"file": "pkg.json", "replace": ["1.0.0", "1.0.0 changed {nonce}"]}}
        engine, results = self.Engine(), []
        with tempfile.TemporaryDirectory() as d:
            (Path(d) / "pkg.json").write_text("1.0.0\n")
            for _ in range(2):
                runner.workspace_changes(Path(d), engine, cfg, "t:prod-docker", Path(d),
                                         runner.Check(results, "x"), runner.DEPS_STEP["node"])
            restored = (Path(d) / "pkg.json").read_text()
        self.assertEqual(restored, "1.0.0\n")
        self.assertEqual(len(set(engine.seen)), 2, engine.seen)
        self.assertNotIn("{nonce}", engine.seen[0])
        self.assertEqual([r["ok"] for r in results], [True, True])


def setUpModule():
    # The runner reports each check on stderr; in CI's log a unit test's deliberate
    # failure would read like a real one.
    quiet = contextlib.redirect_stderr(io.StringIO())
    quiet.__enter__()
    unittest.addModuleCleanup(quiet.__exit__, None, None, None)




class BrokenOnPurpose(unittest.TestCase):
    DOCKERFILE = "FROM a AS build\nUSER 1000\nCMD [\"build\"]\n\nFROM b AS prod\nUSER 1000:1000\nCMD [\"node\", \"server.js\"]\n"

    def test_only_the_last_stage_is_broken(self):
        for name, (_, line, replacement) in runner.BROKEN.items():
            text = runner.break_last_stage(self.DOCKERFILE, line, replacement)
            head, _, last = text.rpartition("\nFROM ")
            self.assertEqual(head, self.DOCKERFILE.rpartition("\nFROM ")[0], name)
            self.assertIn(replacement, last, name)
            self.assertEqual(text.count("\n"), self.DOCKERFILE.count("\n"), name)

    def test_verify_reports_the_checks_that_failed(self):
        report = {"checks": [{"name": "answers", "ok": False}, {"name": "non_root", "ok": True}]}
        self.assertEqual(runner.failed_checks(report), ["answers"])
        self.assertEqual(runner.failed_checks(None), [])


def tar_bytes(files, gzip=False):
    """A tar archive in memory holding `files` ({name: bytes})."""
    buf = io.BytesIO()
    with runner.tarfile.open(fileobj=buf, mode="w:gz" if gzip else "w") as tar:
        for name, data in files.items():
            info = runner.tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


class CanaryTest(unittest.TestCase):
    def test_planting_skips_files_the_project_already_has(self):
        with tempfile.TemporaryDirectory() as d:
            ctx = Path(d)
            (ctx / ".npmrc").write_text("engine-strict=true\n")
            planted = runner.plant_canaries(ctx)
            self.assertNotIn(".npmrc", planted)
            self.assertEqual((ctx / ".npmrc").read_text(), "engine-strict=true\n")
            self.assertIn("config/.env", planted)
            self.assertIn(runner.CANARY, (ctx / "config/.env").read_text())
            self.assertIn(runner.CANARY, (ctx / ".aws/credentials").read_text())

    def test_a_canary_in_any_layer_is_found_plain_or_gzip(self):
        clean = tar_bytes({"app/index.js": b"console.log(1)\n"})
        leaked = tar_bytes({"app/config/.env": f"TOKEN={runner.CANARY}\n".encode()}, gzip=True)
        archive = tar_bytes({"manifest.json": b"[]", "a/layer.tar": clean, "blobs/sha256/b": leaked})
        self.assertEqual(runner.canary_hits(io.BytesIO(archive)), ["blobs/sha256/b:app/config/.env"])

    def test_an_image_without_canaries_has_no_hits(self):
        layer = tar_bytes({"app/.npmrc": b"engine-strict=true\n", "etc/passwd": b"root:x:0:0\n"})
        archive = tar_bytes({"index.json": b"{}", "blobs/sha256/a": layer})
        self.assertEqual(runner.canary_hits(io.BytesIO(archive)), [])


if __name__ == "__main__":
    unittest.main()
