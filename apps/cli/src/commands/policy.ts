import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { CommandModule } from "yargs";
import { importOpenShell, importSrt, parsePolicy, policySchema } from "@cordon/policy";
import { findProjectPolicy, PROJECT_POLICY_NAMES, trustPolicyFile, type DeniedHost } from "@cordon/sandbox";
import { adviseHosts } from "../report/hints.js";
import { parseLandlockDenials } from "../report/landlock-denials.js";
import { learnedPolicyYaml } from "../report/learned-policy.js";
import { starterPolicyYaml } from "../report/starter-policy.js";

const validate: CommandModule<object, { file: string }> = {
  command: "validate <file>",
  describe: "Check a policy file (errors with line and column)",
  builder: (y) => y.positional("file", { type: "string", demandOption: true }).example("cordon policy validate cordon.yaml", "") as never,
  handler: (argv) => {
    const r = parsePolicy(readOrFail(argv.file), { filename: argv.file });
    if (r.ok) {
      process.stdout.write(`${argv.file}: valid\n`);
      return;
    }
    for (const e of r.errors) process.stderr.write(`${String(e)}\n`);
    process.exitCode = 1;
  },
};

const init: CommandModule<object, { file: string; force?: boolean }> = {
  command: "init [file]",
  describe: "Write a starter policy (default: cordon.yaml)",
  builder: (y) =>
    y
      .positional("file", { type: "string", default: "cordon.yaml" })
      .option("force", { type: "boolean", describe: "Overwrite an existing file" })
      .example("cordon policy init", "") as never,
  handler: (argv) => {
    if (existsSync(argv.file) && !argv.force) throw new Error(`${argv.file} already exists (use --force to overwrite)`);
    writeFileSync(argv.file, starterPolicyYaml(), { flag: argv.force ? "w" : "wx" });
    process.stdout.write(`wrote ${argv.file}\n`);
    process.stdout.write("'cordon run' reads it in this directory and below. It may only tighten your policy until you trust it: 'cordon policy trust'\n");
  },
};

const schema: CommandModule = {
  command: "schema",
  describe: "Print the JSON Schema of the policy format (for editor completion)",
  handler: () => void process.stdout.write(`${JSON.stringify(policySchema(), null, 2)}\n`),
};

const importCmd: CommandModule<object, { from: "openshell" | "srt"; file: string }> = {
  command: "import <from> <file>",
  describe: "Convert an OpenShell policy YAML or an srt settings JSON to a cordon policy (stdout)",
  builder: (y) =>
    y
      .positional("from", { choices: ["openshell", "srt"] as const, demandOption: true })
      .positional("file", { type: "string", demandOption: true })
      .example("cordon policy import srt ~/.srt-settings.json > cordon.json", "") as never,
  handler: (argv) => {
    const text = readOrFail(argv.file);
    const r = argv.from === "openshell" ? importOpenShell(text) : importSrt(text);
    if (!r.ok) {
      for (const e of r.errors) process.stderr.write(`${argv.file}: ${String(e)}\n`);
      process.exitCode = 1;
      return;
    }
    for (const n of r.notes) process.stderr.write(`cordon: not carried over: ${n}\n`);
    process.stdout.write(`${JSON.stringify(r.policy, null, 2)}\n`);
  },
};

const trust: CommandModule<object, { file?: string }> = {
  command: "trust [file]",
  describe: "Let a project's policy file widen your policy: records its sha256 in your configuration (an edited file is untrusted again)",
  builder: (y) =>
    y
      .positional("file", { type: "string", describe: "Default: the project's cordon.yaml that 'cordon run' would read here" })
      .example("cordon policy trust", "Trust ./cordon.yaml (or the nearest one up to the project root) as it is now") as never,
  handler: (argv) => {
    const file = argv.file ?? findProjectPolicy(process.cwd());
    if (!file) throw new Error(`no ${PROJECT_POLICY_NAMES.join(", ")} here or up to the project root; name the file: cordon policy trust FILE`);
    const r = parsePolicy(readOrFail(file), { filename: file });
    if (!r.ok) {
      for (const e of r.errors) process.stderr.write(`cordon: ${String(e)}\n`);
      throw new Error(`${file} is not a valid policy; not trusted`);
    }
    const t = trustPolicyFile(file);
    process.stdout.write(`trusted ${t.file} (sha256 ${t.sha256.slice(0, 12)}…) in ${t.config}\n`);
  },
};

const suggest: CommandModule<object, { log: string[] }> = {
  command: "suggest <log..>",
  describe: "Policy additions from logs: cordon's --audit-log (refused hosts) and the kernel's Landlock audit records (denied paths)",
  builder: (y) =>
    y
      .positional("log", { type: "string", array: true, demandOption: true })
      .example("cordon policy suggest audit.jsonl", "Hosts a run with --audit-log audit.jsonl was refused")
      .example("cordon policy suggest /var/log/audit/audit.log", "Paths Landlock denied (kernel audit on, Landlock ABI 7)") as never,
  handler: (argv) => {
    const denied: DeniedHost[] = [];
    let text = "";
    for (const file of argv.log) {
      const content = readOrFail(file);
      text += content;
      for (const line of content.split("\n")) {
        if (!line.startsWith("{")) continue;
        try {
          const e = JSON.parse(line) as { type?: string; decision?: string; host?: string; port?: number; reason?: string; address?: string };
          if (e.type === "decision" && e.decision === "deny" && typeof e.host === "string" && typeof e.port === "number") {
            denied.push({ host: e.host, port: e.port, reason: e.reason ?? "denied", count: 1, ...(e.address ? { address: e.address } : {}) });
          }
        } catch {
          // not one of cordon's lines
        }
      }
    }
    const paths = parseLandlockDenials(text);
    process.stdout.write(learnedPolicyYaml({ about: argv.log.join(", "), advice: adviseHosts(denied), paths, pathsWhy: "no Landlock denial record in the logs" }));
  },
};

export const policyCommand: CommandModule = {
  command: "policy <action>",
  describe: "Validate, create, trust, describe or import policy files; suggest additions from logs",
  builder: (y) =>
    y.command(validate).command(init).command(trust).command(suggest).command(schema).command(importCmd).demandCommand(1, "name an action: validate, init, trust, suggest, schema or import"),
  handler: () => {},
};

function readOrFail(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}
