// Checks on a credential entry (pure: the sandbox reads the secret, the proxy injects it).
import type { CredentialRule } from "../model.js";

export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Headers the proxy owns or that frame the message: a credential never goes there.
const RESERVED_HEADERS = new Set(["host", "content-length", "transfer-encoding", "connection", "proxy-authorization", "upgrade", "te", "trailer", "keep-alive"]);

export type CredentialCheck = { ok: true } | { ok: false; field: keyof CredentialRule | ""; reason: string; hint?: string };

export function checkCredential(c: CredentialRule): CredentialCheck {
  const sources = (["env", "file"] as const).filter((k) => c[k] !== undefined);
  if (sources.length !== 1) return { ok: false, field: "", reason: "expected exactly one source: env (a variable of cordon's environment) or file (a path)" };
  const slots = (["header", "basic", "query"] as const).filter((k) => c[k] !== undefined);
  if (slots.length !== 1) return { ok: false, field: "", reason: "expected exactly one of header, basic (the username) or query (a parameter name)" };
  if (c.env !== undefined && !ENV_NAME.test(c.env)) return { ok: false, field: "env", reason: `expected a variable name, got ${JSON.stringify(c.env)}` };
  if (c.placeholderEnv !== undefined && !ENV_NAME.test(c.placeholderEnv)) return { ok: false, field: "placeholderEnv", reason: `expected a variable name, got ${JSON.stringify(c.placeholderEnv)}` };
  if (c.file !== undefined && !(c.file.startsWith("/") || c.file.startsWith("~/")) ) return { ok: false, field: "file", reason: `expected an absolute or ~/ path, got ${JSON.stringify(c.file)}` };
  if (c.header !== undefined) {
    if (!TOKEN.test(c.header)) return { ok: false, field: "header", reason: `expected a header name, got ${JSON.stringify(c.header)}` };
    if (RESERVED_HEADERS.has(c.header.toLowerCase())) return { ok: false, field: "header", reason: `${c.header} cannot carry a credential` };
  }
  if (c.prefix !== undefined && c.header === undefined) return { ok: false, field: "prefix", reason: "prefix goes with header" };
  if (c.prefix !== undefined && /[\r\n\0]/.test(c.prefix)) return { ok: false, field: "prefix", reason: "prefix cannot hold line breaks" };
  if (c.basic !== undefined && (c.basic.includes(":") || /[\r\n\0]/.test(c.basic))) return { ok: false, field: "basic", reason: "expected a username without ':'" };
  if (c.query !== undefined && (c.query === "" || /[&=#?\s]/.test(c.query))) return { ok: false, field: "query", reason: `expected a query parameter name, got ${JSON.stringify(c.query)}` };
  return { ok: true };
}

/** How a credential is named in reports: never its value. */
export function describeCredential(c: CredentialRule): string {
  const slot = c.header !== undefined ? `header ${c.header}` : c.basic !== undefined ? `basic auth (user ${c.basic})` : `query parameter ${c.query}`;
  const source = c.env !== undefined ? `$${c.env}` : c.file!;
  const placeholder = c.placeholderEnv ?? c.env;
  return `${slot} from ${source}${placeholder !== undefined ? ` (the command's $${placeholder} is a placeholder)` : ""}`;
}

/** The variable the command sees holding the placeholder, if any. */
export function placeholderVariable(c: CredentialRule): string | undefined {
  return c.placeholderEnv ?? c.env;
}
