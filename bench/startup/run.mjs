#!/usr/bin/env node
// Startup overhead of `cordon run -- true` (issue 5), side by side in ONE hyperfine run with
// `true`, `node -e 0`, `cordon run --network none -- true` and srt (`srt -s settings.json true`).
// Then, unless --no-profile: where cordon's start-up time goes (phase probe + CPU profile).
// Writes bench/results/startup.md (or --out FILE). Bounded: hyperfine is killed after 170 s.
//
//   node bench/startup/run.mjs [--runs 30] [--warmup 3] [--no-profile] [--no-srt] [--out FILE]
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import {
  CLI_BIN, CLI_DIR, PEERS_DIR, REPO, TMP_DIR, BENCH_DIR, ensureApt, ensureDir, f1, f2, machine, median, note,
  readJson, requireBuiltCli,
} from "../lib.mjs";
import { summariseFiles } from "./profile-summary.mjs";
import { snapshotPhases } from "./snapshot-phases.mjs";

const SRT_VERSION = "0.0.78";
// What was tried for start-up (issue 15), kept with the results it gave on this machine kind.
const TRIED = [
  "**Start-up snapshot of the run path** (kept): `apps/cli/scripts/build-snapshot.mjs` bundles `dist/snapshot-main.js`, the @cordon packages and what they import statically with esbuild into one CommonJS script (a snapshot entry may require built-in modules only; the packages loaded on first use — yaml, zod, ipaddr.js, undici — and the addon load at run time, when needed) and runs `node --build-snapshot`; `bin/cordon` starts Node with the blob only when its stamp names this directory and the `node` on PATH, that node is not newer than the blob, and `NODE_OPTIONS` is unset. About 60 ms less than the plain CLI (the whole import phase).",
  "node:http (and https, tls, http2) cannot be in a Node 20 snapshot (`toSorted` missing while building, then the http_parser binding is not serialisable): the bundle imports them as live bindings filled in when the blob starts (about 1–2 ms).",
  "**Eager compilation while building** (kept): the bundle is compiled under `--no-lazy`, so the snapshot holds the bytecode of every function; the run then compiles none of its own code. About 10–15 ms less than a lazily compiled snapshot, for a blob 0.4 MB larger (5.3 MB).",
  "**Lazily loaded built-ins loaded while building** (kept): parseArgs, cluster (net's listen), rimraf (rmSync); worker_threads is in the snapshot, not deferred. About 1 ms.",
  "**Exit as soon as the run has cleaned up** (kept, both paths): `process.exit(code)` once the proxy is closed, the audit log flushed and TMPDIR removed, instead of letting Node tear down the idle loop: about 5–7 ms of CPU less per run (stdout/stderr are synchronous on Linux).",
  "A `node --version` check of the blob's Node in bin/cordon (did not help: 4 ms per run); the stamp is compared with `test -ef`/`-nt` instead, no process started.",
];

const { values: opt } = parseArgs({
  options: {
    runs: { type: "string", default: "30" },
    warmup: { type: "string", default: "3" },
    "profile-samples": { type: "string", default: "10" },
    "no-profile": { type: "boolean", default: false },
    "no-srt": { type: "boolean", default: false },
    out: { type: "string", default: join(BENCH_DIR, "results", "startup.md") },
  },
});
const started = Date.now();
requireBuiltCli();
if (!ensureApt(["hyperfine"], ["hyperfine"])) {
  note("hyperfine is required for the side-by-side table; giving up");
  process.exit(1);
}
const hyperfineVersion = spawnSync("hyperfine", ["--version"], { encoding: "utf8" }).stdout.trim();

// cordon refuses `/` and $HOME as the writable workdir: every command runs from a fresh temp dir.
const work = mkdtempSync(join(tmpdir(), "cordon-bench-startup-"));
const skipped = [];

// `cordon` is the command users run (bin/cordon: the start-up snapshot when it fits, issue 15);
// `node dist/bin.js` is the plain CLI, what runs when no snapshot fits.
const CLI_CMD = join(CLI_DIR, "bin", "cordon");
const PLAIN = "node dist/bin.js run -- true (plain CLI, no snapshot)";
const snapshotBuilt = existsSync(join(CLI_DIR, "dist", "snapshot", "run.stamp"));
const commands = [
  { name: "true", argv: ["true"] },
  { name: "node -e 0", argv: [process.execPath, "-e", "0"] },
  { name: "cordon run -- true", argv: [CLI_CMD, "run", "--", "true"] },
  { name: "cordon run --network none -- true", argv: [CLI_CMD, "run", "--network", "none", "--", "true"] },
  // Issue 7: the default (--isolation auto) is namespace mode where namespaces exist; this is Landlock only.
  { name: "cordon run --isolation landlock -- true", argv: [CLI_CMD, "run", "--isolation", "landlock", "--", "true"] },
  { name: PLAIN, argv: [process.execPath, CLI_BIN, "run", "--", "true"] },
];
if (opt["no-srt"]) skipped.push("srt: skipped (--no-srt)");
else {
  const srt = setupSrt();
  if (srt) commands.push({ name: `srt -s settings.json true (${srt.version})`, argv: [srt.bin, "-s", srt.settings, "true"], srt: true });
}

