import type { z as Z } from "zod";
import { lazyRequire } from "./lazy.js";
import { DEFAULT_PROXY_PORT } from "./defaults.js";
import { parseHostEntry } from "./host/entry.js";
import { compileHostPattern, parseCidr } from "./host/pattern.js";
import { checkLimit, SIZE_HINT } from "./limits.js";
import { COMPAT_LEVELS, ISOLATION_LEVELS, NETWORK_MODES, type PolicyLimits } from "./model.js";
import { checkPathSyntax } from "./paths.js";
import { isPresetName, unknownPresetMessage } from "./presets.js";
import { checkProtectedEntry } from "./protected.js";
import { checkCredential } from "./http/credentials.js";
import { parseHttpRule } from "./http/rules.js";
import { checkSecretEntry } from "./secrets.js";

/*
 * The file format. Structural checks live in zod (and feed the exported JSON Schema); checks
 * that need parsing (paths, host patterns, CIDRs) are refinements on the leaf strings so every
 * problem in a file is reported in one pass. Messages start with "expected ..." and the parser
 * appends ", got <value>".
 */

/** Builds the schema; zod is loaded on first use (about 50 ms: a run with the built-in policy never needs it). */
function build(z: typeof Z) {
  const PORT = "expected an integer 1-65535";
  const port = z.int(PORT).min(1, PORT).max(65535, PORT);
  const portList = z.array(port, "expected a list of ports");

  function pathString(writable: boolean) {
    return z.string("expected a path string").superRefine((value, ctx) => {
      const check = checkPathSyntax(value, writable);
      if (!check.ok) ctx.addIssue({ code: "custom", message: check.reason, params: { hint: check.hint } });
    });
  }
  const pathList = (writable: boolean) => z.array(pathString(writable), "expected a list of paths").default([]);

  const hostPattern = z.string("expected a host pattern string").superRefine((value, ctx) => {
    const pattern = compileHostPattern(value);
    if (!pattern.ok) ctx.addIssue({ code: "custom", message: pattern.reason, params: { hint: pattern.hint } });
  });

  const cidr = z.string("expected an IP address or CIDR string").superRefine((value, ctx) => {
    const parsed = parseCidr(value);
    if (!parsed.ok) ctx.addIssue({ code: "custom", message: parsed.reason });
  });

  const hostEntryString = z.string().superRefine((value, ctx) => {
    const entry = parseHostEntry(value);
    if (!entry.ok) ctx.addIssue({ code: "custom", message: entry.reason, params: { hint: entry.hint } });
  });

  const httpRuleString = z.string().superRefine((value, ctx) => {
    const rule = parseHttpRule(value);
    if (!rule.ok) ctx.addIssue({ code: "custom", message: rule.reason, params: { hint: rule.hint } });
  });
  const httpRuleObject = z
    .strictObject({
      method: z.union([z.string(), z.array(z.string())], "expected a method or a list of methods").optional(),
      path: z.string("expected a path pattern"),
    })
    .superRefine((value, ctx) => {
      const rule = parseHttpRule(value);
      if (!rule.ok) ctx.addIssue({ code: "custom", message: rule.reason, params: { hint: rule.hint } });
    });
  const HTTP_RULE = 'expected "METHOD /path" ("GET /repos/**", "GET|HEAD /x/*", "/x") or a mapping {method, path}';
  const httpRules = z.array(z.union([httpRuleString, httpRuleObject], HTTP_RULE), "expected a list of rules");
  const credential = z
    .strictObject({
      env: z.string("expected a variable name").optional(),
      file: z.string("expected a path").optional(),
      placeholderEnv: z.string("expected a variable name").optional(),
      header: z.string("expected a header name").optional(),
      prefix: z.string("expected a string").optional(),
      basic: z.string("expected a username").optional(),
      query: z.string("expected a query parameter name").optional(),
      allowPlainHttp: z.boolean("expected true or false").optional(),
    }, "expected a mapping {env | file, header | basic | query}")
    .superRefine((value, ctx) => {
      const check = checkCredential(value);
      if (!check.ok) ctx.addIssue({ code: "custom", message: check.reason, path: check.field === "" ? [] : [check.field], params: { hint: check.hint } });
    });

  const allowObject = z.strictObject({
    host: hostPattern,
    ports: portList.min(1, "expected at least one port (omit ports for 80 and 443)").optional(),
    allowedIps: z.array(cidr, "expected a list of CIDRs").optional(),
    http: z.strictObject({ allow: httpRules.optional(), deny: httpRules.optional() }, "expected a mapping {allow, deny}").optional(),
    credentials: z.array(credential, "expected a list of credentials").optional(),
  }).superRefine((value, ctx) => {
    if ((value.http !== undefined || value.credentials !== undefined) && parseCidr(value.host).ok && value.host.includes("/")) {
      ctx.addIssue({ code: "custom", message: "http rules and credentials need a host name or address, not a CIDR", path: ["host"] });
    }
  });
  const denyObject = z.strictObject({
    host: hostPattern,
    ports: portList.min(1, "expected at least one port (omit ports to deny every port)").optional(),
  });

  const ENTRY = 'expected a host string ("host", "host:port", "*.example.com:443", "[::1]:8080", "10.0.0.0/8") or a mapping {host, ports}';
  const allowEntry = z.union([hostEntryString, allowObject], ENTRY);
  const denyEntry = z.union([hostEntryString, denyObject], ENTRY);

  const protectedEntry = z.string("expected a path string").superRefine((value, ctx) => {
    const check = checkProtectedEntry(value);
    if (!check.ok) ctx.addIssue({ code: "custom", message: check.reason, params: { hint: check.hint } });
  });

  const secretEntry = z.string("expected a path string").superRefine((value, ctx) => {
    const check = checkSecretEntry(value);
    if (!check.ok) ctx.addIssue({ code: "custom", message: check.reason, params: { hint: check.hint } });
  });

  const presetName = z.string("expected a preset name").superRefine((value, ctx) => {
    if (!isPresetName(value)) ctx.addIssue({ code: "custom", message: unknownPresetMessage(value) });
  });

  const limitValue = (key: keyof PolicyLimits) =>
    z
      .union([z.int(), z.string()], key === "processes" ? "expected a positive whole number" : `expected ${SIZE_HINT}`)
      .superRefine((value, ctx) => {
        const check = checkLimit(key, value);
        if (!check.ok) ctx.addIssue({ code: "custom", message: check.reason });
      })
      .optional();

  return z
    .strictObject({
      version: z.literal(1, "expected version: 1"),
      compat: z.enum(COMPAT_LEVELS as [string, ...string[]], `expected one of ${COMPAT_LEVELS.join(", ")}`).default("best-effort"),
      extends: z.array(presetName, "expected a list of preset names").optional(),
      filesystem: z
        .strictObject({
          includeWorkdir: z.boolean("expected true or false").default(true),
          readOnly: pathList(false),
          readWrite: pathList(true),
          exec: pathList(false),
          // No default: an absent key stays absent in the parsed policy.
          protected: z.array(protectedEntry, "expected a list of paths or names").optional(),
          secrets: z.array(secretEntry, "expected a list of paths").optional(),
          terminals: z.enum(["own", "all"], "expected one of own, all").optional(),
        }, "expected a mapping")
        .prefault({}),
      network: z
        .strictObject({
          mode: z.enum(NETWORK_MODES as [string, ...string[]], `expected one of ${NETWORK_MODES.join(", ")}`).default("platform"),
          proxyPort: z.int("expected an integer 0-65535 (0 = pick a free port)").min(0, "expected an integer 0-65535 (0 = pick a free port)").max(65535, "expected an integer 0-65535 (0 = pick a free port)").default(DEFAULT_PROXY_PORT),
          allow: z.array(allowEntry, "expected a list of hosts").default([]),
          deny: z.array(denyEntry, "expected a list of hosts").default([]),
          localhostPorts: portList.default([]),
          bindPorts: portList.default([]),
          isolation: z.enum(ISOLATION_LEVELS as [string, ...string[]], `expected one of ${ISOLATION_LEVELS.join(", ")}`).optional(),
          allowUnixSockets: z.boolean("expected true or false").optional(),
        }, "expected a mapping")
        .prefault({}),
      scopes: z
        .strictObject({
          abstractUnix: z.boolean("expected true or false").default(true),
          signals: z.boolean("expected true or false").default(true),
        }, "expected a mapping")
        .prefault({}),
      limits: z
        .strictObject({
          processes: limitValue("processes"),
          memory: limitValue("memory"),
          tmpdirSize: limitValue("tmpdirSize"),
        }, "expected a mapping")
        .optional(),
    }, "expected a mapping at the top level");
}

