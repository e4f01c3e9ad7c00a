"""Unit tests of the compose checks: python3 -m unittest discover -s tests/e2e/lib"""
import contextlib
import json
import os
import re
import stat
import tempfile
import threading
import time
import unittest
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import compose_check as cc

CONFIG = {"services": {
    "app": {"ports": [{"target": 8000, "published": "8000"}],
            "depends_on": {"db": {"condition": "service_healthy"},
                           "migrate": {"condition": "service_completed_successfully"}}},
    "migrate": {"depends_on": {"db": {"condition": "service_healthy"}}},
    "db": {},
}}
SERVICES = ["app", "db", "migrate"]


def ps(**states):
    """`compose ps` rows: service=(state, exit code, health)."""
    return [{"Service": s, "State": st, "ExitCode": code, "Health": health}
            for s, (st, code, health) in states.items()]


class Names(unittest.TestCase):
    def test_project_names_differ_per_engine_and_are_valid(self):
        a, b = cc.project_name("Py.App", "docker"), cc.project_name("Py.App", "podman")
        self.assertNotEqual(a, b)
        self.assertRegex(a, r"^[a-z0-9][a-z0-9_-]*$")

    def test_one_shots_are_the_services_waited_on_to_complete(self):
        self.assertEqual(cc.one_shots(CONFIG), {"migrate"})
        self.assertEqual(cc.one_shots({"services": {"app": {}}}), set())

    def test_app_port_is_the_first_published_target(self):
        self.assertEqual(cc.app_port(CONFIG, "app"), 8000)
        self.assertIsNone(cc.app_port(CONFIG, "db"))


class StandIns(unittest.TestCase):
    def test_the_images_compose_yaml_names_for_postgres_and_redis_have_stand_ins(self):
        root = Path(__file__).resolve().parents[3]
        template = (root / "templates/common/compose.yaml.j2").read_text()
        built = (root / "tests/e2e/standins.sh").read_text()
        for kind in ("postgres", "redis"):
            tags = re.findall(rf"image: ({kind}:\S+)", template)
            self.assertTrue(tags, f"compose.yaml.j2 names no {kind} image")
            for tag in tags:
                self.assertTrue(f"standin {tag} " in built, f"{tag} has no stand-in in standins.sh")


class Override(unittest.TestCase):
    def test_the_app_gets_an_ephemeral_loopback_port_and_a_quick_health_check(self):
        text = cc.override(SERVICES, "app", 8000)
        self.assertIn('  "app":\n    ports: !override\n      - "127.0.0.1::8000"\n'
                      '    healthcheck:\n      interval: 2s\n', text)
        self.assertNotIn("ulimits", text)
        self.assertNotIn('"db"', text)

    def test_limits_go_on_every_service(self):
        text = cc.override(SERVICES, "app", None, (1024, 4096))
        self.assertEqual(text.count("ulimits:\n      nofile: 1024\n      nproc: 4096\n"), 3)
        self.assertNotIn("ports", text)


class Ps(unittest.TestCase):
    def test_reads_one_object_a_line_and_an_array(self):
        rows = [{"Service": "app", "State": "running"}, {"Service": "db", "State": "running"}]
        self.assertEqual(cc.parse_ps("\n".join(json.dumps(r) for r in rows) + "\n"), rows)
        self.assertEqual(cc.parse_ps(json.dumps(rows)), rows)
        self.assertEqual(cc.parse_ps(" \n"), [])


class Pending(unittest.TestCase):
    shots = {"migrate"}

    def test_ready_when_healthy_and_the_one_shot_exited_zero(self):
        rows = ps(app=("running", 0, "healthy"), db=("running", 0, "healthy"), migrate=("exited", 0, ""))
        self.assertEqual(cc.pending(rows, self.shots, SERVICES), ([], []))

    def test_a_service_without_a_health_check_is_ready_when_running(self):
        rows = ps(app=("running", 0, ""), db=("running", 0, ""), migrate=("exited", 0, ""))
        self.assertEqual(cc.pending(rows, self.shots, SERVICES), ([], []))

    def test_starting_running_one_shot_and_missing_container_wait(self):
        rows = ps(app=("running", 0, "starting"), migrate=("running", 0, ""))
        waiting, failed = cc.pending(rows, self.shots, SERVICES)
        self.assertEqual(failed, [])
        self.assertEqual(waiting, ["app: starting", "db: no container", "migrate: running"])

    def test_a_failed_migration_an_unhealthy_or_exited_service_fail(self):
        rows = ps(app=("exited", 3, ""), db=("running", 0, "unhealthy"), migrate=("exited", 1, ""))
        waiting, failed = cc.pending(rows, self.shots, SERVICES)
        self.assertEqual(waiting, [])
        self.assertEqual(failed, ["app: exited (exit 3)", "db: unhealthy", "migrate: exited 1"])


class FakeEngine:
    def __init__(self, name, ids=()):
        self.name, self.cmd, self.ids, self.calls = name, "/bin/true", list(ids), []
        self.lock = threading.Lock()

    @contextlib.contextmanager
    def store_lock(self, exclusive):
        yield

    def run(self, *args, check=True, **kw):
        with self.lock:
            self.calls.append(args)
        out = "\n".join(self.ids) if args[:1] == ("ps",) else ""
        return SimpleNamespace(returncode=0, stdout=out, stderr="")


