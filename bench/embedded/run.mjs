#!/usr/bin/env node
// Per-command cost of an embedded sandbox after the first (issue 8): one createSandbox(), then N
// sequential sb.spawn("true") awaited, interleaved in the same process with a plain
// child_process.spawn("true") awaited N times (and a sandbox whose proxy runs on the main thread).
// Also the one-time cost of createSandbox() with the worker proxy (default) vs proxyThread "main",
// cold (first call in a fresh process) and warm (later calls in the same process).
// Writes bench/results/embedded.md (or --out FILE). Bounded: stops adding samples after --budget s.
//
//   node bench/embedded/run.mjs [--n 500] [--warmup 30] [--create-samples 10] [--budget 120] [--out FILE]
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL, fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { existsSync } from "node:fs";
import { BENCH_DIR, CLI_INDEX, REPO, f1, f2, machine, median, note, quantile, requireBuiltCli } from "../lib.mjs";

const { values: opt } = parseArgs({
  options: {
    n: { type: "string", default: "500" },
    warmup: { type: "string", default: "30" },
    "create-samples": { type: "string", default: "10" },
    budget: { type: "string", default: "120" },
    out: { type: "string", default: join(BENCH_DIR, "results", "embedded.md") },
    "probe-create": { type: "string" }, // internal: one cold createSandbox in this process
  },
});
requireBuiltCli();
const { createSandbox } = await import(pathToFileURL(CLI_INDEX).href);
const now = () => performance.now();

if (opt["probe-create"]) {
  // Child mode: the import above is not timed; the first createSandbox of the process is.
  const t0 = now();
  const sb = await createSandbox({ proxyThread: opt["probe-create"] });
  const t1 = now();
  const p = sb.spawn("true", [], { stdio: "ignore" });
  await p.exited;
  const t2 = now();
  await sb.close();
  const t3 = now();
  process.stdout.write(`${JSON.stringify({ create: t1 - t0, firstSpawn: t2 - t1, close: t3 - t2 })}\n`);
  process.exit(0);
}

const started = now();
const startCwd = process.cwd();
const deadline = started + Number(opt.budget) * 1000;
const work = mkdtempSync(join(tmpdir(), "cordon-bench-embedded-"));
process.chdir(work); // cordon refuses / and $HOME as the writable workdir

// ----- 1. one-time cost of createSandbox -----
const createCold = { worker: [], main: [] };
const createWarm = { worker: [], main: [] };
const closeWarm = { worker: [], main: [] };
const firstSpawnCold = { worker: [], main: [] };
const S = Number(opt["create-samples"]);
note(`createSandbox: ${S} cold samples per proxy thread (fresh processes), ${S} warm`);
for (let i = 0; i < S && now() < deadline; i++) {
  for (const mode of i % 2 ? ["main", "worker"] : ["worker", "main"]) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--probe-create", mode], { cwd: work, encoding: "utf8", timeout: 30_000 });
    if (r.status !== 0) throw new Error(`create probe (${mode}) failed: ${r.stderr}`);
    const x = JSON.parse(r.stdout.trim());
    createCold[mode].push(x.create);
    firstSpawnCold[mode].push(x.firstSpawn);
  }
}
for (const mode of ["worker", "main"]) await (await createSandbox({ proxyThread: mode })).close(); // warm up
for (let i = 0; i < S && now() < deadline; i++) {
  for (const mode of i % 2 ? ["main", "worker"] : ["worker", "main"]) {
    const t0 = now();
    const sb = await createSandbox({ proxyThread: mode });
    const t1 = now();
    await sb.close();
    createWarm[mode].push(t1 - t0);
    closeWarm[mode].push(now() - t1);
  }
}

// Where a worker create goes: a bare Worker vs a Worker that imports the proxy's module graph
// (what @cordon/proxy's worker entry does before it can listen).
const proxyServer = ["server.js", "index.js"].map((f) => join(REPO, "packages", "proxy", "dist", f)).find((f) => existsSync(f));
const workerCost = { bare: [], proxyImport: [] };
const timeWorker = async (code) => {
  const t0 = now();
  const w = new Worker(code, { eval: true });
  await new Promise((res, rej) => { w.once("message", res); w.once("error", rej); });
  const t = now() - t0;
  await w.terminate();
  return t;
};
for (let i = 0; i < Math.min(S, 5) && proxyServer && now() < deadline; i++) {
  workerCost.bare.push(await timeWorker("require('node:worker_threads').parentPort.postMessage(1)"));
  workerCost.proxyImport.push(await timeWorker(`import(${JSON.stringify(pathToFileURL(proxyServer).href)}).then(() => require('node:worker_threads').parentPort.postMessage(1))`));
}

// ----- 2. per-command cost, interleaved -----
const plainOnce = () =>
  new Promise((resolve, reject) => {
    const c = spawn("true", [], { stdio: "ignore" });
    c.once("error", reject);
    c.once("close", (code) => (code === 0 ? resolve() : reject(new Error(`true exited ${code}`))));
  });
