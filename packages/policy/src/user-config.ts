// The per-user configuration file: a policy (optional) plus two keys of its own, `trusted` (project
// policy files the user has reviewed, by path and sha256, as direnv's `allow`) and `networkFence`.
// Pure: the sandbox package reads and writes the file.
import { PolicyError } from "./errors.js";
import { presentKeys } from "./layers.js";
import type { Policy } from "./model.js";
import { locate, position, validatePolicyData } from "./parse.js";
import { loadYaml } from "./yaml.js";

export interface TrustEntry {
  /** Absolute, symlinks resolved. */
  file: string;
  /** Lower-case hex. */
  sha256: string;
}

export interface UserConfig {
  /** Absent when the file holds no policy keys. */
  policy?: Policy;
  keys: string[];
  trusted: TrustEntry[];
  /** The user's statement that a fence outside cordon is in place (only the user's file may say so). */
  networkFence?: "networkpolicy" | "none";
}

export type UserConfigResult = { ok: true; config: UserConfig } | { ok: false; errors: PolicyError[] };

const OWN_KEYS = ["trusted", "networkFence"];
const SHA256 = /^[0-9a-f]{64}$/;

export function parseUserConfig(text: string, filename?: string): UserConfigResult {
  const { LineCounter, parseDocument } = loadYaml();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (path: (string | number)[], key = false) => position(lineCounter, locate(doc, path, key), filename);
  if (doc.errors.length > 0) {
    return { ok: false, errors: doc.errors.map((e) => new PolicyError("", `YAML syntax error: ${e.message}`, position(lineCounter, e.pos[0], filename))) };
  }
  const data: unknown = doc.toJS() ?? {};
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return { ok: false, errors: [new PolicyError("", "expected a mapping at the top level", at([]))] };
  }
  const record = data as Record<string, unknown>;
  const errors: PolicyError[] = [];
  const trusted: TrustEntry[] = [];
  const list = record["trusted"] ?? [];
  if (!Array.isArray(list)) errors.push(new PolicyError("trusted", "expected a list of {file, sha256}", at(["trusted"])));
  else {
    for (const [i, entry] of list.entries()) {
      const e = entry as Partial<TrustEntry> | null;
      if (typeof e?.file !== "string" || !e.file.startsWith("/") || typeof e.sha256 !== "string" || !SHA256.test(e.sha256)) {
        errors.push(new PolicyError(`trusted[${i}]`, "expected {file: /absolute/path, sha256: 64 hex digits}", { ...at(["trusted", i]), hint: "'cordon policy trust FILE' writes these entries" }));
      } else trusted.push({ file: e.file, sha256: e.sha256 });
    }
  }
  const fence = record["networkFence"];
  if (fence !== undefined && fence !== "networkpolicy" && fence !== "none") {
    errors.push(new PolicyError("networkFence", `expected networkpolicy or none, got ${JSON.stringify(fence)}`, { ...at(["networkFence"]), hint: "networkpolicy states that a cluster NetworkPolicy lets this machine out only through cordon's proxy" }));
  }
  const rest = Object.fromEntries(Object.entries(record).filter(([k]) => !OWN_KEYS.includes(k)));
  const config: UserConfig = { keys: presentKeys(rest), trusted, ...(fence === "networkpolicy" || fence === "none" ? { networkFence: fence } : {}) };
  if (Object.keys(rest).length > 0) {
    const r = validatePolicyData(rest, (path, key) => at(path, key));
    if (!r.ok) errors.push(...r.errors);
    else config.policy = r.policy;
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, config };
}

/** The configuration text with `file` trusted at `sha256` (an older entry for the file replaced); comments kept. */
export function withTrust(text: string, entry: TrustEntry): string {
  const { parseDocument, isSeq, isMap } = loadYaml();
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new Error(`cannot edit: ${doc.errors[0]!.message}`);
  if (doc.contents === null) doc.contents = doc.createNode({}) as never;
  if (!isMap(doc.contents)) throw new Error("cannot edit: expected a mapping at the top level");
  const seq = doc.get("trusted");
  if (seq === undefined) doc.set("trusted", doc.createNode([]));
  const items = doc.get("trusted");
  if (!isSeq(items)) throw new Error("cannot edit: trusted is not a list");
  items.items = items.items.filter((n) => (loadYaml().isMap(n) ? n.get("file") !== entry.file : true));
  items.items.push(doc.createNode({ file: entry.file, sha256: entry.sha256 }) as never);
  return doc.toString();
}
