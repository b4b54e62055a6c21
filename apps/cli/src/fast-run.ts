import { parseArgs, type ParseArgsConfig } from "node:util";
import type { Options } from "yargs";
import { POLICY_OPTIONS } from "./commands/policy-options.js";
import { RUN_OPTIONS, runHandler, type RunArgs } from "./commands/run.js";

const OPTIONS: Record<string, Options> = { ...POLICY_OPTIONS, ...RUN_OPTIONS };
const HELP_FLAGS = new Set(["-h", "--help", "--version"]);

/**
 * `cordon run [options] -- cmd` is the hot path: every sandboxed command pays
 * its start-up. Full yargs costs about 80 ms (import and help rendering) on top
 * of Node, so a well-formed `run` line is parsed with Node's own parseArgs from
 * the same option table. Anything else (help, a typo, a bad value, a repeated
 * value list) returns null and goes through full yargs, which owns every message.
 */
export function tryFastRun(argv: readonly string[]): Promise<number> | null {
  if (argv[0] !== "run") return null;
  const dash = argv.indexOf("--");
  if (dash < 0 || dash === argv.length - 1) return null;
  const pre = argv.slice(1, dash);
  if (pre.some((a) => HELP_FLAGS.has(a))) return null;
  const parsed = parse(pre);
  if (!parsed) return null;
  return runHandler({ ...parsed, "--": argv.slice(dash + 1) } as RunArgs);
}

function parse(args: string[]): Record<string, unknown> | null {
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    ({ values } = parseArgs({ args, options: parseArgsOptions(), strict: true, allowPositionals: false }));
  } catch {
    return null;
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    const def = OPTIONS[key];
    if (!def || value === undefined) return null;
    const list = Array.isArray(value) ? value : [value];
    const typed = def.type === "number" ? list.map((v) => (typeof v === "string" && /^\d+$/.test(v) ? Number(v) : Number.NaN)) : list;
    if (typed.some((v) => typeof v === "number" && Number.isNaN(v))) return null;
    if (def.choices && typed.some((v) => !(def.choices as unknown[]).includes(v))) return null;
    out[key] = def.array ? typed : typed[0];
  }
  return out;
}

function parseArgsOptions(): NonNullable<ParseArgsConfig["options"]> {
  const options: NonNullable<ParseArgsConfig["options"]> = {};
  for (const [key, def] of Object.entries(OPTIONS)) {
    options[key] = {
      type: def.type === "boolean" ? "boolean" : "string",
      multiple: def.array === true,
      ...(typeof def.alias === "string" && def.alias.length === 1 ? { short: def.alias } : {}),
    };
  }
  return options;
}