const sbWorker = await createSandbox(); // default: proxy in a worker thread
const sbMain = await createSandbox({ proxyThread: "main" });
const sbOnce = (sb) => async () => {
  const x = await sb.spawn("true", [], { stdio: "ignore" }).exited;
  if (x.status !== 0) throw new Error(`sandboxed true: status ${x.status} ${x.launchFailure?.message ?? ""}`);
};
const variants = [
  { name: "child_process.spawn(\"true\")", run: plainOnce, t: [] },
  { name: "sb.spawn(\"true\"), worker proxy (default)", run: sbOnce(sbWorker), t: [] },
  { name: "sb.spawn(\"true\"), proxyThread \"main\"", run: sbOnce(sbMain), t: [] },
];
const N = Number(opt.n);
note(`per command: ${opt.warmup} warm-up + up to ${N} awaited spawns of each variant, interleaved`);
for (let i = 0; i < Number(opt.warmup); i++) for (const v of variants) await v.run();
let stoppedEarly = false;
for (let i = 0; i < N; i++) {
  if (now() > deadline) {
    stoppedEarly = true;
    break;
  }
  // rotate the order so no variant always runs right after another
  for (let k = 0; k < variants.length; k++) {
    const v = variants[(i + k) % variants.length];
    const t0 = now();
    await v.run();
    v.t.push(now() - t0);
  }
}
await sbWorker.close();
await sbMain.close();
process.chdir(tmpdir());
rmSync(work, { recursive: true, force: true });

// ----- report -----
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  const sd = Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, s.length - 1));
  return { n: s.length, mean, sd, p50: quantile(s, 0.5), p99: quantile(s, 0.99), min: s[0], max: s[s.length - 1] };
};
const m = machine();
const per = variants.map((v) => ({ name: v.name, ...stats(v.t) }));
const [plain, worker, mainT] = per;
const L = [];
L.push("# Embedded sandbox: per-command cost and createSandbox", "");
L.push("Measured by `node bench/embedded/run.mjs` (issue 8). Numbers below are from one run; rerun to refresh.", "");
L.push(`- Date: ${m.date} (commit ${m.commit})`);
L.push(`- Machine: Linux ${m.kernel}, ${m.nproc} cores (${m.cpu}), Node ${m.node}; load average at the end ${m.load}`);
L.push(`- Method: one process; \`createSandbox()\` with the default policy (platform network mode: proxy on loopback) from a temp working directory, then ${plain.n} rounds, each awaiting one \`sb.spawn("true", [], { stdio: "ignore" }).exited\` per sandbox and one plain \`child_process.spawn("true", [], { stdio: "ignore" })\` (awaited to \`close\`), order rotated every round, after ${opt.warmup} warm-up rounds.${stoppedEarly ? ` Stopped early at the ${opt.budget} s budget.` : ""}`);
L.push("", "## Per command, after the first", "");
L.push("| Variant | n | Mean ± σ [ms] | p50 | p99 | Min | Max |", "|---|---:|---:|---:|---:|---:|---:|");
for (const r of per) L.push(`| \`${r.name}\` | ${r.n} | ${f2(r.mean)} ± ${f2(r.sd)} | ${f2(r.p50)} | ${f2(r.p99)} | ${f2(r.min)} | ${f2(r.max)} |`);
L.push("", "Difference over the plain spawn (same run; target: within 10 ms):", "");
for (const r of [worker, mainT]) {
  const d = r.mean - plain.mean;
  L.push(`- \`${r.name}\`: mean **+${f2(d)} ms** (${f2(r.mean / plain.mean)}×), p50 +${f2(r.p50 - plain.p50)} ms, p99 +${f2(r.p99 - plain.p99)} ms — target ${d <= 10 ? "met" : "not met"}.`);
}
L.push("", "## One-time cost of createSandbox()", "");
L.push("Cold: the first `createSandbox()` in a fresh process (the module import is not counted); warm: later calls in the same process. Median (min–max).", "");
L.push("| Proxy thread | cold create [ms] | first spawn after a cold create [ms] | warm create [ms] | warm close [ms] |", "|---|---:|---:|---:|---:|");
const mm = (xs) => (xs.length ? `${f1(median(xs))} (${f1(Math.min(...xs))}–${f1(Math.max(...xs))})` : "n/a");
for (const mode of ["worker", "main"]) {
  L.push(`| ${mode === "worker" ? "worker (default)" : "main (`proxyThread: \"main\"`, as the CLI)"} | ${mm(createCold[mode])} | ${mm(firstSpawnCold[mode])} | ${mm(createWarm[mode])} | ${mm(closeWarm[mode])} |`);
}
if (createCold.worker.length && createCold.main.length) {
  L.push("", `The worker proxy costs ${f1(median(createCold.worker) - median(createCold.main))} ms more than the main-thread proxy on a cold create (${f2(median(createCold.worker) / median(createCold.main))}×), ${f1(median(createWarm.worker) - median(createWarm.main))} ms warm.`);
}
if (workerCost.bare.length) {
  L.push("", `Where the worker's time goes (median of ${workerCost.bare.length}): a bare \`new Worker()\` answers in ${f1(median(workerCost.bare))} ms; one that first imports \`packages/proxy/dist/${proxyServer.split("/").pop()}\` (undici, @cordon/policy with zod and yaml: a fresh isolate loads them again) answers in ${f1(median(workerCost.proxyImport))} ms. So most of a worker create is module loading inside the new thread, paid on every createSandbox(), warm or not.`);
}
L.push("", "## Reproduce", "", "```sh", "pnpm exec turbo run build", "node bench/embedded/run.mjs                 # about a minute", "node bench/embedded/run.mjs --n 100 --create-samples 3   # quick look", "```", "");
const md = L.join("\n");
writeFileSync(opt.out, md);
process.stdout.write(`\n${md}`);
note(`wrote ${relative(startCwd, opt.out)} in ${((now() - started) / 1000).toFixed(0)} s`);