// Each command must work once before it is timed: a failing command would time its error path.
const timed = commands.filter((c) => {
  const r = spawnSync(c.argv[0], c.argv.slice(1), { cwd: work, encoding: "utf8", timeout: 30_000 });
  if (r.status === 0) return true;
  skipped.push(`${c.name}: skipped, a trial run failed (status ${r.status}): ${(r.stderr || String(r.error ?? "")).trim().split("\n")[0]}`);
  return false;
});
for (const s of skipped) note(s);

ensureDir(TMP_DIR);
const exportJson = join(TMP_DIR, "startup-hyperfine.json");
const quote = (a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
const hfArgs = ["-N", "--warmup", opt.warmup, "--runs", opt.runs, "--export-json", exportJson, "--style", "basic"];
for (const c of timed) hfArgs.push("--command-name", c.name, c.argv.map(quote).join(" "));
note(`hyperfine ${timed.length} commands x ${opt.runs} runs (cwd ${work})`);
const hf = spawnSync("hyperfine", hfArgs, { cwd: work, stdio: ["ignore", "inherit", "inherit"], timeout: 170_000 });
if (hf.status !== 0) {
  note(`hyperfine failed or timed out (status ${hf.status}, signal ${hf.signal}); no table written`);
  process.exit(1);
}
const results = readJson(exportJson).results.map((r) => ({
  name: r.command, mean: r.mean * 1000, sd: (r.stddev ?? 0) * 1000, median: r.median * 1000, min: r.min * 1000, max: r.max * 1000,
}));
const by = (name) => results.find((r) => r.name === name);
const base = by("true");
const nodeR = by("node -e 0");
const cordon = by("cordon run -- true");
const cordonNone = by("cordon run --network none -- true");
const cordonLandlock = by("cordon run --isolation landlock -- true");
const plainR = by(PLAIN);
const isolationHere = spawnSync(process.execPath, [CLI_BIN, "doctor", "--json"], { cwd: work, encoding: "utf8" });
const isolationApplies = isolationHere.status === 0 ? JSON.parse(isolationHere.stdout).isolation?.applies : undefined;
const srtR = results.find((r) => r.name.startsWith("srt"));

// ----- interleaved: node -e 0 and cordon run -- true alternately, so load swings hit both alike -----
const interleaved = interleave([commands[1], commands[2]], Number(opt.runs));

// ----- where the time goes -----
let profile = null;
if (!opt["no-profile"]) {
  profile = profileCordon(Number(opt["profile-samples"]));
  if (snapshotBuilt) profile.snapshot = await snapshotPhases(CLI_DIR, Number(opt["profile-samples"]), work);
}

rmSync(work, { recursive: true, force: true });
const md = render();
writeFileSync(opt.out, md);
process.stdout.write(`\n${md}`);
note(`wrote ${relative(process.cwd(), opt.out)} in ${((Date.now() - started) / 1000).toFixed(0)} s`);

// ---------------------------------------------------------------------------------------------

function interleave(pair, n) {
  const times = pair.map(() => []);
  for (let i = 0; i < n + 2; i++) {
    pair.forEach((c, k) => {
      const t0 = process.hrtime.bigint();
      const r = spawnSync(c.argv[0], c.argv.slice(1), { cwd: work, stdio: "ignore", timeout: 30_000 });
      if (r.status !== 0) throw new Error(`${c.name} failed (status ${r.status})`);
      if (i >= 2) times[k].push(Number(process.hrtime.bigint() - t0) / 1e6);
    });
  }
  return { names: pair.map((c) => c.name), medians: times.map(median), n };
}

function setupSrt() {
  if (!ensureApt(["bwrap", "socat", "rg"], ["bubblewrap", "socat", "ripgrep"])) {
    skipped.push("srt: skipped, its system dependencies (bubblewrap socat ripgrep) are missing");
    return null;
  }
  const prefix = join(PEERS_DIR, `srt-${SRT_VERSION}`);
  const pkgDir = join(prefix, "node_modules", "@anthropic-ai", "sandbox-runtime");
  if (!existsSync(join(pkgDir, "package.json"))) {
    note(`installing @anthropic-ai/sandbox-runtime@${SRT_VERSION} into ${relative(REPO, prefix)}`);
    const r = spawnSync("npm", ["install", "--prefix", prefix, "--no-audit", "--no-fund", "--loglevel=error", `@anthropic-ai/sandbox-runtime@${SRT_VERSION}`], {
      stdio: ["ignore", "ignore", "inherit"], timeout: 120_000,
    });
    if (r.status !== 0) {
      skipped.push(`srt: skipped, npm install failed (status ${r.status})`);
      return null;
    }
  }
  const pkg = readJson(join(pkgDir, "package.json"));
  const binRel = typeof pkg.bin === "string" ? pkg.bin : pkg.bin?.srt;
  if (!binRel) {
    skipped.push("srt: skipped, the package has no `srt` bin");
    return null;
  }
  // The minimal settings file: no network, no extra writes.
  const settings = join(work, "srt-settings.json");
  writeFileSync(settings, JSON.stringify({
    network: { allowedDomains: [], deniedDomains: [] },
    filesystem: { denyRead: [], allowWrite: [], denyWrite: [] },
  }));
  return { bin: join(prefix, "node_modules", ".bin", "srt"), settings, version: `${pkg.name}@${pkg.version}` };
}

function probe(mode, env = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ["--experimental-import-meta-resolve", "--no-warnings", join(BENCH_DIR, "startup", "phases.mjs"), mode, CLI_DIR], {
    cwd: work, encoding: "utf8", timeout: 30_000, env: { ...process.env, ...env },
  });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`phase probe ${mode} failed: ${r.stderr}`);
  const t = JSON.parse(r.stdout.trim().split("\n").pop());
  t["exit (after the last line)"] = wall - t.total;
  t.wall = wall;
  return t;
}