class HealthTimer(unittest.TestCase):
    def test_podman_containers_get_their_checks_run_by_hand(self):
        engine = FakeEngine("podman", ["c1", "c2"])
        with cc.health_timer(engine, "proj"):
            for _ in range(100):
                if ("healthcheck", "run", "c2") in engine.calls:
                    break
                threading.Event().wait(0.02)
        self.assertIn(("ps", "-q", "--filter", "label=com.docker.compose.project=proj"), engine.calls)
        self.assertIn(("healthcheck", "run", "c1"), engine.calls)
        self.assertIn(("healthcheck", "run", "c2"), engine.calls)

    def test_docker_runs_its_own(self):
        engine = FakeEngine("docker", ["c1"])
        with cc.health_timer(engine, "proj"):
            pass
        self.assertEqual(engine.calls, [])


# A stand-in for the Compose tool: answers `config` (config.json beside it), `ps` (from
# $FAKE_PS), `port`, and records every call in $FAKE_LOG; `up` exits $FAKE_UP_RC.
FAKE_TOOL = """#!/bin/sh
echo "$*" >>"$FAKE_LOG"
for a; do
  case $a in
    config) cat "$(dirname "$0")/config.json"; exit 0 ;;
    ps) printf '%s\\n' "$FAKE_PS"; exit 0 ;;
    port) echo 127.0.0.1:49999; exit 0 ;;
    up) exit "$FAKE_UP_RC" ;;
    down|logs) exit 0 ;;
  esac
done
"""


class ComposeCheck(unittest.TestCase):
    def run_check(self, ps_rows, up_rc=0, cfg=None, tool=True):
        tmp = Path(tempfile.mkdtemp())
        ctx = tmp / "ctx"
        ctx.mkdir()
        (ctx / "compose.yaml").write_text("services: {}\n")
        logs = tmp / "logs"
        logs.mkdir()
        fake = tmp / "compose"
        fake.write_text(FAKE_TOOL)
        (tmp / "config.json").write_text(json.dumps(CONFIG))
        fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
        env = {"E2E_COMPOSE": str(fake) if tool else "", "FAKE_LOG": str(tmp / "calls"),
               "FAKE_PS": "\n".join(json.dumps(r) for r in ps_rows), "FAKE_UP_RC": str(up_rc)}
        results, row, urls = [], {"times": {}}, []

        def check(name, ok, detail=""):
            results.append((name, ok))
            return ok

        def http_get(url, timeout):
            urls.append(url)
            return 200, "hello from postgres (visit 1)\n"

        cfg = cfg if cfg is not None else {"compose": True, "compose_expect_output": "hello from postgres"}
        with mock.patch.dict(os.environ, env):
            cc.compose_check(ctx, FakeEngine("docker"), cfg, check, logs, row, "py-app", 2, http_get, (1, 1))
        calls = (tmp / "calls").read_text() if (tmp / "calls").exists() else ""
        return dict(results), row, urls, calls, (tmp / "compose.e2e.yaml")

    def test_a_healthy_project_passes_every_check_and_is_taken_down(self):
        rows = ps(app=("running", 0, "healthy"), db=("running", 0, "healthy"), migrate=("exited", 0, ""))
        results, row, urls, calls, override = self.run_check(rows)
        self.assertEqual(results, {"compose_config": True, "compose_up": True, "compose_migrate_completed": True,
                                   "compose_healthy": True, "compose_answers": True, "compose_down_clean": True})
        self.assertEqual(urls, ["http://127.0.0.1:49999/"])
        self.assertIn("up -d --build", calls)
        self.assertIn("down --volumes --rmi local --remove-orphans", calls)
        self.assertIn("-p dockform-e2e-py-app-docker", calls)
        self.assertIn('"127.0.0.1::8000"', override.read_text())
        self.assertIn("compose_s", row["times"])

    def test_a_failed_migration_fails_and_still_takes_the_project_down(self):
        rows = ps(app=("created", 0, ""), db=("running", 0, "healthy"), migrate=("exited", 1, ""))
        results, _, urls, calls, _ = self.run_check(rows, up_rc=1)
        self.assertFalse(results["compose_up"])
        self.assertFalse(results["compose_migrate_completed"])
        self.assertFalse(results["compose_healthy"])
        self.assertNotIn("compose_answers", results)
        self.assertEqual(urls, [])
        self.assertIn("down --volumes", calls)

    def test_after_a_failed_up_nothing_is_waited_for(self):
        t0 = time.monotonic()
        results, *_ = self.run_check([], up_rc=1)
        self.assertFalse(results["compose_healthy"])
        self.assertLess(time.monotonic() - t0, 1.5)

    def test_a_wrong_answer_fails(self):
        rows = ps(app=("running", 0, "healthy"), db=("running", 0, "healthy"), migrate=("exited", 0, ""))
        results, *_ = self.run_check(rows, cfg={"compose": True, "compose_expect_output": "from mysql"})
        self.assertFalse(results["compose_answers"])

    def test_rows_without_compose_run_nothing_and_a_missing_tool_fails(self):
        results, _, _, calls, _ = self.run_check([], cfg={})
        self.assertEqual((results, calls), ({}, ""))
        results, *_ = self.run_check([], tool=False)
        self.assertEqual(results, {"compose_up": False})


if __name__ == "__main__":
    unittest.main()
