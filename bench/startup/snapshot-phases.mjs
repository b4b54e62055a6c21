#!/usr/bin/env node
// Phase probe of `cordon run -- true` started from the start-up snapshot (what bin/cordon does).
// Builds an instrumented copy of apps/cli/dist/snapshot/run.cjs (performance.now() laps, one JSON
// line on stdout before the exit) into a temp dir, times N fresh processes, prints their medians
// as one JSON line. Used by run.mjs; on its own:
//
//   node bench/startup/snapshot-phases.mjs CLI_DIR [N]
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

export async function snapshotPhases(cliDir, n, cwd = process.cwd()) {
  const { snapshotEntrySource } = await import(pathToFileURL(join(cliDir, "scripts", "snapshot-entry.mjs")).href);
  const snapDir = join(cliDir, "dist", "snapshot");
  let text = readFileSync(join(snapDir, "run.cjs"), "utf8");
  const patch = (from, to) => {
    if (!text.includes(from)) throw new Error(`snapshot-phases: the bundle changed, no ${JSON.stringify(from)}`);
    text = text.replace(from, to);
  };
  // Paths as from the real bundle directory, not the temp copy.
  patch("resolve(__dirname, rel)", `resolve(${JSON.stringify(snapDir)}, rel)`);
  patch("for (const load of deferred)\n    load();",
    "const __t = { boot: performance.now() }; let __last = __t.boot;\n  const __lap = (k) => { const now = performance.now(); __t[k] = now - __last; __last = now; };\n" +
    "  for (const load of deferred)\n    load();\n  __lap(\"load node:http (deferred built-ins)\");");
  patch("(code) => process.exit(code)",
    "(code) => { __lap(\"run -- true\"); __t.total = performance.now(); require(\"node:fs\").writeSync(1, JSON.stringify(__t) + \"\\n\"); process.exit(code); }");
  const dir = mkdtempSync(join(tmpdir(), "cordon-bench-snap-"));
  try {
    writeFileSync(join(dir, "run.cjs"), text);
    writeFileSync(join(dir, "run-entry.cjs"), snapshotEntrySource(join(dir, "run.cjs")));
    execFileSync(process.execPath, ["--snapshot-blob", join(dir, "run.blob"), "--build-snapshot", join(dir, "run-entry.cjs")], {
      cwd: dir, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, NODE_OPTIONS: "", CORDON_SNAPSHOT_CLI_DIR: cliDir },
    });
    const samples = [];
    for (let i = 0; i < n + 1; i++) {
      const t0 = process.hrtime.bigint();
      const r = spawnSync(process.execPath, ["--snapshot-blob", join(dir, "run.blob"), "run", "--", "true"], { cwd, encoding: "utf8", timeout: 30_000 });
      const wall = Number(process.hrtime.bigint() - t0) / 1e6;
      if (r.status !== 0) throw new Error(`snapshot probe failed: ${r.stderr}`);
      const t = JSON.parse(r.stdout.trim().split("\n").pop());
      t["exit (after the last line)"] = wall - t.total;
      t.wall = wall;
      if (i > 0) samples.push(t); // the first warms the page cache
    }
    const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    return Object.fromEntries(Object.keys(samples[0]).map((k) => [k, med(samples.map((s) => s[k]))]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [cliDir, n = "10"] = process.argv.slice(2);
  process.stdout.write(`${JSON.stringify(await snapshotPhases(cliDir, Number(n)))}\n`);
}