function medians(samples) {
  const out = {};
  for (const k of Object.keys(samples[0])) out[k] = median(samples.map((s) => s[k]));
  return out;
}

function profileCordon(n) {
  note(`profiling: ${n} samples of each phase probe, ${Math.min(n, 5)} CPU profiles`);
  const out = {};
  for (const mode of ["imports", "internals", "cli"]) {
    probe(mode); // warm the page cache
    out[mode] = medians(Array.from({ length: n }, () => probe(mode)));
  }
  const profDir = mkdtempSync(join(tmpdir(), "cordon-bench-prof-"));
  for (let i = 0; i < Math.min(n, 5); i++) {
    spawnSync(process.execPath, ["--cpu-prof", "--cpu-prof-dir", profDir, "--cpu-prof-interval", "100", CLI_BIN, "run", "--", "true"], {
      cwd: work, stdio: "ignore", timeout: 30_000,
    });
  }
  const files = readdirSync(profDir).filter((f) => f.endsWith(".cpuprofile")).map((f) => join(profDir, f));
  out.cpu = files.length ? summariseFiles(files) : null;
  out.cpuCount = files.length;
  rmSync(profDir, { recursive: true, force: true });
  return out;
}

function render() {
  const m = machine();
  const L = [];
  L.push("# Startup overhead: `cordon run -- true`", "");
  L.push(`Measured by \`node bench/startup/run.mjs\` (issue 5). Numbers below are from one run; rerun to refresh.`, "");
  L.push(`- Date: ${m.date} (commit ${m.commit})`);
  L.push(`- Machine: Linux ${m.kernel}, ${m.nproc} cores (${m.cpu}), Node ${m.node}; load average at the end ${m.load}, ${hyperfineVersion}`);
  L.push(`- Method: one \`hyperfine -N --warmup ${opt.warmup} --runs ${opt.runs}\` run over all commands, from a fresh temp working directory (cordon refuses \`/\` and \`$HOME\` as the writable workdir). cordon uses its default policy (network: platform mode, proxy on loopback). hyperfine runs each command's runs back to back, so load from other work on the machine during the run skews single rows: compare ratios, rerun when σ is large.`);
  L.push("");
  L.push("| Command | Mean ± σ [ms] | Median | Min | Max | × `true` |", "|---|---:|---:|---:|---:|---:|");
  for (const r of results) L.push(`| \`${r.name}\` | ${f1(r.mean)} ± ${f1(r.sd)} | ${f1(r.median)} | ${f1(r.min)} | ${f1(r.max)} | ${f1(r.mean / base.mean)} |`);
  for (const s of skipped) L.push("", `Note: ${s}`);
  L.push("", "## Ratios (same run)", "");
  L.push(`- Start-up snapshot (issue 15): ${snapshotBuilt ? "built, so `cordon` (bin/cordon) starts from it" : "**not built**: `cordon` runs the plain CLI"}.`);
  if (cordon && nodeR) {
    const ratio = cordon.mean / nodeR.mean;
    L.push(`- \`cordon run -- true\` / \`node -e 0\`: **${f2(ratio)}×** of the means, ${f2(cordon.median / nodeR.median)}× of the medians (less swayed by load spikes) (target ≤ 1.5×: **${ratio <= 1.5 ? "met" : "not met"}**)${plainR ? `; the plain CLI (no snapshot): ${f2(plainR.mean / nodeR.mean)}× (${f1(plainR.mean)} ms)` : ""}.`);
  }
  if (interleaved) {
    const [a, b] = interleaved.medians;
    L.push(`- Interleaved (${interleaved.n} pairs, \`${interleaved.names[0]}\` and \`${interleaved.names[1]}\` one after the other, so load swings hit both alike; spawnSync from Node, medians): ${f1(a)} vs ${f1(b)} ms, **${f2(b / a)}×** (target ≤ 1.5×: **${b / a <= 1.5 ? "met" : "not met"}**).`);
  }
  if (cordon && nodeR) {
    const over = cordon.mean - nodeR.mean;
    L.push(`- cordon overhead over \`node -e 0\`: **${f1(over)} ms** (mean ${f1(cordon.mean)} − ${f1(nodeR.mean)}; target < 50 ms: **${over < 50 ? "met" : "not met"}**). \`cordon run\` takes ${f2(cordon.mean / nodeR.mean)}× \`node -e 0\`.`);
  }
  if (cordonNone && nodeR) L.push(`- \`--network none\` (no proxy): overhead over \`node -e 0\` ${f1(cordonNone.mean - nodeR.mean)} ms; default minus \`--network none\`: ${f1(cordon.mean - cordonNone.mean)} ms (within noise: both import the same modules, and the proxy itself starts in a few ms, see table 3).`);
  if (cordon && cordonLandlock) {
    L.push(`- Namespace isolation (issue 7): \`cordon run -- true\` uses \`--isolation auto\`, which is **${isolationApplies ?? "unknown"}** mode here (\`cordon doctor\`). Namespace mode minus Landlock-only (\`--isolation landlock\`): **${f1(cordon.mean - cordonLandlock.mean)} ms** (${f1(cordon.mean)} vs ${f1(cordonLandlock.mean)} ms): a user, network and mount namespace, bringing up \`lo\`, the relay's listeners and the supervisor's fork, plus the proxy's unix socket.`);
  }
  if (cordon && srtR) L.push(`- srt / cordon: **${f2(srtR.mean / cordon.mean)}×** (srt ${f1(srtR.mean)} ms vs cordon ${f1(cordon.mean)} ms; target: several times faster). Sandbox cost alone (minus \`node -e 0\`): srt ${f1(srtR.mean - nodeR.mean)} ms vs cordon ${f1(cordon.mean - nodeR.mean)} ms = ${f2((srtR.mean - nodeR.mean) / (cordon.mean - nodeR.mean))}×.`);
  if (profile) renderProfile(L);
  L.push("", "## Tried (issue 15)", "");
  for (const t of TRIED) L.push(`- ${t}`);
  L.push("", "## Reproduce", "");
  L.push("```sh", "pnpm exec turbo run build          # cordon must be built", "node bench/startup/run.mjs          # as root it apt-installs hyperfine, bubblewrap, socat, ripgrep when missing",
    "node bench/startup/run.mjs --no-profile --runs 10   # table only", "```", "");
  L.push(`srt (@anthropic-ai/sandbox-runtime@${SRT_VERSION}) is npm-installed by the script into \`bench/.peers/\` (git-ignored) with a minimal settings file (no network, no extra writes). Raw hyperfine JSON: \`bench/results/tmp/startup-hyperfine.json\` (git-ignored).`, "");
  return L.join("\n");
}

