#!/usr/bin/env python3
"""Generates the benchmark trees for bench/run.sh under the directory given.

small/       a small Express-style app (a dozen files)
big/         one app with 100,000 files: 60,000 in a deep node_modules (nested
             node_modules inside packages, as npm leaves them) and 40,000 of its own
             source, tests and assets spread over nested directories
workspaces/  a workspace root with 5,000 packages, each with its package.json
"""
import json
import os
import sys

ROOT = sys.argv[1]


def write(path, text=""):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def app(root, name):
    write(f"{root}/package.json", json.dumps({
        "name": name, "version": "1.0.0", "main": "src/server.js",
        "scripts": {"start": "node src/server.js", "test": "node --test", "dev": "node --watch src/server.js"},
        "dependencies": {"express": "^4.21.2"},
    }, indent=2))
    write(f"{root}/package-lock.json", json.dumps({"name": name, "lockfileVersion": 3, "packages": {}}))
    write(f"{root}/.gitignore", "node_modules/\n.env\ncoverage/\n")
    write(f"{root}/src/server.js", "const app = require('express')();\napp.listen(process.env.PORT || 8080);\n")
    write(f"{root}/src/routes/index.js", "module.exports = {};\n")
    write(f"{root}/test/server.test.js", "require('node:test');\n")
    write(f"{root}/public/index.html", "<p>hi</p>\n")


def small():
    app(f"{ROOT}/small", "small")


def big():
    root = f"{ROOT}/big"
    app(root, "big")
    count = 0
    # 60,000 files in node_modules: 600 packages x 100 files, every tenth package
    # with its own nested node_modules three levels deep.
    for p in range(600):
        base = f"{root}/node_modules/pkg-{p}"
        if p % 10 == 0:
            base = f"{base}/node_modules/dep-{p}/node_modules/leaf-{p}"
        for f in range(100):
            write(f"{base}/lib/{f // 25}/file-{f}.js", "module.exports = 1;\n")
            count += 1
    # 40,000 files of the app's own: src/<area>/<module>/<file>, depth 4 to 6.
    for a in range(40):
        for m in range(50):
            for f in range(20):
                sub = "src" if f % 2 == 0 else "test" if f % 4 == 1 else "assets/img"
                write(f"{root}/{sub}/area-{a}/mod-{m}/f-{f}.js", "export const x = 1;\n")
                count += 1
    print(f"big: {count + 7} files")


def workspaces():
    root = f"{ROOT}/workspaces"
    write(f"{root}/package.json", json.dumps({"name": "mono", "private": True, "workspaces": ["packages/*"]}))
    write(f"{root}/package-lock.json", "{}")
    for p in range(5000):
        app(f"{root}/packages/pkg-{p}", f"pkg-{p}")


if __name__ == "__main__":
    small()
    big()
    workspaces()