let cached: ReturnType<typeof build> | undefined;
export function policyFileSchema(): ReturnType<typeof build> {
  return (cached ??= build(loadZod()));
}

export type PolicyFileInput = Z.input<ReturnType<typeof build>>;

const loadZod = lazyRequire<{ z: typeof Z }, typeof Z>("zod", (m) => m.z);

/** The valid keys of each object, for "did you mean" suggestions, keyed by the path without indexes. */
export const KNOWN_KEYS: Record<string, readonly string[]> = {
  // schema.test.ts checks these lists against the schema's own keys.
  "": ["version", "compat", "extends", "filesystem", "network", "scopes", "limits"],
  filesystem: ["includeWorkdir", "readOnly", "readWrite", "exec", "protected", "secrets", "terminals"],
  network: ["mode", "proxyPort", "allow", "deny", "localhostPorts", "bindPorts", "isolation", "allowUnixSockets"],
  "network.allow[]": ["host", "ports", "allowedIps", "http", "credentials"],
  "network.allow[].http": ["allow", "deny"],
  "network.allow[].http.allow[]": ["method", "path"],
  "network.allow[].http.deny[]": ["method", "path"],
  "network.allow[].credentials[]": ["env", "file", "placeholderEnv", "header", "prefix", "basic", "query", "allowPlainHttp"],
  "network.deny[]": ["host", "ports"],
  scopes: ["abstractUnix", "signals"],
  limits: ["processes", "memory", "tmpdirSize"],
};

/** JSON Schema (draft 2020-12) of the policy file, for editors and validation outside cordon. */
export function policySchema(): Record<string, unknown> {
  const schema = loadZod().toJSONSchema(policyFileSchema(), { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return { ...schema, title: "cordon policy (version 1)" };
}
