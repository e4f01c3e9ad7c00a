#!/usr/bin/env python3
"""Builds dockform's release artefacts from a compiled binary, without the network.

    packaging/dist.py archive --binary target/release/dockform [--target TRIPLE] [--out DIR]
    packaging/dist.py npm     --binary target/release/dockform [--target TRIPLE] [--out DIR]

`archive` writes `dockform-<target>.tar.gz` (`.zip` for Windows), holding the binary,
the README and the licences in a folder of the same name (the layout
`[package.metadata.binstall]` in Cargo.toml points `cargo binstall` at), its `.sha256`,
and `sha256.sum` over every archive in DIR. `npm` writes two `npm pack` tarballs: the
platform package `@dockform/<os>-<cpu>` holding the binary, and the main package
`dockform` (packaging/npm/dockform: a launcher and one optional dependency per
platform). A release runs both once per target, each on its own build machine, and
publishes the main npm package once. The Python wheel is maturin's (pyproject.toml).

Every file is written byte-stable: sorted entries, owner 0, modification time
SOURCE_DATE_EPOCH (default 0). The version is Cargo.toml's; the npm files must agree.
"""

import argparse
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NPM_MAIN = ROOT / "packaging/npm/dockform"
DOCS = ["README.md", "LICENSE-MIT", "LICENSE-APACHE"]

# Rust target triple -> npm platform package (`process.platform`, `process.arch`).
NPM_PLATFORMS = {
    "aarch64-apple-darwin": ("darwin", "arm64"),
    "x86_64-apple-darwin": ("darwin", "x64"),
    "aarch64-unknown-linux-gnu": ("linux", "arm64"),
    "aarch64-unknown-linux-musl": ("linux", "arm64"),
    "x86_64-unknown-linux-gnu": ("linux", "x64"),
    "x86_64-unknown-linux-musl": ("linux", "x64"),
    "x86_64-pc-windows-msvc": ("win32", "x64"),
}


def fail(message):
    sys.exit(f"error: {message}")


def mtime():
    return int(os.environ.get("SOURCE_DATE_EPOCH", "0"))


def crate_version():
    with open(ROOT / "Cargo.toml", "rb") as f:
        return tomllib.load(f)["package"]["version"]


def host_target():
    out = subprocess.run(["rustc", "-vV"], capture_output=True, text=True, check=True).stdout
    return next(line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("host: "))


