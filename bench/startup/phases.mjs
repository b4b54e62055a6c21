#!/usr/bin/env node
// Probe run by bench/startup/run.mjs in a fresh process per sample (one mode per process).
// Prints one JSON line: the phases of a cordon start, in ms, measured with performance.now()
// (whose origin is the start of this process, so "boot" is Node's own bootstrap).
//
//   node --experimental-import-meta-resolve phases.mjs MODE CLI_DIR
//   MODE: imports   - cumulative import cost, one dependency after another
//         internals - the steps of createSandbox + spawn + close, using the built modules
//         cli       - what bin.js does: import the `run` fast path, then run `run -- true` as one step
import { pathToFileURL } from "node:url";
import { join } from "node:path";

const t = { boot: performance.now() };
const [mode, cliDir] = process.argv.slice(2);
const cliIndex = pathToFileURL(join(cliDir, "dist", "index.js")).href;
const r = (spec, parent) => import.meta.resolve(spec, parent);
let last = performance.now();
const lap = (name) => {
  const now = performance.now();
  t[name] = (t[name] ?? 0) + (now - last);
  last = now;
};

if (mode === "imports") {
  const policyUrl = r("@cordon/policy", cliIndex);
  const proxyUrl = r("@cordon/proxy", cliIndex);
  // What `cordon run` imports (yargs, zod, yaml, undici and ipaddr.js load only when needed).
  const steps = [
    ["@cordon/policy", policyUrl],
    ["@cordon/proxy", proxyUrl],
    ["@cordon/landlock-native (incl. .node addon)", r("@cordon/landlock-native", cliIndex)],
    ["@cordon/cli (the run fast path)", pathToFileURL(join(cliDir, "dist", "fast-run.js")).href],
  ];
  last = performance.now();
  for (const [name, url] of steps) {
    await import(url);
    lap(name);
  }
} else if (mode === "internals") {
  const sandboxIndex = r("@cordon/sandbox", cliIndex);
  const dist = (f) => new URL(f, sandboxIndex).href;
  const policy = await import(r("@cordon/policy", cliIndex));
  const { loadPolicy } = await import(dist("load-policy.js"));
  const { createPrivateTmpdir, removePrivateTmpdir } = await import(dist("private-tmpdir.js"));
  const { startSandboxProxy } = await import(dist("start-proxy.js"));
  const { probeKernel } = await import(dist("kernel-facts.js"));
  const { buildRuleset } = await import(dist("build-ruleset.js"));
  const { launch } = await import(dist("launch.js"));
  const { childEnv } = await import(dist("child-env.js"));
  await import(cliIndex);
  lap("import");
  const tmpdir = createPrivateTmpdir();
  lap("private TMPDIR (incl. orphan sweep)");
  const resolved = loadPolicy({}, { cwd: process.cwd(), tmpdir });
  lap("load + resolve default policy");
  const proxy = (await startSandboxProxy({ network: resolved.network, thread: process.env.PROXY_THREAD ?? "main" })).proxy;
  lap("start proxy");
  const effective = { ...resolved, network: { ...resolved.network, proxyPort: proxy.port } };
  const n = policy.negotiate(effective, probeKernel(policy.policyPaths(effective)));
  lap("probe kernel + negotiate");
  const rs = buildRuleset(n.plan);
  lap("build Landlock ruleset");
  const env = childEnv({ base: process.env, mode: effective.network.mode, proxyUrl: proxy.url, tmpdir });
  const { child } = launch({
    command: "true", args: [], cwd: process.cwd(), env, stdio: ["ignore", "ignore", "ignore"],
    ...(rs ? { rulesetFd: rs.fd } : {}),
    ...(n.plan.landlock?.restrictFlags ? { restrictFlags: n.plan.landlock.restrictFlags } : {}),
  });
  rs?.close();
  lap("spawn launcher");
  await new Promise((res) => child.once("close", res));
  lap("launcher + true run, exit seen");
  await proxy.close();
  removePrivateTmpdir(tmpdir);
  lap("close proxy + remove TMPDIR");
} else if (mode === "cli") {
  const { tryFastRun } = await import(pathToFileURL(join(cliDir, "dist", "fast-run.js")).href);
  lap("import (the run fast path: no yargs, zod, yaml or undici)");
  const code = await tryFastRun(["run", "--", "true"]);
  lap("run -- true");
  if (code !== 0) throw new Error(`main returned ${code}`);
} else {
  throw new Error(`unknown mode ${mode}`);
}
t.total = performance.now();
process.stdout.write(`${JSON.stringify(t)}\n`);
