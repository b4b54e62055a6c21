import yargs from "yargs";
import { demoCommand } from "./commands/demo.js";
import { doctorCommand } from "./commands/doctor.js";
import { explainCommand } from "./commands/explain.js";
import { kubeCommand } from "./commands/kube.js";
import { policyCommand } from "./commands/policy.js";
import { proxyCommand } from "./commands/proxy.js";
import { nearest } from "@cordon/policy";
import { POLICY_OPTIONS } from "./commands/policy-options.js";
import { RUN_OPTIONS, runCommand } from "./commands/run.js";
import { reportError } from "./report/report-error.js";
import { UsageError } from "./usage-error.js";
import { cliVersion } from "./version.js";

/** Runs the cordon command line; resolves with the process exit code. */
export async function main(argv: string[]): Promise<number> {
  if (argv[0] === "run" && !argv.includes("--") && !argv.some((a) => a === "--help" || a === "-h")) {
    return reportError(new UsageError("the command goes after '--': cordon run [options] -- <command> [args...]"));
  }
  const parser = yargs(argv)
    .scriptName("cordon")
    .usage("$0 <command> [options]\n\nRun untrusted commands with kernel-enforced filesystem and network limits.")
    .command(runCommand)
    .command(doctorCommand)
    .command(explainCommand)
    .command(proxyCommand)
    .command(policyCommand)
    .command(demoCommand)
    .command(kubeCommand)
    .demandCommand(1, "name a command: run, doctor, explain, proxy, policy, demo or kube")
    .example("cordon demo", "See what cordon enforces, on this machine, in a few seconds")
    .example("cordon doctor", "What this kernel supports")
    .example("cordon run --preset node -- npm ci", "Run a command in the sandbox")
    .epilog("Each command has its own --help. Docs: README.md and apps/cli/README.md.")
    .strict()
    // No camelCase twins: an unknown flag is then named once ("bogus-flag", not "bogus-flag, bogusFlag").
    .parserConfiguration({ "populate--": true, "camel-case-expansion": false })
    .recommendCommands()
    .help()
    .alias("h", "help")
    .version(cliVersion())
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .fail((msg, err) => {
      throw err ?? new UsageError(withSuggestion(msg));
    });
  try {
    await parser.parseAsync();
  } catch (e) {
    return reportError(e);
  }
  return (typeof process.exitCode === "number" ? process.exitCode : 0);
}


/** "Unknown argument: allow-hots" → "... (did you mean --allow-host?)". */
function withSuggestion(msg: string): string {
  const m = /^Unknown arguments?: (.*)$/.exec(msg);
  if (!m) return msg;
  const known = [...Object.keys(POLICY_OPTIONS), ...Object.keys(RUN_OPTIONS), "help", "version"];
  const names = m[1]!.split(", ");
  const hints = names.map((n) => nearest(n, known)).filter((n): n is string => n !== undefined);
  const flags = names.map((n) => (n.length === 1 ? `-${n}` : `--${n}`)).join(", ");
  return `unknown option${names.length > 1 ? "s" : ""} ${flags}${hints.length ? ` (did you mean ${hints.map((h) => `--${h}`).join(", ")}?)` : ""}`;
}
