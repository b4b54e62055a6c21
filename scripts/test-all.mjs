#!/usr/bin/env node
// Runs every package's tests through turbo (cached per package), then adds up
// the per-package vitest JSON reports into the one closing line CI reads:
// "vitest: N passed, N failed". Exits non-zero on any failure or if no test ran.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const env = {
  ...process.env,
  TURBO_TELEMETRY_DISABLED: "1",
  DO_NOT_TRACK: "1",
  TURBO_NO_UPDATE_NOTIFIER: "1",
  NO_COLOR: process.env.NO_COLOR ?? "1",
};

function workspaceDirs() {
  const dirs = [];
  for (const group of ["packages", "apps"]) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base)) dirs.push(join(base, name));
  }
  dirs.push(join(root, "test-e2e"));
  return dirs.filter((d) => existsSync(join(d, "package.json")));
}

const dirs = workspaceDirs();
for (const d of dirs) rmSync(join(d, ".reports"), { recursive: true, force: true });

const extra = process.argv.slice(2);
// Two at a time: the machines have two cores, and kernel and e2e tests spawn many processes.
const turbo = spawnSync("pnpm", ["exec", "turbo", "run", "test", "--continue", "--concurrency=2", ...extra], {
  cwd: root,
  env,
  stdio: "inherit",
});

let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const d of dirs) {
  const pkg = JSON.parse(readFileSync(join(d, "package.json"), "utf8"));
  if (!pkg.scripts?.test) continue;
  const report = join(d, ".reports", "vitest.json");
  if (!existsSync(report)) {
    missing.push(pkg.name);
    continue;
  }
  const r = JSON.parse(readFileSync(report, "utf8"));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  console.log(`${pkg.name}: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
}
for (const name of missing) console.log(`${name}: no test report (its build or test run did not complete)`);

console.log(`vitest: ${passed} passed, ${failed + missing.length} failed, ${skipped} skipped`);
if (turbo.status !== 0 || failed > 0 || missing.length > 0) process.exit(1);
if (passed === 0) {
  console.error("no test ran");
  process.exit(1);
}
