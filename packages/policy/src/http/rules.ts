// Per-request rules for an inspected host: "METHOD /path/glob" entries, allow and deny, deny wins.
// Pure: the proxy calls decide() on every decrypted request (kept-alive connections included).
import type { HttpRuleEntry, HttpRules } from "../model.js";

export interface CompiledHttpRule {
  /** How the rule is named in refusals, the audit log and the summary: `allow GET /repos/**`. */
  name: string;
  methods: ReadonlySet<string> | "*";
  path: RegExp;
}

export type HttpDecision = { allowed: true; rule: string } | { allowed: false; rule: string; message: string };

export interface HttpRuleMatcher {
  readonly allow: readonly CompiledHttpRule[];
  readonly deny: readonly CompiledHttpRule[];
  decide(method: string, target: string): HttpDecision;
}

const METHOD = /^[A-Z][A-Z-]*$/;

type Check<T> = { ok: true; value: T } | { ok: false; reason: string; hint?: string };

/** `GET /a/*`, `GET|HEAD /a/**`, `* /x`, `/x` (any method); or `{method, path}`. */
export function parseHttpRule(entry: HttpRuleEntry): Check<{ methods: string[] | "*"; path: string; text: string }> {
  let methodText: string | string[] | undefined;
  let path: string;
  if (typeof entry === "string") {
    const parts = entry.trim().split(/\s+/);
    if (parts.length === 1) path = parts[0]!;
    else if (parts.length === 2) [methodText, path] = [parts[0]!, parts[1]!];
    else return { ok: false, reason: 'expected "METHOD /path" (e.g. "GET /repos/**")' };
  } else {
    methodText = entry.method;
    path = entry.path;
  }
  let methods: string[] | "*" = "*";
  if (methodText !== undefined && methodText !== "*") {
    const list = Array.isArray(methodText) ? methodText : methodText.split("|");
    methods = [];
    for (const m of list) {
      if (!METHOD.test(m)) return { ok: false, reason: `expected an upper-case HTTP method, * or GET|HEAD, got ${JSON.stringify(m)}` };
      methods.push(m);
    }
    if (methods.length === 0) return { ok: false, reason: "expected at least one method" };
  }
  if (path !== "*" && path !== "**" && !path.startsWith("/")) {
    return { ok: false, reason: `expected a path starting with / (or *), got ${JSON.stringify(path)}`, hint: "* matches within one segment, ** across segments" };
  }
  if (/[?#\s]/.test(path)) return { ok: false, reason: "rules match the path only: no ?query, #fragment or spaces" };
  const text = `${methods === "*" ? "*" : methods.join("|")} ${path}`;
  return { ok: true, value: { methods, path, text } };
}

function globToRegExp(glob: string): RegExp {
  if (glob === "*" || glob === "**") return /^.*$/s;
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") {
      if (glob[i + 1] === "*") {
        i++;
        re += ".*";
      } else re += "[^/]*";
    } else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  // "/a/**" also matches "/a" itself.
  if (glob.endsWith("/**")) re = `${re.slice(0, -"/.*".length)}(?:/.*)?`;
  return new RegExp(`^${re}$`, "s");
}

export function compileHttpRules(rules: HttpRules | undefined): HttpRuleMatcher {
  const compile = (kind: "allow" | "deny") =>
    (rules?.[kind] ?? []).map((entry) => {
      const parsed = parseHttpRule(entry);
      if (!parsed.ok) throw new Error(`http.${kind}: ${parsed.reason}`);
      const { methods, path, text } = parsed.value;
      return { name: `${kind} ${text}`, methods: methods === "*" ? "*" : new Set(methods), path: globToRegExp(path) } as CompiledHttpRule;
    });
  const allow = compile("allow");
  const deny = compile("deny");
  const hasAllow = rules?.allow !== undefined;
  const matches = (r: CompiledHttpRule, method: string, paths: string[]) => (r.methods === "*" || r.methods.has(method)) && paths.some((p) => r.path.test(p));
  const matchesAll = (r: CompiledHttpRule, method: string, paths: string[]) => (r.methods === "*" || r.methods.has(method)) && paths.every((p) => r.path.test(p));
  return {
    allow,
    deny,
    decide(method, target) {
      const paths = pathForms(target);
      if (!paths.ok) return { allowed: false, rule: "path", message: paths.reason };
      // A server may decode what a rule saw encoded: deny if any reading matches, allow only if every reading does.
      for (const r of deny) if (matches(r, method, paths.value)) return { allowed: false, rule: r.name, message: `${method} ${paths.value[0]} matches http rule "${r.name}"` };
      if (!hasAllow) return { allowed: true, rule: "inspect" };
      for (const r of allow) if (matchesAll(r, method, paths.value)) return { allowed: true, rule: r.name };
      return { allowed: false, rule: "no allow rule", message: `${method} ${paths.value[0]} matches none of the http.allow rules` };
    },
  };
}

const UNRESERVED = /%(2[DdEe]|5[Ff]|7[Ee]|[46][1-9A-Fa-f]|[57][0-9Aa]|3[0-9])/g;

/** The request target's path, read the ways an upstream might: as sent (unreserved escapes decoded) and fully decoded. */
export function pathForms(target: string): Check<string[]> {
  if (!target.startsWith("/")) return { ok: false, reason: `request target must be origin-form (/path), got ${JSON.stringify(target.slice(0, 100))}` };
  const q = target.search(/[?#]/);
  const raw = q < 0 ? target : target.slice(0, q);
  const light = raw.replace(UNRESERVED, (m) => String.fromCharCode(parseInt(m.slice(1), 16)));
  let full: string;
  try {
    full = decodeURIComponent(raw);
  } catch {
    return { ok: false, reason: "request path has a malformed %-escape" };
  }
  // Some servers read a backslash as a separator.
  full = full.replace(/\\/g, "/");
  for (const p of [light, full]) {
    if (/(^|\/)\.\.?(\/|$)/.test(p)) return { ok: false, reason: "request path has . or .. segments" };
  }
  return { ok: true, value: light === full ? [light] : [light, full] };
}
