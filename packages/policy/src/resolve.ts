import { defaultPolicy } from "./defaults.js";
import { PolicyError } from "./errors.js";
import { checkHostRule, formatHostRule, parseHostEntry } from "./host/entry.js";
import { parseCidr } from "./host/pattern.js";
import {
  COMPAT_LEVELS,
  ISOLATION_LEVELS,
  NETWORK_MODES,
  type Compat,
  type Isolation,
  type HostRule,
  type InlineOptions,
  type NetworkMode,
  type PathAccess,
  type PathSource,
  type Policy,
  type PolicyLimits,
  type ResolvedPath,
  type ResolvedPolicy,
} from "./model.js";
import { checkPathSyntax, expandPath, normalizeAbsolute } from "./paths.js";
import { isPresetName, presets, unknownPresetMessage } from "./presets.js";
import { checkProtectedEntry, DEFAULT_PROTECTED } from "./protected.js";
import { checkLimit, LIMIT_KEYS } from "./limits.js";
import { checkSecretEntry } from "./secrets.js";

export interface ResolveInput {
  /** The parsed policy file, if any. */
  base?: Policy;
  /** Extra presets (the CLI's `--preset`), applied after the file's `extends`. */
  presets?: string[];
  /** The CLI's inline flags. */
  inline?: InlineOptions;
}

export interface ResolveFacts {
  cwd: string;
  home: string;
  /** The private TMPDIR the CLI created for this run. */
  tmpdir: string;
  /** The project root the sandbox found (repository or workspace root); default: cwd. */
  project?: string;
  /** cordon's own files the command must read (the Node proxy preload and what it loads). */
  runtime?: string[];
  /** A git worktree's shared repository directory (writable; its hooks and config protected). */
  gitDir?: string;
}

export type ResolveResult = { ok: true; policy: ResolvedPolicy } | { ok: false; errors: PolicyError[] };

const ACCESS_KINDS: readonly PathAccess[] = ["readOnly", "readWrite", "exec"];
/**
 * A HOME that is a shared directory (service accounts and CI images use / or /tmp) is no home
 * baseline: `~` would open the whole filesystem, or every user's and every sandbox's temp files.
 */
const SHARED_HOMES = new Set(["/", "/tmp", "/var/tmp", "/dev/shm", "/run", "/var", "/home"]);
const FLAG_FOR: Record<PathAccess, string> = { readOnly: "--ro", readWrite: "--rw", exec: "--exec" };

/**
 * Merge default ← presets ← file ← inline into one policy with absolute paths.
 * Lists are unioned; scalars take the latest value; deny rules always beat allow rules (matcher).
 */
