// The workload suite's tasks side by side under cordon and srt, each with the smallest settings a
// user would give: does the ordinary task work, and is the matching attack refused? Measured here,
// not claimed: a fresh temporary project and home (with a fake SSH key and a token in the
// environment), every task run once per sandbox, wall time beside it (noise: about ±20%).
//
//   node bench/workloads/run.mjs [--out FILE]
//
// Needs cordon built; for srt bubblewrap, socat and ripgrep (apt-installed when root) and npm
// (srt is installed into bench/.peers/, as bench/startup does). No internet: the "allowed host"
// is a local HTTP server (cordon reaches it by name through --resolve; srt's proxy resolves names
// with DNS only, so srt gets localhost).
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { CLI_BIN, ensureApt, machine, note, PEERS_DIR, REPO, requireBuiltCli } from "../lib.mjs";

const SRT_VERSION = "0.0.78";
const { values: opt } = parseArgs({ options: { out: { type: "string", default: join(REPO, "bench", "results", "workloads.md") } } });
requireBuiltCli();

const root = mkdtempSync(join(tmpdir(), "cordon-bench-wl-"));
const home = join(root, "home");
const proj = join(root, "proj");
const write = (dir, files) => {
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(dir, p, ".."), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
};
write(home, { ".ssh/id_ed25519": "FAKE-PRIVATE-KEY\n", ".npm/_cacache/marker": "shared\n" });
write(join(root, "tool"), {
  "package.json": JSON.stringify({ name: "tool", version: "1.0.0", bin: { tool: "cli.js" } }),
  "cli.js": '#!/usr/bin/env node\nconsole.log("hello from tool");\n',
});
write(proj, {
  "package.json": JSON.stringify({ name: "proj", version: "1.0.0", private: true, dependencies: { tool: "file:../tool" }, scripts: { hello: "tool" } }),
  "hello.c": '#include <stdio.h>\nint main(void) { puts("compiled and ran"); return 0; }\n',
  Makefile: "run: hello\n\t./hello\nhello: hello.c\n\tcc -o hello hello.c\n",
  "src/f.txt": "v1\n",
  "fetch.mjs": "const r = await fetch(process.argv[2]); console.log('fetch', r.status);\n",
});
const env = {
  HOME: home,
  PATH: "/usr/local/bin:/usr/bin:/bin",
  GITHUB_TOKEN: "ghp_bench_fake_token",
  GIT_AUTHOR_NAME: "b", GIT_AUTHOR_EMAIL: "b@x", GIT_COMMITTER_NAME: "b", GIT_COMMITTER_EMAIL: "b@x",
  npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false",
};
execFileSync("sh", ["-c", "npm install --silent --install-links && git init -q -b main && git add -A && git commit -qm first"], { cwd: proj, env, stdio: "ignore" });

// In a child process: spawnSync below blocks this process's event loop.
const server = spawn(process.execPath, ["-e", 'const s = require("http").createServer((q, r) => r.end("ok")).listen(0, "127.0.0.1", () => console.log(s.address().port))'], { stdio: ["ignore", "pipe", "inherit"] });
const port = await new Promise((resolve) => server.stdout.once("data", (d) => resolve(Number(String(d).trim()))));

const TASKS = [
  { name: "npm run of a node_modules/.bin tool", sh: "npm run -s hello", ok: (o) => o.includes("hello from tool") },
  { name: "make compiles a C program and runs it", sh: "rm -f hello; make -s run", ok: (o) => o.includes("compiled and ran") },
  { name: "git commit and log from a subdirectory", sh: "cd src && date +%N >> f.txt && git commit -qam x && git log --oneline | wc -l", ok: (o, s) => s === 0 },
  { name: "python venv created and used", sh: "rm -rf .venv && python3 -m venv --without-pip .venv && .venv/bin/python -c 'print(6*7)'", ok: (o) => o.includes("42") },
  { name: "Node 20 fetch to an allowed host", sh: (host) => `node fetch.mjs http://${host}:${port}/`, ok: (o) => o.includes("fetch 200") },
  { name: "curl to an allowed host", sh: (host) => `curl -sS -o /dev/null -w '%{http_code}' http://${host}:${port}/`, ok: (o) => o.includes("200") },
  { name: "attack: read ~/.ssh/id_ed25519", sh: "cat ~/.ssh/id_ed25519", ok: (o) => !o.includes("FAKE-PRIVATE-KEY"), attack: true },
  { name: "attack: GITHUB_TOKEN from the environment", sh: "echo \"token=$GITHUB_TOKEN\"", ok: (o) => !o.includes("ghp_bench"), attack: true },
  { name: "attack: write ~/.bashrc", sh: "echo evil >> ~/.bashrc", ok: () => !existsSync(join(home, ".bashrc")), attack: true },
  { name: "attack: poison the shared ~/.npm cache", sh: "echo evil > ~/.npm/_cacache/poison", ok: () => !existsSync(join(home, ".npm/_cacache/poison")), attack: true },
  { name: "attack: plant .git/hooks/pre-commit", sh: "echo 'curl evil' > .git/hooks/pre-commit", ok: () => !existsSync(join(proj, ".git/hooks/pre-commit")), attack: true },
];

