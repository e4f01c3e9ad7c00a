#!/usr/bin/env python3
"""Grade dockform on the real-project corpus.

Each key in tests/corpus/keys/*.toml names a public repository, a pinned commit and
what is right for it (see tests/corpus/README.md). For every key this script extracts
the pinned commit from the local mirror, runs `dockform detect --json` and
`dockform init --yes --stdout --no-config` on the key's directory, and grades each
field as one of:

  right      the value dockform uses is one the key accepts
  warned     wrong, but a warning names the field (the user is told)
  wrong      silently wrong: a wrong value and no word about it
  flag       init refused and its message names the flag that fixes it
  refused    init refused without naming a fix
  -          the key does not grade this field

Standard library only (Python 3.11+).
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import resource
import shlex
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KEYS = Path(__file__).resolve().parent / "keys"
FIELDS = ["stack", "pm", "version", "build", "start", "port", "health", "listen", "services",
          "env", "apps"]
# Words that make a warning count as naming the field.
FIELD_WORDS = {
    "stack": ["stack"],
    "pm": ["package manager", "lockfile"],
    "version": ["version"],
    "build": ["build"],
    "start": ["start"],
    "port": ["port"],
    "health": ["health"],
    "listen": ["127.0.0.1", "loopback", "localhost", "bind"],
    # dockform's warning when an app links several databases and none is the default
    # (plain "service" or "database" also appear in paths and unrelated warnings).
    "services": ["several databases"],
    "env": ["environment", "variable"],
    "apps": ["app"],
}
# Options a start command may carry that only say where to listen or how many
# workers to run: they do not change *what* runs, so they are dropped before comparing.
BIND_OPTIONS = {
    "--bind": 1, "-b": 1, "--host": 1, "-h": 1, "--port": 1, "-p": 1,
    "--workers": 1, "-w": 1, "--worker-class": 0, "--forwarded-allow-ips": 1,
    "--proxy-headers": 0, "--access-logfile": 1, "--error-logfile": 1,
    "--log-file": 1, "--timeout": 1, "--threads": 1, "--preload": 0,
}
PM_ALIASES = {"cargo": None, "go": "go"}


@dataclass
class Run:
    """What dockform said about one directory."""
    detect_rc: int = -1
    detect: dict | None = None
    detect_s: float = 0.0
    detect_cpu_s: float = 0.0
    init_rc: int = -1
    init_out: str = ""
    init_err: str = ""
    crashed: str = ""


@dataclass
class Graded:
    key: dict
    run: Run
    cells: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)


def load_keys(names: list[str]) -> list[dict]:
    keys = []
    for path in sorted(KEYS.glob("*.toml")):
        with path.open("rb") as f:
            for repo in tomllib.load(f).get("repo", []):
                repo["_file"] = path.name
                if not names or any(n in f"{repo['name']}/{repo.get('path', '.')}" for n in names):
                    keys.append(repo)
    return keys


def checkout(key: dict, mirror: Path, work: Path) -> Path | None:
    """The key's repository at its pinned commit, extracted once under `work`."""
    slug = key["name"].replace("/", "+")
    dest = work / f"{slug}@{key['commit'][:12]}"
    if (dest / ".dockform-corpus-ok").exists():
        return dest
    git_dir = mirror / slug / "repo"
    if not git_dir.is_dir():
        return None
    dest.mkdir(parents=True, exist_ok=True)
    # A snapshot lacks files of 4 MiB and more: archive everything else.
    excludes = [f":(exclude){p}" for p in missing_blobs(git_dir, key["commit"])]
    archive = subprocess.run(
        ["git", f"--git-dir={git_dir}", "archive", key["commit"], "--", ".", *excludes],
        capture_output=True, check=False,
    )
    if archive.returncode != 0:
        return None
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    (dest / ".dockform-corpus-ok").touch()
    return dest