export function resolvePolicy(input: ResolveInput, facts: ResolveFacts): ResolveResult {
  const errors: PolicyError[] = [];
  for (const key of ["cwd", "home", "tmpdir"] as const) {
    if (typeof facts[key] !== "string" || !facts[key].startsWith("/") || facts[key].includes("\0")) {
      errors.push(new PolicyError(`facts.${key}`, `expected an absolute path, got ${JSON.stringify(facts[key])}`));
    }
  }
  for (const p of [facts.project, ...(facts.runtime ?? [])]) {
    if (p !== undefined && (typeof p !== "string" || !p.startsWith("/"))) errors.push(new PolicyError("facts.project", `expected an absolute path, got ${JSON.stringify(p)}`));
  }
  if (errors.length > 0) return { ok: false, errors };
  const where = { cwd: normalizeAbsolute(facts.cwd), home: normalizeAbsolute(facts.home), tmpdir: normalizeAbsolute(facts.tmpdir) };
  const project = facts.project ? normalizeAbsolute(facts.project) : where.cwd;

  const defaults = defaultPolicy();
  const paths = new PathSet();
  const allow: HostRule[] = [];
  const deny: HostRule[] = [];
  const localhostPorts = new Set<number>();
  const bindPorts = new Set<number>();

  for (const access of ACCESS_KINDS) {
    for (const path of defaults.filesystem[access]) {
      const full = expandPath(path, where);
      if (path === "~" && SHARED_HOMES.has(full)) continue;
      paths.add(full, access, "default", "default", true);
    }
  }

  // Presets: the file's `extends`, then the CLI's.
  const presetNames: { name: string; path: string }[] = [
    ...(input.base?.extends ?? []).map((name, i) => ({ name, path: `extends[${i}]` })),
    ...(input.presets ?? []).map((name) => ({ name, path: "--preset" })),
  ];
  const applied = new Set<string>();
  for (const { name, path } of presetNames) {
    if (!isPresetName(name)) {
      errors.push(new PolicyError(path, unknownPresetMessage(name)));
      continue;
    }
    if (applied.has(name)) continue;
    applied.add(name);
    const preset = presets[name];
    for (const access of ACCESS_KINDS) {
      for (const p of preset.filesystem[access]) paths.add(expandPath(p, where), access, "default", `preset ${name}`, true);
    }
    allow.push(...preset.network.allow.map(copyRule));
  }

  let compat: Compat = defaults.compat;
  let mode: NetworkMode = defaults.network.mode;
  let proxyPort = defaults.network.proxyPort;
  let includeWorkdir = defaults.filesystem.includeWorkdir;
  let scopes = { ...defaults.scopes };
  let isolation: Isolation = "auto";
  let allowUnixSockets = false;
  const limits: PolicyLimits = {};
  const protectedEntries: string[] = [];
  const secretEntries: string[] = [];
  let terminals: "own" | "all" = "own";

  const base = input.base;
  if (base) {
    compat = base.compat;
    mode = base.network.mode;
    proxyPort = base.network.proxyPort;
    includeWorkdir = base.filesystem.includeWorkdir;
    scopes = { ...base.scopes };
    for (const key of LIMIT_KEYS) {
      const value = base.limits?.[key];
      if (value === undefined) continue;
      const check = checkLimit(key, value);
      if (!check.ok) errors.push(new PolicyError(`limits.${key}`, check.reason));
      else limits[key] = check.value;
    }
    if (base.network.allowUnixSockets !== undefined) {
      if (typeof base.network.allowUnixSockets !== "boolean") errors.push(new PolicyError("network.allowUnixSockets", `expected true or false, got ${JSON.stringify(base.network.allowUnixSockets)}`));
      else allowUnixSockets = base.network.allowUnixSockets;
    }
    if (base.network.isolation !== undefined) {
      if (!ISOLATION_LEVELS.includes(base.network.isolation)) {
        errors.push(new PolicyError("network.isolation", `expected one of ${ISOLATION_LEVELS.join(", ")}, got ${JSON.stringify(base.network.isolation)}`));
      } else isolation = base.network.isolation;
    }
    for (const [i, entry] of (base.filesystem.protected ?? []).entries()) {
      const check = typeof entry === "string" ? checkProtectedEntry(entry) : { ok: false as const, reason: "expected a path string" };
      if (!check.ok) errors.push(new PolicyError(`filesystem.protected[${i}]`, check.reason, "hint" in check && check.hint ? { hint: check.hint } : {}));
      else if (!protectedEntries.includes(entry)) protectedEntries.push(entry);
    }
    for (const [i, entry] of (base.filesystem.secrets ?? []).entries()) {
      const check = typeof entry === "string" ? checkSecretEntry(entry) : { ok: false as const, reason: "expected a path string" };
      if (!check.ok) errors.push(new PolicyError(`filesystem.secrets[${i}]`, check.reason, "hint" in check && check.hint ? { hint: check.hint } : {}));
      else if (!secretEntries.includes(entry)) secretEntries.push(entry);
    }
    if (base.filesystem.terminals !== undefined) {
      if (base.filesystem.terminals !== "own" && base.filesystem.terminals !== "all") errors.push(new PolicyError("filesystem.terminals", `expected one of own, all, got ${JSON.stringify(base.filesystem.terminals)}`));
      else terminals = base.filesystem.terminals;
    }
    for (const access of ACCESS_KINDS) {
      for (const [i, p] of base.filesystem[access].entries()) {
        const check = checkPathSyntax(p, access === "readWrite");
        if (!check.ok) errors.push(new PolicyError(`filesystem.${access}[${i}]`, check.reason, check.hint ? { hint: check.hint } : {}));
        else if (p === "~" && (SHARED_HOMES.has(where.home) || defaults.filesystem[access].includes(p))) {
          // The home baseline, also when the default policy itself is the base: optional (a HOME
          // that does not exist, /nonexistent for nobody, is no refusal under hard).
        } else paths.add(expandPath(p, where), access, access, `filesystem.${access}[${i}]`, false);
      }
    }
    for (const list of ["allow", "deny"] as const) {
      for (const [i, rule] of base.network[list].entries()) {
        const check = checkHostRule(rule);
        if (!check.ok) {
          const at = `network.${list}[${i}].${check.field}${check.index === undefined ? "" : `[${check.index}]`}`;
          errors.push(new PolicyError(at, check.reason, check.hint ? { hint: check.hint } : {}));
        } else (list === "allow" ? allow : deny).push(copyRule(rule));
      }
    }
    for (const port of base.network.localhostPorts) localhostPorts.add(port);
    for (const port of base.network.bindPorts) bindPorts.add(port);
  }

  const inline = input.inline ?? {};
  for (const [flag, values, into] of [
    ["--allow-host", inline.allowHosts, allow],
    ["--deny-host", inline.denyHosts, deny],
  ] as const) {
    for (const value of values ?? []) {
      const entry = flag === "--allow-host" ? parseAllowFlag(value) : parseHostEntry(value);
      const local = entry.ok && flag === "--allow-host" ? loopbackHint(entry.rule) : undefined;
      if (local) errors.push(new PolicyError(flag, `${JSON.stringify(value)}: this machine's loopback is never reached through the proxy`, { hint: local }));
      else if (!entry.ok) errors.push(new PolicyError(flag, `${JSON.stringify(value)}: ${entry.reason}`, entry.hint ? { hint: entry.hint } : {}));
      else into.push(entry.rule);
    }
  }
  for (const access of ACCESS_KINDS) {
    const flag = FLAG_FOR[access];
    for (const value of inline[access] ?? []) {
      const check = checkPathSyntax(value, access === "readWrite");
      if (!check.ok) errors.push(new PolicyError(flag, `${JSON.stringify(value)}: ${check.reason}`, check.hint ? { hint: check.hint } : {}));
      else paths.add(expandPath(value, where), access, access, flag, false, flag);
    }
  }
  for (const [flag, values, into] of [["--allow-localhost", inline.localhostPorts, localhostPorts], ["--publish", inline.bindPorts, bindPorts]] as const) {
    for (const port of values ?? []) {
      if (Number.isInteger(port) && port >= 1 && port <= 65535) into.add(port);
      else errors.push(new PolicyError(flag, `expected a port 1-65535, got ${Number.isNaN(port) ? "something that is not a number" : JSON.stringify(port)}`));
    }
  }
  if (inline.network !== undefined) {
    if (!NETWORK_MODES.includes(inline.network)) errors.push(new PolicyError("--network", `expected one of ${NETWORK_MODES.join(", ")}, got ${JSON.stringify(inline.network)}`));
    else mode = inline.network;
  }
  if (inline.proxyPort !== undefined) {
    if (!Number.isInteger(inline.proxyPort) || inline.proxyPort < 0 || inline.proxyPort > 65535) {
      errors.push(new PolicyError("--proxy-port", `expected an integer 0-65535 (0 = pick a free port), got ${Number.isNaN(inline.proxyPort) ? "something that is not a number" : JSON.stringify(inline.proxyPort)}`));
    } else proxyPort = inline.proxyPort;
  }
  if (inline.isolation !== undefined) {
    if (!ISOLATION_LEVELS.includes(inline.isolation)) errors.push(new PolicyError("--isolation", `expected one of ${ISOLATION_LEVELS.join(", ")}, got ${JSON.stringify(inline.isolation)}`));
    else isolation = inline.isolation;
  }
  if (inline.allowUnixSockets !== undefined) allowUnixSockets = inline.allowUnixSockets;
  const flags = { processes: "--max-processes", memory: "--max-memory", tmpdirSize: "--tmpdir-size" } as const;
  for (const key of LIMIT_KEYS) {
    const value = inline.limits?.[key];
    if (value === undefined) continue;
    const check = checkLimit(key, value);
    if (!check.ok) errors.push(new PolicyError(flags[key], check.reason));
    else limits[key] = check.value;
  }
  if (inline.compat !== undefined) {
    if (!COMPAT_LEVELS.includes(inline.compat)) errors.push(new PolicyError("--compat", `expected one of ${COMPAT_LEVELS.join(", ")}, got ${JSON.stringify(inline.compat)}`));
    else compat = inline.compat;
  }

  // Programs that open new terminals (tmux, script, expect) need the pty multiplexer and every pts node.
  if (terminals === "all") for (const dev of ["/dev/pts", "/dev/ptmx"]) paths.add(dev, "readWrite", "default", "filesystem.terminals: all", true);
  // The project (not just the cwd) is writable AND executable, and so is the private TMPDIR: running
  // a program from them adds nothing interpreters and ld.so would not run anyway (protected paths
  // such as .git/hooks stay read-only through the mount namespace).
  for (const access of ["readWrite", "exec"] as const) {
    if (includeWorkdir) paths.add(project, access, "workdir", "workdir", false, "workdir");
    paths.add(where.tmpdir, access, "tmpdir", "tmpdir", false, "tmpdir");
  }
  for (const p of facts.runtime ?? []) paths.add(normalizeAbsolute(p), "readOnly", "default", "cordon runtime", true);
  if (includeWorkdir && facts.gitDir?.startsWith("/")) {
    const gitDir = normalizeAbsolute(facts.gitDir);
    paths.add(gitDir, "readWrite", "default", "git worktree", true);
    // Everything git reads there to decide what to run (hooks, config, commondir, info, the
    // worktrees' and submodules' own files: DEFAULT_PROTECTED's .git/ entries).
    for (const name of DEFAULT_PROTECTED.filter((n) => n.startsWith(".git/")).map((n) => n.slice(5))) {
      if (!protectedEntries.includes(`${gitDir}/${name}`)) protectedEntries.push(`${gitDir}/${name}`);
    }
  }

  // After expansion, refuse writable roots that would expose everything: / and the home directory itself.
  for (const entry of paths.entries()) {
    if (entry.access !== "readWrite") continue;
    if (entry.path !== "/" && entry.path !== where.home) continue;
    const what = entry.path === "/" ? "the root directory" : "your whole home directory";
    const hint = entry.source === "workdir" ? "run from a project directory, or set filesystem.includeWorkdir: false" : undefined;
    errors.push(new PolicyError(paths.fieldOf(entry), `${what} (${entry.path}) cannot be writable`, hint ? { hint } : {}));
  }

  if (errors.length > 0) return { ok: false, errors };

  const resolvedPaths = paths.entries();
  const listOf = (access: PathAccess) => resolvedPaths.filter((p) => p.access === access).map((p) => p.path);
  const policy: ResolvedPolicy = {
    version: 1,
    compat,
    filesystem: {
      includeWorkdir,
      readOnly: listOf("readOnly"),
      readWrite: listOf("readWrite"),
      exec: listOf("exec"),
      paths: resolvedPaths,
      protected: protectedEntries,
      secrets: secretEntries,
      terminals,
    },
    network: {
      mode,
      proxyPort,
      allow: dedupeRules(allow),
      deny: dedupeRules(deny),
      localhostPorts: [...localhostPorts].sort((a, b) => a - b),
      bindPorts: [...bindPorts].sort((a, b) => a - b),
      isolation,
      allowUnixSockets,
    },
    scopes,
    limits,
    facts: project === where.cwd ? where : { ...where, project },
  };
  if (applied.size > 0) policy.extends = [...applied];
  return { ok: true, policy };
}

