#!/usr/bin/env node
// Builds the package's native part (package.json "cordonNative": its addon and executables) with node-gyp against the headers of the
// Node that runs this script, never downloading them (pnpm does not pass npm's
// nodedir to scripts, and this machine is offline). --if-stale skips the build
// when the outputs are newer than every native source (development builds);
// --if-needed skips it when the shipped outputs exist and the addon loads
// (installing a packed prebuilt: npm does not keep file times), or when the
// published prebuilds/linux-<arch>/ loads (scripts/prebuild.mjs made them).
// The same file serves every native @cordon package (kept identical; a test checks).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
// The shipped outputs (a test-only executable may be built with them but is not listed).
const { addon, executables = [] } = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")).cordonNative;
const outputs = [`build/Release/${addon}.node`, ...executables.map((e) => `build/Release/${e}`)].map((p) => join(pkgDir, p));
const sources = [join(pkgDir, "binding.gyp"), ...readdirSync(join(pkgDir, "native")).map((f) => join(pkgDir, "native", f))];

if (process.argv.includes("--if-needed") && outputs.every(existsSync) && addonLoads(outputs[0])) process.exit(0);
// A published package carries prebuilds/linux-<arch>/ instead of build/: no compiler needed.
const prebuilt = join(pkgDir, "prebuilds", `linux-${process.arch}`);
const prebuiltOutputs = [join(prebuilt, `${addon}.napi.glibc.node`), ...executables.map((e) => join(prebuilt, e))];
if (process.argv.includes("--if-needed") && prebuiltOutputs.every(existsSync) && addonLoads(prebuiltOutputs[0])) process.exit(0);
if (process.argv.includes("--if-stale") && outputs.every(existsSync)) {
  const oldestOutput = Math.min(...outputs.map((o) => statSync(o).mtimeMs));
  const newestSource = Math.max(...sources.map((s) => statSync(s).mtimeMs));
  // >= because npm pack stamps every file with the same time: a packed prebuilt is up to date.
  if (oldestOutput >= newestSource) process.exit(0);
}

const prefix = resolve(process.execPath, "../..");
const env = { ...process.env };
if (existsSync(join(prefix, "include/node/node_api.h"))) env.npm_config_nodedir = prefix;

const require = createRequire(import.meta.url);
let nodeGyp;
try {
  nodeGyp = require.resolve("node-gyp/bin/node-gyp.js");
} catch {
  // Installed as a dependency of a packed CLI: fall back to the node-gyp npm bundles.
  nodeGyp = join(dirname(process.execPath), "../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js");
}
const r = spawnSync(process.execPath, [nodeGyp, "rebuild", "-j", "max"], { cwd: pkgDir, env, stdio: "inherit" });
process.exit(r.status ?? 1);

function addonLoads(file) {
  try {
    createRequire(import.meta.url)(file);
    return true;
  } catch {
    return false;
  }
}