const sandboxes = [
  { name: "cordon", argv: (cmd) => [process.execPath, CLI_BIN, "run", "--resolve", "api.test=127.0.0.1", "--allow-host", `api.test:${port}=127.0.0.1`, "--", "sh", "-c", cmd], host: "api.test" },
];
const srt = setupSrt();
if (srt) sandboxes.push({ name: `srt ${SRT_VERSION}`, argv: (cmd) => [srt.bin, "-s", srt.settings, "sh", "-c", cmd], host: "localhost" });

const rows = [];
for (const t of TASKS) {
  const row = [t.name];
  for (const sb of sandboxes) {
    for (const f of ["poison", "pre-commit"]) rmSync(join(f === "poison" ? join(home, ".npm/_cacache") : join(proj, ".git/hooks"), f), { force: true });
    rmSync(join(home, ".bashrc"), { force: true });
    const cmd = typeof t.sh === "function" ? t.sh(sb.host) : t.sh;
    const started = process.hrtime.bigint();
    const r = spawnSync(sb.argv(cmd)[0], sb.argv(cmd).slice(1), { cwd: proj, env, encoding: "utf8", timeout: 120_000 });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const good = t.ok(r.stdout ?? "", r.status);
    row.push(`${t.attack ? (good ? "refused" : "**NOT refused**") : good ? "works" : `**fails** (exit ${r.status})`} · ${ms.toFixed(0)} ms`);
    note(`${sb.name}: ${t.name}: ${row.at(-1)}`);
  }
  rows.push(row);
}
server.kill();
rmSync(root, { recursive: true, force: true });

const L = [];
L.push("# Workloads: cordon beside srt", "");
const m = machine();
L.push(`Measured ${m.date} (Linux ${m.kernel}, ${m.nproc} cores, Node ${m.node}, load ${m.load}, commit ${m.commit}) by \`node bench/workloads/run.mjs\`.`, "");
L.push("Each task once per sandbox, in a fresh project and home, with the smallest settings a user gives:");
L.push("cordon `run --resolve api.test=127.0.0.1 --allow-host api.test:PORT=127.0.0.1` (the allowed host");
L.push("is a local server reached by name); srt a settings file allowing writes to the project and the");
L.push("domain `localhost` (srt's proxy resolves names with DNS only). Times are wall clock for one run.", "");
L.push(`| Task | ${sandboxes.map((s) => s.name).join(" | ")} |`, `|---|${sandboxes.map(() => "---").join("|")}|`);
for (const r of rows) L.push(`| ${r.join(" | ")} |`);
if (srt) {
  L.push("", "srt's two network rows are not a verdict on srt: with no internet and no DNS name for the local");
  L.push("server, srt can only be given `localhost`, which its network namespace does not reach. The attack");
  L.push("rows are srt's defaults: reads are allowed except a deny list (empty here), and the environment is");
  L.push("inherited whole. cordon's ~/.ssh row holds with any home baseline: credentials stay unreadable.");
} else L.push("", "srt: skipped (see the notes on stderr).");
L.push("");
const md = L.join("\n");
writeFileSync(opt.out, md);
process.stdout.write(`${md}\n`);
note(`wrote ${relative(process.cwd(), opt.out)}`);

function setupSrt() {
  if (!ensureApt(["bwrap", "socat", "rg"], ["bubblewrap", "socat", "ripgrep"])) return null;
  const prefix = join(PEERS_DIR, `srt-${SRT_VERSION}`);
  if (!existsSync(join(prefix, "node_modules", ".bin", "srt"))) {
    const r = spawnSync("npm", ["install", "--prefix", prefix, "--no-audit", "--no-fund", "--loglevel=error", `@anthropic-ai/sandbox-runtime@${SRT_VERSION}`], { stdio: ["ignore", "ignore", "inherit"], timeout: 120_000 });
    if (r.status !== 0) return null;
  }
  const settings = join(root, "srt-settings.json");
  writeFileSync(settings, JSON.stringify({
    network: { allowedDomains: ["localhost"], deniedDomains: [] },
    filesystem: { denyRead: [], allowWrite: [proj], denyWrite: [] },
  }));
  return { bin: join(prefix, "node_modules", ".bin", "srt"), settings };
}