/** The absolute paths the CLI must stat (directory / file / missing) to build KernelFacts.paths. */
export function policyPaths(policy: ResolvedPolicy | Policy): string[] {
  const fs = policy.filesystem;
  const all = "paths" in fs ? fs.paths.map((p) => p.path) : [...fs.readOnly, ...fs.readWrite, ...fs.exec].filter((p) => p.startsWith("/"));
  return [...new Set(all)];
}

/** Paths keyed by (access, path); an explicit entry replaces an optional (default/preset) one. */
class PathSet {
  private readonly byKey = new Map<string, ResolvedPath & { field: string }>();

  add(path: string, access: PathAccess, source: PathSource, origin: string, optional: boolean, field = origin): void {
    const key = `${access}\0${path}`;
    const existing = this.byKey.get(key);
    if (existing && !(existing.optional && !optional)) return;
    this.byKey.set(key, { path, access, source, origin, optional, field });
  }

  entries(): ResolvedPath[] {
    return [...this.byKey.values()].map(({ field: _field, ...entry }) => entry);
  }

  fieldOf(entry: ResolvedPath): string {
    return this.byKey.get(`${entry.access}\0${entry.path}`)?.field ?? entry.origin;
  }
}

function copyRule(rule: HostRule): HostRule {
  const out: HostRule = { host: rule.host };
  if (rule.ports) out.ports = [...rule.ports];
  if (rule.allowedIps) out.allowedIps = [...rule.allowedIps];
  if (rule.http) out.http = { ...(rule.http.allow && { allow: [...rule.http.allow] }), ...(rule.http.deny && { deny: [...rule.http.deny] }) };
  if (rule.credentials) out.credentials = rule.credentials.map((c) => ({ ...c }));
  return out;
}

