"""Unit tests of the corpus scorer's grading (no repositories needed)."""

import json
import unittest
from unittest import mock

import score


def run_with(facts=None, stack="node", warnings=(), refusal=None, cmd=None, init_rc=0, err=""):
    run = score.Run()
    run.detect_rc = 0
    run.detect = {
        "stack": stack,
        "facts": {k: {"value": v} for k, v in (facts or {}).items()},
        "warnings": list(warnings),
        "refusal": refusal,
    }
    run.init_rc = init_rc
    run.init_err = err
    if cmd is not None:
        run.init_out = "==> Dockerfile <==\nFROM x AS build\nCMD [\"no\"]\nFROM y AS prod\nCMD " + json.dumps(cmd) + "\n"
    return run


KEY = {"name": "o/r", "stack": "node", "package_manager": "npm", "versions": ["24"],
       "start": ["npm start", "node server.js"], "port": 3000, "build": []}


class Normalise(unittest.TestCase):
    def test_drops_bind_options_and_paths_but_keeps_the_app(self):
        self.assertEqual(score.normalise(["/opt/venv/bin/gunicorn", "--bind", "0.0.0.0:8000", "app:app"]),
                         ["gunicorn", "app:app"])
        self.assertEqual(score.normalise(["python", "-m", "uvicorn", "--port=80", "--factory", "m:f"]),
                         ["uvicorn", "--factory", "m:f"])
        self.assertNotEqual(score.normalise(["gunicorn", "a:app"]), score.normalise(["gunicorn", "b:app"]))

    def test_spellings_of_the_start_script_are_one(self):
        self.assertEqual(score.normalise(["npm", "run", "start"]), ["npm", "start"])
        self.assertEqual(score.normalise(["node", "./dist/main.js"]), ["node", "dist/main.js"])
        self.assertEqual(score.normalise(["/usr/local/bin/app", "serve"]), ["app", "serve"])


class Grade(unittest.TestCase):
    def grade(self, run, **key):
        return score.grade({**KEY, **key}, run).cells

    def test_right_values_are_right(self):
        cells = self.grade(run_with({"package_manager": "npm", "version": "24", "port": 3000}, cmd=["node", "server.js"]))
        self.assertEqual([cells[f] for f in ("stack", "pm", "version", "start", "port", "build")], ["right"] * 6)

    def test_a_wrong_value_is_silent_unless_a_warning_names_the_field(self):
        self.assertEqual(self.grade(run_with({"port": 8080}, cmd=["node", "server.js"]))["port"], "wrong")
        run = run_with({"port": 8080}, warnings=["no port found: 8080 is the preset default"], cmd=["node", "server.js"])
        self.assertEqual(self.grade(run)["port"], "warned")

    def test_an_unknown_value_with_a_refusal_counts_as_refused_naming_the_flag(self):
        run = run_with({"port": 3000}, refusal={"message": "no start command (pass `--start-command`)",
                                                "fix": "--start-command"}, init_rc=1,
                       err="error: no start command (pass `--start-command`)")
        self.assertEqual(self.grade(run)["start"], "flag")
        run.detect["refusal"]["fix"] = None
        self.assertEqual(self.grade(run)["start"], "refused")

    def test_the_last_stage_cmd_is_the_start_command(self):
        self.assertEqual(self.grade(run_with({}, cmd=["npm", "run", "start"]))["start"], "right")
        self.assertEqual(self.grade(run_with({}, cmd=["node", "other.js"]))["start"], "wrong")

    def test_a_word_inside_another_word_does_not_name_a_field(self):
        # "supported" holds "port" and "building" holds "build": neither names the field.
        run = run_with({"port": 8080}, warnings=["Go 1.24 is no longer supported; building with Go 1.26"], cmd=["node", "server.js"])
        self.assertEqual(self.grade(run)["port"], "wrong")

    def test_a_loopback_app_is_right_only_when_the_image_rebinds_or_warns(self):
        key = {"listen": "loopback", "listen_env": "HOST"}
        self.assertEqual(self.grade(run_with({}, cmd=["x"]), **key)["listen"], "wrong")
        run = run_with({}, cmd=["x"])
        run.init_out = run.init_out.replace("FROM y AS prod\n", "FROM y AS prod\nENV HOST=0.0.0.0\n")
        self.assertEqual(self.grade(run, **key)["listen"], "right")

    def test_a_workspace_root_must_name_every_app(self):
        run = run_with({}, stack=None, init_rc=1, err="workspace root (apps: apps/api, apps/web)")
        key = {**KEY, "kind": "workspace-root", "apps": ["apps/api", "apps/web"]}
        self.assertEqual(score.grade(key, run).cells["apps"], "right")
        key["apps"].append("apps/worker")
        self.assertNotEqual(score.grade(key, run).cells["apps"], "right")


