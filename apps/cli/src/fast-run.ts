import Parser from "yargs-parser";
import type { Options } from "yargs";
import { POLICY_OPTIONS } from "./commands/policy-options.js";
import { RUN_OPTIONS, runHandler, type RunArgs } from "./commands/run.js";

const OPTIONS: Record<string, Options> = { ...POLICY_OPTIONS, ...RUN_OPTIONS };
const HELP_FLAGS = new Set(["-h", "--help", "--version"]);

/**
 * `cordon run [options] -- cmd` is the hot path: every sandboxed command pays
 * its start-up. Full yargs costs about 80 ms (import and help rendering) on
 * top of Node, so a well-formed `run` line is parsed with yargs' own parser and
 * the same option table. Anything else (help, a typo, a bad value) returns null
 * and goes through full yargs, which owns every message.
 */
export function tryFastRun(argv: readonly string[]): Promise<number> | null {
  if (argv[0] !== "run") return null;
  const dash = argv.indexOf("--");
  if (dash < 0 || dash === argv.length - 1) return null;
  const pre = argv.slice(1, dash);
  if (pre.some((a) => HELP_FLAGS.has(a))) return null;
  const parsed = Parser.detailed(pre, parserOptions());
  if (parsed.error || !isValid(parsed.argv)) return null;
  const args = { ...parsed.argv, "--": argv.slice(dash + 1) } as unknown as RunArgs;
  return runHandler(args);
}

function parserOptions(): Parser.Options {
  const o = { array: [] as string[], string: [] as string[], number: [] as string[], boolean: [] as string[], alias: {} as Record<string, string[]> };
  for (const [key, def] of Object.entries(OPTIONS)) {
    if (def.array) o.array.push(key);
    if (def.type === "string" || def.type === "number" || def.type === "boolean") o[def.type].push(key);
    if (typeof def.alias === "string") o.alias[key] = [def.alias];
  }
  return { ...o, configuration: { "strip-aliased": true, "strip-dashed": false, "camel-case-expansion": false } };
}

/** Every key known, values of the right kind, choices respected: otherwise let yargs explain. */
function isValid(parsed: Record<string, unknown>): boolean {
  for (const [key, value] of Object.entries(parsed)) {
    if (key === "_") {
      if ((value as unknown[]).length > 0) return false;
      continue;
    }
    const def = OPTIONS[key];
    if (!def) return false;
    const values = Array.isArray(value) ? value : [value];
    if (def.type === "number" && values.some((v) => typeof v !== "number" || Number.isNaN(v))) return false;
    if (def.type === "string" && values.some((v) => typeof v !== "string")) return false;
    if (def.choices && values.some((v) => !(def.choices as unknown[]).includes(v))) return false;
    if (!def.array && Array.isArray(value)) return false;
  }
  return true;
}