function dedupeRules(rules: HostRule[]): HostRule[] {
  const seen = new Map<string, HostRule>();
  for (const rule of rules) {
    const key = `${formatHostRule(rule)} ${JSON.stringify([rule.allowedIps ?? [], rule.http ?? null, rule.credentials ?? null])}`;
    if (!seen.has(key)) seen.set(key, rule);
  }
  return [...seen.values()];
}

/** `--allow-host 127.0.0.1:8000` means a local service: the flag that reaches one. */
function loopbackHint(rule: HostRule): string | undefined {
  if (rule.allowedIps || !/^(localhost|127(\.\d+){3}|::1|\[::1\])$/i.test(rule.host)) return undefined;
  const ports = rule.ports ?? [];
  return ports.length > 0
    ? `to reach a service on this machine: ${ports.map((p) => `--allow-localhost ${p}`).join(" ")}; for a server the command starts: --publish PORT`
    : "to reach a service on this machine: --allow-localhost PORT; for a server the command starts: --publish PORT";
}

/**
 * `--allow-host HOST[:PORTS][=CIDR,...]`: the part after "=" is the rule's
 * allowedIps, for a host that resolves into a private or reserved range (an
 * internal registry, a mirror) that the proxy's SSRF guard would refuse.
 */
function parseAllowFlag(value: string): ReturnType<typeof parseHostEntry> {
  const eq = value.indexOf("=");
  if (eq < 0) return parseHostEntry(value);
  const entry = parseHostEntry(value.slice(0, eq));
  if (!entry.ok) return entry;
  const allowedIps: string[] = [];
  for (const cidr of value.slice(eq + 1).split(",")) {
    const parsed = parseCidr(cidr.trim());
    if (!parsed.ok) return { ok: false, reason: `${parsed.reason} (after "=": the addresses this host may resolve to)` };
    allowedIps.push(cidr.trim());
  }
  return { ok: true, rule: { ...entry.rule, allowedIps } };
}