def exe_name(target):
    return "dockform.exe" if "windows" in target else "dockform"


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tar_gz(path, files):
    """`files`: (name in the archive, source path, mode), written sorted and stable."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, source, mode in sorted(files):
            data = source.read_bytes()
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), mode, mtime()
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    with open(path, "wb") as out, gzip.GzipFile(fileobj=out, mode="wb", mtime=mtime()) as gz:
        gz.write(raw.getvalue())


def zip_file(path, files):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, source, mode in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, source.read_bytes())


def binstall_paths(target):
    """The archive name and the binary's path in it, as `cargo binstall` expands
    `[package.metadata.binstall]` in Cargo.toml for `target`."""
    with open(ROOT / "Cargo.toml", "rb") as f:
        meta = tomllib.load(f)["package"]["metadata"]["binstall"]
    meta = {**meta, **meta.get("overrides", {}).get(target, {})}
    values = {"name": "dockform", "target": target, "version": crate_version(), "repo": "",
              "bin": "dockform", "binary-ext": ".exe" if "windows" in target else ""}
    expand = lambda t: re.sub(r"\{ ([a-z-]+) \}", lambda m: values[m.group(1)], t)
    return expand(meta["pkg-url"]).rsplit("/", 1)[1], expand(meta["bin-dir"])


def archive(binary, target, out):
    folder = f"dockform-{target}"
    files = [(f"{folder}/{exe_name(target)}", binary, 0o755)]
    files += [(f"{folder}/{doc}", ROOT / doc, 0o644) for doc in DOCS]
    windows = "windows" in target
    path = out / (folder + (".zip" if windows else ".tar.gz"))
    if binstall_paths(target) != (path.name, files[0][0]):
        fail(f"`[package.metadata.binstall]` in Cargo.toml expands to {binstall_paths(target)} "
             f"for {target}, the archive is ({path.name!r}, {files[0][0]!r})")
    (zip_file if windows else tar_gz)(path, files)
    Path(f"{path}.sha256").write_text(f"{sha256(path)}  {path.name}\n")
    sums = sorted(p for p in out.iterdir() if p.name.startswith("dockform-")
                  and p.name.endswith((".tar.gz", ".zip")))
    (out / "sha256.sum").write_text("".join(f"{sha256(p)}  {p.name}\n" for p in sums))
    print(path)


def npm_main_manifest(version):
    """The committed main package, checked against Cargo.toml and the launcher."""
    manifest = json.loads((NPM_MAIN / "package.json").read_text())
    if manifest["version"] != version:
        fail(f"`packaging/npm/dockform/package.json` has version {manifest['version']}, "
             f"Cargo.toml {version}: set both to the same version")
    expected = {f"@dockform/{os_}-{cpu}" for os_, cpu in NPM_PLATFORMS.values()}
    optional = manifest.get("optionalDependencies", {})
    if set(optional) != expected or set(optional.values()) != {version}:
        fail("`packaging/npm/dockform/package.json`: `optionalDependencies` must name "
             f"every platform package at {version}: {sorted(expected)}")
    launcher = (NPM_MAIN / "bin/dockform.js").read_text()
    if set(re.findall(r'"(@dockform/[a-z0-9-]+)"', launcher)) != expected:
        fail("`packaging/npm/dockform/bin/dockform.js` must name every platform package")
    return manifest


def npm_pack(folder, out):
    result = subprocess.run(["npm", "pack", "--silent", "--pack-destination", str(out)],
                            cwd=folder, capture_output=True, text=True)
    if result.returncode != 0:
        fail(f"`npm pack` in `{folder}`: {result.stderr.strip()}")
    print(out / result.stdout.strip().splitlines()[-1])


def npm(binary, target, out):
    if target not in NPM_PLATFORMS:
        fail(f"no npm platform for `{target}` (known: {', '.join(sorted(NPM_PLATFORMS))})")
    version = crate_version()
    main = npm_main_manifest(version)
    os_, cpu = NPM_PLATFORMS[target]
    stage = out / "npm-stage"
    shutil.rmtree(stage, ignore_errors=True)
    platform = stage / f"{os_}-{cpu}"
    (platform / "bin").mkdir(parents=True)
    shutil.copy2(binary, platform / "bin" / exe_name(target))
    (platform / "bin" / exe_name(target)).chmod(0o755)
    for doc in DOCS[1:]:
        shutil.copy2(ROOT / doc, platform / doc)
    manifest = {
        "name": f"@dockform/{os_}-{cpu}",
        "version": version,
        "description": f"The dockform binary for {target} (installed by the `dockform` package)",
        "license": main["license"],
        "os": [os_],
        "cpu": [cpu],
        "files": [f"bin/{exe_name(target)}"],
        "preferUnplugged": True,
    }
    (platform / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
    shutil.copytree(NPM_MAIN, stage / "dockform")
    shutil.copy2(ROOT / "README.md", stage / "dockform/README.md")
    for folder in (platform, stage / "dockform"):
        npm_pack(folder, out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("artefact", choices=["archive", "npm"])
    parser.add_argument("--binary", type=Path, required=True)
    parser.add_argument("--target", help="Rust target triple (default: this machine's)")
    parser.add_argument("--out", type=Path, default=ROOT / "target/dist")
    args = parser.parse_args()
    if not args.binary.is_file():
        fail(f"`{args.binary}` is not a file (build it: `cargo build --release --locked`)")
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.target or host_target()
    {"archive": archive, "npm": npm}[args.artefact](args.binary, target, args.out.resolve())


if __name__ == "__main__":
    main()
