#!/usr/bin/env node
// Summarises V8 .cpuprofile files (from `node --cpu-prof`): where the time goes, by package.
// Each sample is charged to the nearest stack frame that belongs to a package (walking up from
// the leaf); samples with only Node-internal frames are charged to "node internals".
// Usage: node bench/startup/profile-summary.mjs FILE.cpuprofile [...]
import { readFileSync } from "node:fs";

export function bucketOf(url) {
  if (!url) return null;
  const u = decodeURIComponent(url.replace(/^file:\/\//, ""));
  let m = u.match(/node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (m) return m[1];
  m = u.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (m) return m[1];
  m = u.match(/\/(packages|apps)\/([^/]+)\//);
  if (m) return m[1] === "apps" ? `@cordon/${m[2]} (own code)` : `@cordon/${m[2]} (own code)`;
  return null;
}

/** Returns { totalMs, buckets: Map<name, ms> } for one profile. */
export function summarise(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const charge = new Map();
  const bucketFor = (id) => {
    if (charge.has(id)) return charge.get(id);
    const n = byId.get(id);
    const fn = n.callFrame.functionName;
    let b;
    if (fn === "(garbage collector)") b = "GC";
    else if (fn === "(idle)") b = "idle (waiting: child process, I/O)";
    else if (fn === "(program)") b = "(program: V8 compile, native)";
    else if (fn === "(root)") b = "node internals";
    else b = bucketOf(n.callFrame.url) ?? (parent.has(id) ? bucketFor(parent.get(id)) : "node internals");
    charge.set(id, b);
    return b;
  };
  const buckets = new Map();
  const deltas = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (deltas[i + 1] ?? 0) / 1000;
    const b = bucketFor(profile.samples[i]);
    buckets.set(b, (buckets.get(b) ?? 0) + dt);
  }
  return { totalMs: (profile.endTime - profile.startTime) / 1000, buckets };
}

/** Averages several profiles; returns rows sorted by time. */
export function summariseFiles(files) {
  const sums = new Map();
  let total = 0;
  for (const f of files) {
    const s = summarise(JSON.parse(readFileSync(f, "utf8")));
    total += s.totalMs;
    for (const [k, v] of s.buckets) sums.set(k, (sums.get(k) ?? 0) + v);
  }
  const n = files.length;
  const rows = [...sums].map(([name, ms]) => ({ name, ms: ms / n })).sort((a, b) => b.ms - a.ms);
  return { totalMs: total / n, rows };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { totalMs, rows } = summariseFiles(process.argv.slice(2));
  console.log(`profiled time (mean of ${process.argv.length - 2}): ${totalMs.toFixed(1)} ms`);
  for (const r of rows) console.log(`${r.ms.toFixed(1).padStart(8)} ms  ${r.name}`);
}
