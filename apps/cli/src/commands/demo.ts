import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { CommandModule } from "yargs";
import { defaultPolicy, type EnforcementReport } from "@cordon/policy";
import { createSandbox, type Sandbox } from "@cordon/sandbox";
import { formatWarnings } from "../report/format.js";
import { cordonCommand } from "../demo/command-name.js";
import { HOSTILE_SCRIPT, parseSteps, type StepResult } from "../demo/hostile-script.js";
import { COLLECTOR, createScenario, REGISTRY, scriptEnv, type Scenario } from "../demo/scenario.js";

export const demoCommand: CommandModule = {
  command: "demo",
  describe: "Watch cordon stop a malicious install script, beside what it does without cordon (self-contained, no internet needed)",
  builder: (y) => y.example("cordon demo", "A hostile script run twice against a throwaway home and project"),
  handler: async () => {
    process.exitCode = await runDemo();
  },
};

interface Step {
  what: string;
  /** Plain words for the outcome without cordon. */
  without: (r: StepResult) => string;
  /** Whether cordon should block it on this machine, and how to say it was. */
  blocked: (report: EnforcementReport) => boolean;
  howBlocked: string;
  /** Said when this machine cannot block it (the report says why). */
  notBlocked?: string;
}

const level = (report: EnforcementReport, protection: string) => report.items.find((i) => i.protection === protection)?.level;

const STEPS: Step[] = [
  {
    what: "Read your SSH private key (~/.ssh/id_ed25519)",
    without: (r) => `it read the key (${r.detail} bytes)`,
    blocked: (rep) => level(rep, "filesystem") === "full",
    howBlocked: "the kernel refused to open it: the command may read the system directories and the project, nothing else of yours",
  },
  {
    what: "Read the project's secrets (.env)",
    without: (r) => `it read .env (${r.detail} bytes)`,
    blocked: () => false,
    howBlocked: "",
    notBlocked: "allowed: the project is the command's to read (it is installing into it). What matters is the next step: it cannot send it anywhere",
  },
  {
    what: `Send what it found to ${COLLECTOR}`,
    without: () => "the attacker's server received your key and secrets",
    blocked: () => true,
    howBlocked: `cordon's proxy refused it: ${COLLECTOR} is not on the list of hosts this command may reach`,
  },
  {
    what: "Plant .git/hooks/pre-commit, to run again at your next commit",
    without: () => "the hook is in place: it runs the next time you commit",
    blocked: (rep) => level(rep, "protected paths") === "full",
    howBlocked: ".git/hooks is read-only inside the sandbox, although the project is writable",
    notBlocked: "NOT blocked on this machine: keeping .git/hooks read-only needs user namespaces (see 'cordon explain')",
  },
  {
    what: "Connect out directly, ignoring the proxy settings",
    without: () => "it connected straight to the server",
    blocked: (rep) => level(rep, "outbound TCP") === "full",
    howBlocked: "the kernel refused the connection: a command in the sandbox can reach cordon's proxy and nothing else",
    notBlocked: "NOT blocked on this machine: the kernel lacks Landlock network rules (see 'cordon explain')",
  },
  {
    what: `Download its real dependency from ${REGISTRY} (a host the policy allows)`,
    without: () => "downloaded",
    blocked: () => false,
    howBlocked: "",
    notBlocked: "downloaded through cordon's proxy: ordinary work still works",
  },
];

/**
 * The hostile script runs twice in a throwaway home and project: once as any install script
 * runs (your permissions, no sandbox), once under cordon's built-in policy with one allowed
 * host. A local server stands in for the internet. Exit 0 when cordon behaved as the enforcement
 * report for this machine says it would.
 */
