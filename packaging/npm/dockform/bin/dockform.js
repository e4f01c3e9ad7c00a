#!/usr/bin/env node
// Runs the dockform binary that npm installed beside this package: one of the
// `optionalDependencies`, each limited to its platform by its `os` and `cpu`, so npm
// installs only the one this machine can run. Arguments, standard streams and the
// exit status pass through unchanged.
"use strict";

const { spawnSync } = require("node:child_process");

const PACKAGES = {
  "darwin arm64": "@dockform/darwin-arm64",
  "darwin x64": "@dockform/darwin-x64",
  "linux arm64": "@dockform/linux-arm64",
  "linux x64": "@dockform/linux-x64",
  "win32 x64": "@dockform/win32-x64",
};

function fail(message) {
  process.stderr.write(`error: ${message}\n`);
  process.exit(1);
}

const platform = `${process.platform} ${process.arch}`;
const pkg = PACKAGES[platform];
if (!pkg) {
  fail(`no prebuilt dockform for ${platform} (build it with \`cargo install dockform\`)`);
}
const exe = process.platform === "win32" ? "dockform.exe" : "dockform";
let binary;
try {
  binary = require.resolve(`${pkg}/bin/${exe}`);
} catch {
  fail(`\`${pkg}\` is not installed (reinstall without \`--omit=optional\` or \`--no-optional\`)`);
}
const run = spawnSync(binary, process.argv.slice(2), { stdio: "inherit" });
if (run.error) {
  fail(`running \`${binary}\`: ${run.error.message}`);
}
if (run.signal) {
  process.kill(process.pid, run.signal);
}
process.exit(run.status === null ? 1 : run.status);
