/** A problem in a policy, positioned as precisely as the input allows. */
export class PolicyError {
  /** Field path like `network.allow[2].ports[0]`, or a CLI flag like `--allow-host`. */
  readonly path: string;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
  readonly hint?: string;
  readonly filename?: string;

  constructor(
    path: string,
    message: string,
    options: { line?: number; column?: number; hint?: string; filename?: string } = {},
  ) {
    this.path = path;
    this.message = message;
    if (options.line !== undefined) this.line = options.line;
    if (options.column !== undefined) this.column = options.column;
    if (options.hint !== undefined) this.hint = options.hint;
    if (options.filename !== undefined) this.filename = options.filename;
  }

  /** `policy.yaml:7:5: network.allow[2].ports[0]: expected ... (did you mean ...?)` */
  toString(): string {
    const where: string[] = [];
    if (this.filename !== undefined) where.push(this.filename);
    if (this.line !== undefined) {
      where.push(String(this.line));
      if (this.column !== undefined) where.push(String(this.column));
    }
    const prefix = where.length > 0 ? `${where.join(":")}: ` : "";
    const path = this.path === "" ? "" : `${this.path}: `;
    const hint = this.hint === undefined ? "" : ` (${this.hint})`;
    return `${prefix}${path}${this.message}${hint}`;
  }

  toJSON(): { path: string; line?: number; column?: number; message: string; hint?: string } {
    return { path: this.path, line: this.line, column: this.column, message: this.message, hint: this.hint };
  }
}

export type Result<T, K extends string = "policy"> =
  | ({ ok: true } & { [P in K]: T })
  | { ok: false; errors: PolicyError[] };

/** Render a value for "got ..." in messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return String(value);
}

/** Join path segments: `network.allow[2].ports`. */
export function formatPath(segments: readonly (string | number)[]): string {
  let out = "";
  for (const s of segments) {
    if (typeof s === "number") out += `[${s}]`;
    else out += out === "" ? s : `.${s}`;
  }
  return out;
}
