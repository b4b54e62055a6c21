import type { Document, LineCounter } from "yaml";
import { loadYaml } from "../yaml.js";
import { defaultPolicy } from "../defaults.js";
import { formatPath, PolicyError } from "../errors.js";
import type { Policy } from "../model.js";
import { locate, position } from "../parse.js";

export type ImportResult = { ok: true; policy: Policy; notes: string[] } | { ok: false; errors: PolicyError[] };

/** An empty cordon policy (no paths, no hosts): resolvePolicy adds the defaults later. */
export function emptyPolicy(): Policy {
  const base = defaultPolicy();
  return {
    ...base,
    filesystem: { includeWorkdir: true, readOnly: [], readWrite: [], exec: [] },
    network: { ...base.network, allow: [], deny: [] },
  };
}

type Segment = string | number;

/** Parsed foreign document plus helpers to report positioned errors in its own key names. */
export class ForeignDocument {
  readonly data: unknown;
  readonly errors: PolicyError[] = [];
  readonly notes: string[] = [];
  private readonly doc: Document;
  private readonly lines: LineCounter = new (loadYaml().LineCounter)();

  constructor(text: string, private readonly format: "yaml" | "json", private readonly filename?: string) {
    this.doc = loadYaml().parseDocument(text, { lineCounter: this.lines, prettyErrors: false, schema: format === "json" ? "json" : "core" });
    for (const e of this.doc.errors) {
      this.errors.push(new PolicyError("", `${format === "json" ? "JSON" : "YAML"} syntax error: ${e.message}`, position(this.lines, e.pos[0], filename)));
    }
    this.data = this.doc.errors.length === 0 ? this.doc.toJS() : undefined;
    if (this.doc.errors.length === 0 && !loadYaml().isMap(this.doc.contents)) {
      this.errors.push(new PolicyError("", "expected a mapping at the top level", position(this.lines, 0, filename)));
    }
  }

  error(path: Segment[], message: string, hint?: string, key = false): void {
    const at = position(this.lines, locate(this.doc, path, key), this.filename);
    this.errors.push(new PolicyError(formatPath(path), message, { ...at, ...(hint ? { hint } : {}) }));
  }

  result(policy: Policy): ImportResult {
    return this.errors.length > 0 ? { ok: false, errors: this.errors } : { ok: true, policy, notes: this.notes };
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