def missing_blobs(git_dir: Path, commit: str) -> list[str]:
    """Paths at `commit` whose content the mirror does not hold."""
    tree = subprocess.run(["git", f"--git-dir={git_dir}", "ls-tree", "-r", commit],
                          capture_output=True, text=True, check=False).stdout
    entries = [line.split("\t", 1) for line in tree.splitlines() if "\t" in line]
    blobs = [(meta.split()[2], path) for meta, path in entries if meta.split()[1] == "blob"]
    check = subprocess.run(["git", f"--git-dir={git_dir}", "cat-file", "--batch-check"],
                           input="\n".join(oid for oid, _ in blobs) + "\n",
                           capture_output=True, text=True, check=False).stdout.splitlines()
    return [path for (_, path), line in zip(blobs, check) if line.endswith("missing")]


def timed_detect(binary: Path, project: Path) -> tuple[subprocess.CompletedProcess, float, float]:
    """One `detect --json` run: its output, wall-clock seconds and CPU seconds (user + system)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    out = subprocess.run([str(binary), "detect", "--json", str(project)],
                         capture_output=True, text=True, timeout=30, check=False)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return out, wall, cpu


def run_dockform(binary: Path, project: Path) -> Run:
    run = Run()
    try:
        out, run.detect_s, run.detect_cpu_s = timed_detect(binary, project)
        # Other work on the machine only ever adds wall-clock time: a run over one second
        # is timed twice more and the quickest counts (its CPU time is reported beside it).
        for _ in range(2):
            if run.detect_s <= 1.0:
                break
            _, wall, cpu = timed_detect(binary, project)
            if wall < run.detect_s:
                run.detect_s, run.detect_cpu_s = wall, cpu
    except subprocess.TimeoutExpired:
        run.crashed = "detect timed out (30 s)"
        return run
    run.detect_rc = out.returncode
    try:
        run.detect = json.loads(out.stdout)
    except json.JSONDecodeError:
        run.detect = None
    if out.returncode == 101 or "panicked" in out.stderr or "bug in dockform" in out.stderr:
        run.crashed = "detect: " + out.stderr.strip().splitlines()[0][:120]
    try:
        init = subprocess.run([str(binary), "init", "--yes", "--stdout", "--no-config", str(project)],
                              capture_output=True, text=True, timeout=30, check=False)
    except subprocess.TimeoutExpired:
        run.crashed = run.crashed or "init timed out (30 s)"
        return run
    run.init_rc, run.init_out, run.init_err = init.returncode, init.stdout, init.stderr
    if init.returncode == 101 or "panicked" in init.stderr or "bug in dockform" in init.stderr:
        run.crashed = run.crashed or "init: " + init.stderr.strip().splitlines()[0][:120]
    return run


def dockerfile(run: Run) -> str:
    text = run.init_out.split("==> .dockerignore <==")[0]
    return text.replace("==> Dockerfile <==\n", "", 1)


def final_cmd(text: str) -> list[str] | None:
    """The exec-form CMD of the last stage, as argv."""
    stages = re.split(r"(?im)^FROM\s", text)
    cmds = re.findall(r"(?m)^CMD\s+(\[.*\])\s*$", stages[-1]) if stages else []
    if not cmds:
        return None
    try:
        return json.loads(cmds[-1])
    except json.JSONDecodeError:
        return None


def normalise(argv: list[str]) -> list[str]:
    """Argv reduced to what decides which program and app run."""
    argv = [a for a in argv if a]
    if not argv:
        return []
    argv = [argv[0].rsplit("/", 1)[-1]] + argv[1:]
    if argv[:2] in (["python", "-m"], ["python3", "-m"]) and len(argv) > 2 and argv[2] in (
        "uvicorn", "gunicorn", "hypercorn", "flask", "waitress", "daphne", "granian"):
        argv = argv[2:]
    if argv[:2] == ["npm", "run"] and len(argv) > 2 and argv[2] == "start":
        argv = ["npm", "start"] + argv[3:]
    if argv[:1] in (["yarn"], ["pnpm"], ["bun"]) and argv[1:3] == ["run", "start"]:
        argv = [argv[0], "start"] + argv[3:]
    out, skip = [], 0
    for arg in argv:
        if skip:
            skip -= 1
            continue
        name = arg.split("=", 1)[0]
        if name in BIND_OPTIONS and len(out) > 0:
            skip = 0 if "=" in arg else BIND_OPTIONS[name]
            continue
        out.append(arg[2:] if arg.startswith("./") else arg)
    return out


def split_cmd(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def names(text: str, word: str) -> bool:
    """Whether `text` names `word` as a word (or its plural): "port" is not named by
    "supported", nor "build" by "building"."""
    return re.search(r"(?<![a-z0-9])" + re.escape(word) + r"(s|es)?(?![a-z0-9])", text.lower()) is not None


def warned(detect: dict | None, err: str, field_name: str) -> bool:
    texts = list((detect or {}).get("warnings", [])) + [err]
    words = FIELD_WORDS[field_name]
    return any(names(t, w) for t in texts for w in words)


def refusal(run: Run, field_name: str) -> str:
    """The cell for a field init refused over: `flag` when the error names a flag."""
    err = run.init_err
    words = FIELD_WORDS[field_name]
    if not any(names(err, w) for w in words):
        return ""
    return "flag" if re.search(r"--[a-z][a-z-]+|dockform\.toml", err) else "refused"


def grade_value(ok: bool, run: Run, field_name: str, value=True) -> str:
    """`value` is what dockform found (None: it says it does not know)."""
    if ok:
        return "right"
    refused = (run.detect or {}).get("refusal")
    if value is None and refused:
        return "flag" if refused.get("fix") else "refused"
    if run.init_rc != 0:
        cell = refusal(run, field_name)
        if cell:
            return cell
    return "warned" if warned(run.detect, run.init_err, field_name) else "wrong"


def fact(run: Run, name: str):
    facts = (run.detect or {}).get("facts", {})
    return (facts.get(name) or {}).get("value")


def grade(key: dict, run: Run) -> Graded:
    g = Graded(key, run)
    kind = key.get("kind", "app")
    if run.detect is None:
        g.notes.append(f"detect printed no JSON (exit {run.detect_rc})")
    if run.crashed:
        g.notes.append("CRASH " + run.crashed)
    if kind == "workspace-root":
        listed = run.init_err + json.dumps(run.detect or {})
        apps = key.get("apps", [])
        found = [a for a in apps if a.rstrip("/") in listed]
        g.cells["apps"] = "right" if apps and len(found) == len(apps) else (
            "refused" if run.init_rc != 0 else "wrong")
        if len(found) != len(apps):
            g.notes.append(f"apps found {len(found)}/{len(apps)}")
        return g
    stack = (run.detect or {}).get("stack")
    g.cells["stack"] = grade_value(stack == key["stack"], run, "stack", stack)
    if stack != key["stack"]:
        g.notes.append(f"stack {stack!r}, key {key['stack']!r}")
    pm = fact(run, "package_manager")
    want_pm = key.get("package_manager")
    if want_pm:
        ok = pm == want_pm or (want_pm == "cargo" and pm in (None, "cargo"))
        g.cells["pm"] = grade_value(ok, run, "pm", pm if stack else None)
        if not ok:
            g.notes.append(f"pm {pm!r}, key {want_pm!r}")
    versions = key.get("versions", [])
    version = fact(run, "version")
    ok = version is not None and (not versions or str(version) in versions)
    g.cells["version"] = grade_value(ok, run, "version", version)
    if not ok:
        g.notes.append(f"version {version!r}, key {versions}")
    if "build" in key:
        build = fact(run, "build_command") or ""
        accepted = [normalise(split_cmd(b)) for b in key["build"]]
        ok = (not key["build"] and not build) or normalise(split_cmd(build)) in accepted
        g.cells["build"] = grade_value(ok, run, "build", build if stack else None)
        if not ok:
            g.notes.append(f"build {build!r}")
    grade_start(g, key, run)
    grade_port(g, key, run)
    if key.get("health"):
        health = fact(run, "health_path")
        g.cells["health"] = grade_value(health == key["health"], run, "health", health)
        if health != key["health"]:
            g.notes.append(f"health {health!r}, key {key['health']!r}")
    grade_listen(g, key, run)
    grade_needs(g, key, run)
    return g


def found_services(detect: dict) -> set[str]:
    """The backing services detect names, plus `sqlite-dir` for a SQLite data directory."""
    kinds = {s.get("kind") for s in detect.get("services") or [] if s.get("kind")}
    if any("sqlite" in (w.get("reason") or "").lower() for w in detect.get("writable_paths") or []):
        kinds.add("sqlite-dir")
    return kinds


def found_env(detect: dict, when: str) -> set[str]:
    return {v.get("name") for v in (detect.get("env") or {}).get(when) or [] if v.get("name")}


def grade_needs(g: Graded, key: dict, run: Run) -> None:
    """Services and required env: right when detect names exactly the key's set. A
    wrong service set is warned when detect warned that it found several databases and
    no default; otherwise (and for env, never a warning's subject today) silently wrong."""
    detect = run.detect
    if detect is None or not detect.get("stack"):
        return
    if "services" in key:
        got, want = found_services(detect), set(key["services"])
        g.cells["services"] = "right" if got == want else (
            "warned" if warned(detect, run.init_err, "services") else "wrong")
        if got != want:
            g.notes.append(f"services {sorted(got)}, key {sorted(want)}")
    if "env" in key or "build_env" in key:
        got = (found_env(detect, "runtime"), found_env(detect, "build"))
        want = (set(key.get("env", [])), set(key.get("build_env", [])))
        g.cells["env"] = "right" if got == want else "wrong"
        if got != want:
            g.notes.append(f"env {sorted(got[0])}+build {sorted(got[1])}, key {sorted(want[0])}+build {sorted(want[1])}")


def grade_start(g: Graded, key: dict, run: Run) -> None:
    if "start" not in key:
        return
    accepted = [normalise(split_cmd(s)) for s in key["start"]]
    cmd = final_cmd(dockerfile(run)) if run.init_rc == 0 else None
    got = normalise(cmd) if cmd else normalise(split_cmd(fact(run, "start_command") or ""))
    ok = bool(got) and got in accepted
    g.cells["start"] = grade_value(ok, run, "start", got or None)
    if not ok:
        g.notes.append(f"start {' '.join(got) or None!r}")


def grade_port(g: Graded, key: dict, run: Run) -> None:
    if "port" not in key:
        return
    port = fact(run, "port")
    want = key["port"]
    ok = (port or 0) == want
    g.cells["port"] = grade_value(ok, run, "port", port)
    if not ok:
        g.notes.append(f"port {port!r}, key {want}")


def grade_listen(g: Graded, key: dict, run: Run) -> None:
    listen = key.get("listen")
    if listen == "loopback":
        env = key.get("listen_env", "")
        text = dockerfile(run)
        set_env = bool(env) and re.search(rf"\b{re.escape(env)}=", text) is not None
        ok = set_env or warned(run.detect, run.init_err, "listen")
        g.cells["listen"] = "right" if ok else "wrong"
    elif listen == "all":
        g.cells["listen"] = "wrong" if any(
            w in t for t in (run.detect or {}).get("warnings", [])
            for w in ("127.0.0.1", "loopback")) else "right"


SYMBOL = {"right": "ok", "warned": "warn", "wrong": "WRONG", "flag": "flag", "refused": "REFUSED"}


def table(results: list[Graded]) -> str:
    head = "| repository | path | " + " | ".join(FIELDS) + " | detect s | notes |"
    rows = [head, "|" + "---|" * (len(FIELDS) + 4)]
    for g in results:
        cells = [SYMBOL.get(g.cells.get(f, ""), "-") for f in FIELDS]
        notes = "; ".join(g.notes).replace("|", "\\|")
        rows.append(f"| {g.key['name']} | {g.key.get('path', '.')} | " + " | ".join(cells)
                    + f" | {g.run.detect_s:.2f} | {notes} |")
    return "\n".join(rows)


def summary(results: list[Graded]) -> tuple[str, dict]:
    lines = ["| field | graded | right | warned | silently wrong | refused, flag named | refused otherwise |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    headline = {}
    for f in FIELDS:
        cells = [g.cells[f] for g in results if f in g.cells]
        if not cells:
            continue
        n = len(cells)
        pct = {k: 100.0 * cells.count(k) / n for k in SYMBOL}
        headline[f] = (pct["right"], n)
        lines.append(f"| {f} | {n} | " + " | ".join(f"{pct[k]:.0f}%" for k in SYMBOL) + " |")
    return "\n".join(lines), headline


def health_lines(results: list[Graded]) -> list[str]:
    no_json = sum(1 for g in results if g.run.detect is None)
    nonzero = sum(1 for g in results if g.run.detect_rc != 0)
    crashes = [g for g in results if g.run.crashed]
    slow = [g for g in results if g.run.detect_s > 1.0]
    heavy = [g for g in results if g.run.detect_cpu_s > 1.0]
    return [
        f"- `detect --json`: {nonzero} of {len(results)} exited non-zero, {no_json} printed no JSON.",
        f"- crashes (panic, internal error, timeout): {len(crashes)}"
        + "".join(f"\n  - {g.key['name']} {g.key.get('path', '.')}: {g.run.crashed}" for g in crashes),
        f"- runs over one second of CPU time (user + system): {len(heavy)}"
        + "".join(f"\n  - {g.key['name']} {g.key.get('path', '.')}: {g.run.detect_cpu_s:.2f} s" for g in heavy),
        f"- runs over one second of wall-clock time (the quickest of three; other work on the "
        f"machine adds to it): {len(slow)}"
        + "".join(f"\n  - {g.key['name']} {g.key.get('path', '.')}: {g.run.detect_s:.2f} s "
                  f"({g.run.detect_cpu_s:.2f} s of CPU)" for g in slow),
    ]


def commit_of_dockform() -> str:
    out = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                         capture_output=True, text=True, check=False)
    return out.stdout.strip() or "unknown"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="*", help="only keys whose owner/name/path contains one of these")
    ap.add_argument("--bin", type=Path, default=ROOT / "target/release/dockform",
                    help="the dockform binary (default: target/release/dockform)")
    ap.add_argument("--mirror", type=Path, default=Path("/work/.mirror"),
                    help="where fetched repositories are (<owner>+<name>/repo)")
    ap.add_argument("--work", type=Path, default=ROOT / "target/corpus",
                    help="where pinned checkouts are extracted")
    ap.add_argument("--write", type=Path, help="also write the scorecard (Markdown) to this file")
    ap.add_argument("--json", action="store_true", help="print the graded cells as JSON")
    args = ap.parse_args()
    if not args.bin.exists():
        print(f"error: {args.bin} not found; build it with `cargo build --release`", file=sys.stderr)
        return 2
    keys = load_keys(args.names)
    results, missing = [], []
    for key in keys:
        project = checkout(key, args.mirror, args.work)
        if project is None:
            missing.append(key["name"])
            continue
        results.append(grade(key, run_dockform(args.bin, project / key.get("path", "."))))
    if args.json:
        print(json.dumps([{"name": g.key["name"], "path": g.key.get("path", "."),
                           "cells": g.cells, "notes": g.notes} for g in results], indent=2))
        return 0
    summ, headline = summary(results)
    single = [g for g in results if g.key.get("kind", "app") == "app"]
    _, single_head = summary(single)
    report = [
        "# Corpus scorecard",
        "",
        f"dockform `{commit_of_dockform()}` on {len(results)} directories of "
        f"{len({g.key['name'] for g in results})} public repositories, "
        f"{datetime.date.today().isoformat()}. Generated by `python3 tests/corpus/score.py --write tests/corpus/RESULTS.md`.",
        "",
        "Headline (single-app repositories): " + ", ".join(
            f"{f} {single_head[f][0]:.0f}%" for f in ("stack", "start", "port", "version") if f in single_head),
        "",
        "## By field (every graded directory)",
        "",
        summ,
        "",
        "## Robustness",
        "",
        *health_lines(results),
        "",
        "## By repository",
        "",
        "`ok` right, `warn` wrong but warned, `WRONG` silently wrong, `flag` refused naming the flag,"
        " `REFUSED` refused otherwise, `-` not graded.",
        "",
        table(results),
    ]
    if missing:
        report += ["", "Not fetched (run the search tool's fetch on each): "
                   + ", ".join(f"`github:{m}`" for m in sorted(set(missing)))]
    text = "\n".join(report) + "\n"
    print(text)
    if args.write:
        args.write.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