function renderProfile(L) {
  const { imports, internals, cli, cpu } = profile;
  const n = opt["profile-samples"];
  L.push("", "## Where cordon's start-up time goes", "");
  L.push(`Phase probe (\`bench/startup/phases.mjs\`): medians of ${n} fresh processes each, \`performance.now()\` laps; "boot" is Node's bootstrap before user code, "exit" is the wall time after the last line until the process is reaped. These processes are not hyperfine's, so totals differ a little from the table.`, "");
  L.push("### 1. Whole CLI: import vs work", "", "| Phase | ms |", "|---|---:|");
  for (const [k, v] of Object.entries(cli)) if (k !== "total") L.push(`| ${k} | ${f1(v)} |`);
  L.push("", `\`run -- true\` is what \`bin.js\` does for a well-formed \`run\` line: parse with \`node:util\` \`parseArgs\` (full yargs loads only for help and errors), then the sandbox work (table 3).`);
  if (profile.snapshot) {
    L.push("", "### 1b. The same from the start-up snapshot (what `cordon` runs: `bench/startup/snapshot-phases.mjs`, an instrumented copy of the blob)", "", "| Phase | ms |", "|---|---:|");
    for (const [k, v] of Object.entries(profile.snapshot)) if (k !== "total") L.push(`| ${k} | ${f1(v)} |`);
    L.push("", "\"boot\" now includes deserialising the snapshot (every module of the run path already evaluated, its functions already compiled); node:http cannot be in a Node 20 snapshot (its parser binding), so it loads first. Tables 2 and 4 are of the plain CLI.");
  }
  L.push("", "### 2. Import cost, dependency by dependency (cumulative order; each row is what that import adds)", "", "| Import | ms |", "|---|---:|");
  let sum = 0;
  for (const [k, v] of Object.entries(imports)) {
    if (["boot", "total", "wall", "exit (after the last line)"].includes(k)) continue;
    sum += v;
    L.push(`| ${k} | ${f1(v)} |`);
  }
  L.push(`| **all imports** | **${f1(sum)}** |`);
  L.push("", "Each step is its own module job here, so the sum runs somewhat above the single import of table 1; the split is what matters.");
  L.push("", "### 3. Sandbox work after import (createSandbox + spawn + close, main-thread proxy as the CLI uses)", "", "| Step | ms |", "|---|---:|");
  let work = 0;
  for (const [k, v] of Object.entries(internals)) {
    if (["boot", "import", "total", "wall", "exit (after the last line)"].includes(k)) continue;
    work += v;
    L.push(`| ${k} | ${f1(v)} |`);
  }
  L.push(`| **sandbox work** | **${f1(work)}** |`);
  L.push(`| (for scale) import ${f1(internals.import)}, boot ${f1(internals.boot)}, exit ${f1(internals["exit (after the last line)"])} | |`);
  // Summary of the breakdown, computed from the tables above.
  const imp = (k) => imports[k] ?? 0;
  L.push("", "### Summary", "");
  const importKey = Object.keys(cli).find((k) => k.startsWith("import"));
  L.push(`- A cordon start is ~${f1(cli.wall)} ms wall in the probe: Node boot ${f1(cli.boot)} ms (what \`node -e 0\` pays too), imports ${f1(cli[importKey])} ms, \`run -- true\` ${f1(cli["run -- true"])} ms, exit ${f1(cli["exit (after the last line)"])} ms.`);
  L.push(`- Imports of the hot path (yargs, zod, yaml, undici and ipaddr.js load only when needed): ${f1(sum)} ms, of which @cordon/policy ${f1(imp("@cordon/policy"))} ms, @cordon/proxy (incl. node:http) ${f1(imp("@cordon/proxy"))} ms, @cordon/landlock-native (incl. the addon) ${f1(imp("@cordon/landlock-native (incl. .node addon)"))} ms, the CLI ${f1(imp("@cordon/cli (the run fast path)"))} ms.`);
  L.push(`- The sandbox work itself (TMPDIR, policy, proxy, kernel probe, ruleset, launcher spawn, close) is ${f1(work)} ms.`);
  if (cpu) {
    const b = (name) => cpu.rows.find((r) => r.name === name)?.ms ?? 0;
    for (const lib of ["yargs", "undici", "zod", "yaml"]) if (b(lib) >= 1) L.push(`- ${lib} shows ${f1(b(lib))} ms in the CPU profile: it should load only on demand — a regression.`);
  }
  if (cpu) {
    L.push("", `### 4. CPU profile of \`cordon run -- true\` by package (mean of ${profile.cpuCount} \`node --cpu-prof\` runs, 100 µs sampling, which inflates times)`, "");
    L.push("Each sample is charged to the nearest frame from a package; Node's module loader (resolve, read, compile of CJS/ESM) shows as \"node internals\".", "");
    L.push(`| Charged to | ms | share |`, "|---|---:|---:|");
    for (const r of cpu.rows.filter((r) => r.ms >= 1)) L.push(`| ${r.name} | ${f1(r.ms)} | ${((100 * r.ms) / cpu.totalMs).toFixed(0)}% |`);
    L.push(`| (profiled total) | ${f1(cpu.totalMs)} | |`);
  }
}
