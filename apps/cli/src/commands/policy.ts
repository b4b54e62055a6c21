import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { CommandModule } from "yargs";
import { importOpenShell, importSrt, parsePolicy, policySchema } from "@cordon/policy";
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

export const policyCommand: CommandModule = {
  command: "policy <action>",
  describe: "Validate, create, describe or import policy files",
  builder: (y) => y.command(validate).command(init).command(schema).command(importCmd).demandCommand(1, "name an action: validate, init, schema or import"),
  handler: () => {},
};

function readOrFail(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}
