import yargs from "yargs";
import { SandboxRefusedError } from "./api/sandbox.js";
import { PolicyLoadError } from "./api/load-policy.js";
import { demoCommand } from "./commands/demo.js";
import { doctorCommand } from "./commands/doctor.js";
import { explainCommand } from "./commands/explain.js";
import { policyCommand } from "./commands/policy.js";
import { proxyCommand } from "./commands/proxy.js";
import { runCommand } from "./commands/run.js";
import { formatReport } from "./report/format.js";
import { UsageError } from "./usage-error.js";

export const EXIT_USAGE = 2;
export const EXIT_REFUSED = 3;

/** Runs the cordon command line; resolves with the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const parser = yargs(argv)
    .scriptName("cordon")
    .usage("$0 <command> [options]\n\nRun untrusted commands with kernel-enforced filesystem and network limits.")
    .command(runCommand)
    .command(doctorCommand)
    .command(explainCommand)
    .command(proxyCommand)
    .command(policyCommand)
    .command(demoCommand)
    .demandCommand(1, "name a command: run, doctor, explain, proxy, policy or demo")
    .strict()
    .parserConfiguration({ "populate--": true })
    .recommendCommands()
    .help()
    .alias("h", "help")
    .version()
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    });
  try {
    await parser.parseAsync();
  } catch (e) {
    return reportError(e);
  }
  return (typeof process.exitCode === "number" ? process.exitCode : 0);
}

function reportError(e: unknown): number {
  if (e instanceof UsageError) {
    process.stderr.write(`cordon: ${e.message}\nRun 'cordon --help' (or 'cordon <command> --help') for usage.\n`);
    return EXIT_USAGE;
  }
  if (e instanceof PolicyLoadError) {
    for (const err of e.errors) process.stderr.write(`cordon: ${String(err)}\n`);
    process.stderr.write("hint: 'cordon policy validate FILE' checks a file; 'cordon policy schema' prints the format.\n");
    return EXIT_USAGE;
  }
  if (e instanceof SandboxRefusedError) {
    process.stderr.write(`cordon: refusing to run (compat: hard):\n${e.reasons.map((r) => `  - ${r}`).join("\n")}\n`);
    if (e.report) process.stderr.write(`\n${formatReport(e.report)}\n`);
    process.stderr.write("hint: 'cordon doctor' shows what this kernel supports; --compat best-effort runs with what is left.\n");
    return EXIT_REFUSED;
  }
  const err = e as NodeJS.ErrnoException;
  process.stderr.write(`cordon: ${err.message ?? String(e)}\n`);
  return 1;
}
