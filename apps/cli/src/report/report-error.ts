import { PolicyLoadError, SandboxRefusedError, UntrustedPolicyError } from "@cordon/sandbox";
import { UsageError } from "../usage-error.js";
import { formatReport } from "./format.js";

export const EXIT_USAGE = 2;
export const EXIT_REFUSED = 3;

/** One clear message (and a hint) for an error that ends the command; returns the exit status. */
export function reportError(e: unknown): number {
  if (e instanceof UsageError) {
    process.stderr.write(`cordon: ${e.message}\nRun 'cordon --help' (or 'cordon <command> --help') for usage.\n`);
    return EXIT_USAGE;
  }
  if (e instanceof UntrustedPolicyError) {
    process.stderr.write(`cordon: refusing ${e.shown}: this project's policy file is not trusted, and an untrusted project file may only tighten your policy. It would:\n`);
    for (const err of e.errors) if (typeof err === "object") process.stderr.write(`cordon:   ${err.path}: ${err.message}\n`);
    process.stderr.write(`hint: read the file; if you accept it: 'cordon policy trust ${e.shown}' (editing it makes it untrusted again), or run with --policy FILE\n`);
    return EXIT_USAGE;
  }
  if (e instanceof PolicyLoadError) {
    for (const err of e.errors) process.stderr.write(`cordon: ${String(err)}\n`);
    const inFile = e.errors.some((err) => typeof err === "object" && err.line !== undefined);
    process.stderr.write(
      inFile
        ? "hint: 'cordon policy validate FILE' checks a file; 'cordon policy schema' prints the format.\n"
        : "hint: 'cordon run --help' lists the options; the policy format is in 'cordon policy schema'.\n",
    );
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