export async function runDemo(): Promise<number> {
  const out = (s = "") => process.stdout.write(`${s}\n`);
  const scenario = await createScenario();
  let sandbox: Sandbox | undefined;
  try {
    const env = scriptEnv(scenario);
    const base = defaultPolicy();
    sandbox = await createSandbox({
      cwd: scenario.project,
      env: { ...cleanEnv(), ...env },
      policy: { ...base, network: { ...base.network, proxyPort: 0, allow: [{ host: REGISTRY, ports: [scenario.port], allowedIps: ["127.0.0.1/32"] }] } },
      hosts: { [REGISTRY]: ["127.0.0.1"], [COLLECTOR]: ["127.0.0.1"] },
      proxyThread: "main",
    });
    out("cordon demo: a malicious install script, run without and with cordon");
    out();
    out("An install script runs with all your permissions. This one, modelled on real npm attacks, tries");
    out("to steal your SSH key and the project's secrets, send them out, and leave a git hook behind.");
    out(`It runs against a throwaway home and project (${scenario.root}), never your own files;`);
    out("\"the internet\" is a server on this machine.");
    for (const w of formatWarnings(sandbox.report)) out(w);

    const without = parseSteps(await runPlain(scenario, env));
    const exfiltrated = scenario.received.get("/upload") ?? 0;
    // The sandboxed run starts from the same project, and is judged by what reaches the server.
    rmSync(join(scenario.project, ".git", "hooks", "pre-commit"), { force: true });
    scenario.received.clear();
    const withCordon = parseSteps(await runSandboxed(sandbox));
    const leaked = (scenario.received.get("/upload") ?? 0) + (scenario.received.has("/direct") ? 1 : 0);

    let good = 0;
    for (const [i, step] of STEPS.entries()) {
      const n = i + 1;
      const a = without.get(n);
      const b = withCordon.get(n);
      const expectBlocked = step.blocked(sandbox.report);
      const wasBlocked = b !== undefined && !b.ok;
      const matches = b !== undefined && wasBlocked === expectBlocked;
      if (matches) good++;
      out();
      out(`${n}. ${step.what}`);
      out(`   without cordon  ${a ? (a.ok ? step.without(a) : `failed: ${a.detail}`) : "did not run"}`);
      const said = wasBlocked ? (expectBlocked ? `BLOCKED: ${step.howBlocked}` : `failed: ${b.detail}`) : b ? (step.notBlocked ?? "done") : "did not run";
      out(`   with cordon     ${said}${matches ? "" : "   ✘ not what this machine's enforcement report predicts"}`);
    }
    out();
    out(exfiltrated > 0 ? `Without cordon: ${exfiltrated} bytes of secrets reached ${COLLECTOR}, and a hook waits for your next commit.` : "Without cordon: nothing reached the collector (unexpected; see above).");
    out(`With cordon: ${leaked > 0 ? "something reached the server (see above)" : "nothing reached the attacker"}; the allowed download ${withCordon.get(6)?.ok ? "worked" : "failed"}.`);
    out();
    out(`${good}/${STEPS.length} steps behaved as this machine's enforcement report predicts (enforcement: ${sandbox.report.status}).`);
    const me = cordonCommand();
    // With the built-in policy no host is allowed: a bare `npm install` would fail on its first download.
    out(`Next: in your own project, '${me} run --preset node -- npm install' (npm and its registry, nothing else); '${me} explain' shows what is enforced here.`);
    return good === STEPS.length && leaked === 0 ? 0 : 1;
  } finally {
    await sandbox?.close();
    await scenario.close();
  }
}

/** The environment without proxy settings (the demo may itself run inside cordon). */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^(https?|all|no)_proxy$/i.test(k)) delete env[k];
  return env;
}

/** As any install script runs: no sandbox, the scenario's home and project. */
function runPlain(s: Scenario, env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", HOSTILE_SCRIPT], { cwd: s.project, env: { ...cleanEnv(), ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let text = "";
    child.stdout.on("data", (d: Buffer) => (text += d.toString()));
    child.stderr.on("data", (d: Buffer) => (text += d.toString()));
    child.on("error", reject);
    child.on("close", () => resolve(text));
  });
}

async function runSandboxed(sandbox: Sandbox): Promise<string> {
  const proc = sandbox.spawn("sh", ["-c", HOSTILE_SCRIPT], { stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });
  let text = "";
  proc.child.stdout?.on("data", (d: Buffer) => (text += d.toString()));
  proc.child.stderr?.on("data", (d: Buffer) => (text += d.toString()));
  await proc.exited;
  return text;
}
