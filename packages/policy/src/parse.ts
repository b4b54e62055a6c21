import type { Document, LineCounter } from "yaml";
import { loadYaml } from "./yaml.js";
import type { z } from "zod";
import { describeValue, formatPath, PolicyError } from "./errors.js";
import { parseHostEntry } from "./host/entry.js";
import { checkLimit, LIMIT_KEYS } from "./limits.js";
import type { HostRule, Policy, PolicyLimits } from "./model.js";
import { KNOWN_KEYS, policyFileSchema } from "./schema.js";
import { nearest } from "./suggest.js";
import { presentKeys } from "./layers.js";

export interface ParseOptions {
  /** Shown in error positions; also picks the format (`.json` → JSON). */
  filename?: string;
  format?: "yaml" | "json";
}

export type ParseResult = {
  ok: true;
  policy: Policy;
  /** The keys the text sets (parsePolicy only): see PolicyLayer.keys. */
  keys?: string[];
} | { ok: false; errors: PolicyError[] };

type Segment = string | number;

/** Parse a YAML or JSON policy file into the model, with every problem positioned. */
export function parsePolicy(text: string, options: ParseOptions = {}): ParseResult {
  const { LineCounter, parseDocument } = loadYaml();
  const lineCounter = new LineCounter();
  const format = options.format ?? (options.filename?.toLowerCase().endsWith(".json") ? "json" : "yaml");
  // JSON is parsed by the YAML parser too (restricted to JSON scalars) so errors carry positions.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, schema: format === "json" ? "json" : "core" });
  const at = (offset: number | undefined) => position(lineCounter, offset, options.filename);

  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => new PolicyError("", `${format === "json" ? "JSON" : "YAML"} syntax error: ${e.message}`, at(e.pos[0]))),
    };
  }
  const data: unknown = doc.toJS();
  if (data === null || data === undefined) {
    return { ok: false, errors: [new PolicyError("", "the policy is empty; expected at least version: 1", at(0))] };
  }
  const result = validatePolicyData(data, (path, key) => at(locate(doc, path, key)));
  return result.ok ? { ...result, keys: presentKeys(data) } : result;
}

/** Validate already-parsed data (e.g. from an importer); `locate` positions errors if it can. */
export function validatePolicyData(
  data: unknown,
  locateAt: (path: Segment[], key: boolean) => { line?: number; column?: number; filename?: string } = () => ({}),
): ParseResult {
  const result = policyFileSchema().safeParse(data);
  if (!result.success) {
    const errors = result.error.issues.flatMap((issue) => toErrors(issue, [], data, locateAt));
    errors.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
    return { ok: false, errors };
  }
  const file = result.data;
  const policy: Policy = {
    version: 1,
    compat: file.compat as Policy["compat"],
    filesystem: { ...file.filesystem, terminals: file.filesystem.terminals as "own" | "all" | undefined },
    network: {
      ...file.network,
      mode: file.network.mode as Policy["network"]["mode"],
      isolation: file.network.isolation as Policy["network"]["isolation"],
      allow: file.network.allow.map(toHostRule),
      deny: file.network.deny.map(toHostRule),
    },
    scopes: file.scopes,
  };
  if (file.extends !== undefined) policy.extends = file.extends;
  if (file.limits !== undefined) policy.limits = parsedLimits(file.limits);
  // Optional keys stay absent when the file does not set them.
  if (policy.network.isolation === undefined) delete policy.network.isolation;
  if (policy.network.allowUnixSockets === undefined) delete policy.network.allowUnixSockets;
  if (policy.filesystem.secrets === undefined) delete policy.filesystem.secrets;
  if (policy.filesystem.terminals === undefined) delete policy.filesystem.terminals;
  return { ok: true, policy };
}

/** The schema checked each value; this turns "512M" into bytes. */
function parsedLimits(input: Record<string, unknown>): PolicyLimits {
  const out: PolicyLimits = {};
  for (const key of LIMIT_KEYS) {
    if (input[key] === undefined) continue;
    const check = checkLimit(key, input[key]);
    if (check.ok) out[key] = check.value;
  }
  return out;
}

function toHostRule(entry: string | HostRule): HostRule {
  if (typeof entry !== "string") return entry;
  const parsed = parseHostEntry(entry);
  if (!parsed.ok) throw new Error(`unreachable: validated entry ${entry} failed: ${parsed.reason}`);
  return parsed.rule;
}

function toErrors(
  issue: z.core.$ZodIssue,
  prefix: Segment[],
  data: unknown,
  locateAt: (path: Segment[], key: boolean) => { line?: number; column?: number; filename?: string },
): PolicyError[] {
  const path = [...prefix, ...(issue.path as Segment[])];
  if (issue.code === "invalid_union") {
    // Report the branch the value was evidently meant for (the one not rejected at its root by type).
    const meant = issue.errors.find((branch) => !branch.every((i) => i.code === "invalid_type" && i.path.length === 0));
    if (meant) return meant.flatMap((i) => toErrors(i, path, data, locateAt));
  }
  if (issue.code === "unrecognized_keys") {
    const valid = KNOWN_KEYS[formatPath(path.map((s) => (typeof s === "number" ? "[]" : s))).replace(/\.\[\]/g, "[]")] ?? [];
    return issue.keys.map((key) => {
      const suggestion = nearest(key, valid);
      const hint = suggestion ? `did you mean ${suggestion}?` : valid.length > 0 ? `valid keys: ${valid.join(", ")}` : undefined;
      return new PolicyError(formatPath([...path, key]), `unknown key ${JSON.stringify(key)}`, { ...locateAt([...path, key], true), ...(hint ? { hint } : {}) });
    });
  }
  const value = valueAt(data, path);
  let hint = issue.code === "custom" ? (issue.params?.["hint"] as string | undefined) : undefined;
  // YAML reads a bare ~ (or an empty value) as null, which surprises people writing home paths.
  if (value === null && issue.code === "invalid_type") hint = 'a bare ~ or an empty value is null in YAML; quote it, e.g. "~/.cache"';
  let message = issue.message;
  if (issue.code !== "custom") message = value === undefined ? `missing; ${message}` : `${message}, got ${describeValue(value)}`;
  return [new PolicyError(formatPath(path), message, { ...locateAt(path, false), ...(hint ? { hint } : {}) })];
}

function valueAt(data: unknown, path: Segment[]): unknown {
  let node = data;
  for (const segment of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

/** Offset of the node at `path` (or of its key), falling back to the nearest existing ancestor. */
export function locate(doc: Document, path: Segment[], key: boolean): number | undefined {
  let node: unknown = doc.contents;
  let offset = rangeStart(node);
  const { isMap, isScalar, isSeq } = loadYaml();
  for (const [i, segment] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === segment);
      if (!pair) return offset;
      if (key && i === path.length - 1) return rangeStart(pair.key) ?? offset;
      node = pair.value;
      offset = rangeStart(node) ?? rangeStart(pair.key) ?? offset;
    } else if (isSeq(node) && typeof segment === "number") {
      node = node.items[segment];
      if (node === undefined) return offset;
      offset = rangeStart(node) ?? offset;
    } else {
      return offset;
    }
  }
  return offset;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
  return range?.[0];
}

export function position(lineCounter: LineCounter, offset: number | undefined, filename: string | undefined) {
  const out: { line?: number; column?: number; filename?: string } = {};
  if (filename !== undefined) out.filename = filename;
  if (offset !== undefined) {
    const { line, col } = lineCounter.linePos(offset);
    out.line = line;
    out.column = col;
  }
  return out;
}
