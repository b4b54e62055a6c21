// Putting secrets into requests for their host, and taking them out of what comes back.
import { Transform, type TransformCallback } from "node:stream";
import type { InjectedCredential } from "./options.js";

/** Request headers (flat pairs) with each credential's slot set, whatever the client put there. */
export function injectHeaders(headers: string[], credentials: readonly InjectedCredential[]): string[] {
  const owned = new Set<string>();
  for (const c of credentials) {
    if (c.header !== undefined) owned.add(c.header.toLowerCase());
    if (c.basic !== undefined) owned.add("authorization");
  }
  const out: string[] = [];
  for (let i = 0; i < headers.length; i += 2) if (!owned.has(headers[i]!.toLowerCase())) out.push(headers[i]!, headers[i + 1]!);
  for (const c of credentials) {
    if (c.header !== undefined) out.push(c.header, `${c.prefix ?? ""}${c.secret}`);
    else if (c.basic !== undefined) out.push("Authorization", `Basic ${Buffer.from(`${c.basic}:${c.secret}`).toString("base64")}`);
  }
  return out;
}

/** The request target with each query credential set (replacing what the client sent). */
export function injectQuery(target: string, credentials: readonly InjectedCredential[], redact = false): string {
  const queryCreds = credentials.filter((c) => c.query !== undefined);
  if (queryCreds.length === 0) return target;
  // The path is kept byte for byte: it is what the rules judged.
  const q = target.indexOf("?");
  const path = q < 0 ? target : target.slice(0, q);
  const params = new URLSearchParams(q < 0 ? "" : target.slice(q + 1));
  for (const c of queryCreds) {
    if (redact) {
      if (params.has(c.query!)) params.set(c.query!, "REDACTED");
    } else params.set(c.query!, c.secret);
  }
  const query = params.toString();
  return query === "" ? path : `${path}?${query}`;
}

/** Every spelling of a secret that could come back: as is, URL-encoded, inside a basic pair. */
export function secretForms(credentials: readonly InjectedCredential[]): Array<{ secret: Buffer; replacement: Buffer }> {
  const forms: Array<{ secret: Buffer; replacement: Buffer }> = [];
  for (const c of credentials) {
    const replacement = Buffer.from(c.placeholder ?? "REDACTED");
    const spellings = new Set([c.secret, encodeURIComponent(c.secret)]);
    if (c.basic !== undefined) spellings.add(Buffer.from(`${c.basic}:${c.secret}`).toString("base64"));
    for (const s of spellings) if (s.length > 0) forms.push({ secret: Buffer.from(s), replacement });
  }
  // Longest first: a form that contains another is replaced whole.
  return forms.sort((a, b) => b.secret.length - a.secret.length);
}

export function scrubText(text: string, forms: ReturnType<typeof secretForms>): string {
  let out = text;
  for (const f of forms) out = out.split(f.secret.toString()).join(f.replacement.toString());
  return out;
}

export function scrubHeaders(headers: Record<string, string | string[]>, forms: ReturnType<typeof secretForms>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = Array.isArray(v) ? v.map((x) => scrubText(x, forms)) : scrubText(v, forms);
  return out;
}

/** Streams a body with every secret form replaced; holds back just enough bytes to catch one split across chunks. */
export class SecretScrubber extends Transform {
  private carry: Buffer = Buffer.alloc(0);
  private readonly keep: number;

  constructor(private readonly forms: ReturnType<typeof secretForms>) {
    super();
    this.keep = Math.max(0, ...forms.map((f) => f.secret.length - 1));
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const data = this.replace(Buffer.concat([this.carry, chunk]));
    const cut = Math.max(0, data.length - this.keep);
    this.carry = data.subarray(cut);
    if (cut > 0) this.push(data.subarray(0, cut));
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.carry.length > 0) this.push(this.carry);
    done();
  }

  private replace(data: Buffer): Buffer {
    let out: Buffer = data;
    for (const f of this.forms) {
      let at = out.indexOf(f.secret);
      if (at < 0) continue;
      const parts: Buffer[] = [];
      let from = 0;
      while (at >= 0) {
        parts.push(out.subarray(from, at), f.replacement);
        from = at + f.secret.length;
        at = out.indexOf(f.secret, from);
      }
      parts.push(out.subarray(from));
      out = Buffer.concat(parts);
    }
    return out;
  }
}