class Keys(unittest.TestCase):
    STACKS = {"node", "nextjs", "go", "python", "rust"}
    KINDS = {"app", "workspace-root", "workspace-app"}

    def test_every_key_is_well_formed(self):
        keys = score.load_keys([])
        self.assertGreaterEqual(len({k["name"] for k in keys}), 60)
        seen = set()
        for k in keys:
            where = f"{k['_file']}: {k['name']} {k.get('path')}"
            self.assertRegex(k["commit"], r"^[0-9a-f]{40}$", where)
            self.assertIn(k.get("kind", "app"), self.KINDS, where)
            self.assertNotIn((k["name"], k.get("path", ".")), seen, where)
            seen.add((k["name"], k.get("path", ".")))
            if k.get("kind") == "workspace-root":
                self.assertTrue(k.get("apps"), where)
                continue
            self.assertIn(k["stack"], self.STACKS, where)
            self.assertIsInstance(k.get("port"), int, where)
            self.assertTrue(all(isinstance(s, str) for s in k.get("start", [])), where)


if __name__ == "__main__":
    unittest.main()


class Needs(unittest.TestCase):
    def run_needing(self, services=(), writable=(), runtime=(), build=()):
        run = run_with()
        run.detect["services"] = [{"name": k, "kind": k} for k in services]
        run.detect["writable_paths"] = [{"path": "data", "reason": r} for r in writable]
        run.detect["env"] = {"runtime": [{"name": n} for n in runtime],
                             "build": [{"name": n} for n in build]}
        return run

    def test_services_and_a_sqlite_directory_must_match_the_key_exactly(self):
        key = dict(KEY, services=["postgres", "sqlite-dir"])
        run = self.run_needing(["postgres"], ["opens the SQLite database `data/x.db`"])
        self.assertEqual(score.grade(key, run).cells["services"], "right")
        run = self.run_needing(["postgres", "redis"], ["opens the SQLite database `data/x.db`"])
        self.assertEqual(score.grade(key, run).cells["services"], "wrong")
        run = self.run_needing(["postgres"])
        self.assertEqual(score.grade(key, run).cells["services"], "wrong")

    def test_a_wrong_service_set_is_warned_when_detect_said_it_found_several_databases(self):
        key = dict(KEY, services=["sqlite-dir"])
        run = self.run_needing(["postgres", "mysql"])
        run.detect["warnings"] = ["a warning about `internal/service.go`"]
        self.assertEqual(score.grade(key, run).cells["services"], "wrong")
        run.detect["warnings"] = ["the app links drivers for several databases, postgres (...), mysql (...)"]
        self.assertEqual(score.grade(key, run).cells["services"], "warned")

    def test_required_env_is_graded_at_run_time_and_build_time(self):
        key = dict(KEY, env=["DATABASE_URL"], build_env=["NEXT_PUBLIC_API"])
        run = self.run_needing(runtime=["DATABASE_URL"], build=["NEXT_PUBLIC_API"])
        self.assertEqual(score.grade(key, run).cells["env"], "right")
        run = self.run_needing(runtime=["DATABASE_URL", "TEMP"], build=["NEXT_PUBLIC_API"])
        self.assertEqual(score.grade(key, run).cells["env"], "wrong")
        run = self.run_needing(runtime=["DATABASE_URL"])
        self.assertEqual(score.grade(key, run).cells["env"], "wrong")

    def test_a_refused_detection_grades_no_needs(self):
        run = self.run_needing(["postgres"])
        run.detect["stack"] = None
        cells = score.grade(dict(KEY, services=[]), run).cells
        self.assertNotIn("services", cells)


class Timing(unittest.TestCase):
    """A detect run over one second is timed twice more; the quickest wall time counts."""

    def run_with(self, walls):
        calls = iter(walls)

        def fake(binary, project):
            wall = next(calls)
            done = score.subprocess.CompletedProcess([], 0, stdout="{}", stderr="")
            return done, wall, wall / 2

        init = score.subprocess.CompletedProcess([], 0, stdout="", stderr="")
        with mock.patch.object(score, "timed_detect", fake), \
                mock.patch.object(score.subprocess, "run", lambda *a, **k: init):
            run = score.run_dockform(score.Path("bin"), score.Path("p"))
        return run.detect_s, run.detect_cpu_s, next(calls, None)

    def test_a_quick_run_is_timed_once(self):
        self.assertEqual(self.run_with([0.3, 9.0]), (0.3, 0.15, 9.0))

    def test_a_slow_run_is_timed_again_and_the_quickest_counts(self):
        self.assertEqual(self.run_with([2.5, 0.4, 9.0]), (0.4, 0.2, 9.0))

    def test_a_run_slow_three_times_stays_slow(self):
        self.assertEqual(self.run_with([2.5, 1.8, 2.0, 9.0]), (1.8, 0.9, 9.0))

    def test_cpu_time_and_wall_time_are_counted_apart(self):
        busy = score.Graded({"name": "a/busy"}, score.Run(detect={}, detect_rc=0, detect_s=0.6, detect_cpu_s=1.2))
        loaded = score.Graded({"name": "b/loaded"}, score.Run(detect={}, detect_rc=0, detect_s=1.5, detect_cpu_s=0.1))
        lines = score.health_lines([busy, loaded])
        self.assertIn("runs over one second of CPU time (user + system): 1\n  - a/busy .: 1.20 s", lines[2])
        self.assertIn("(the quickest of three; other work on the machine adds to it): 1\n  - b/loaded .: 1.50 s", lines[3])
