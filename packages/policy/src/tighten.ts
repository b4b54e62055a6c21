// What an untrusted policy file (one that came with a project) may do: only tighten the policy
// below it. Anything that would grant more is a widening, named by key, and refused until the
// user trusts that exact file. Pure.
import { defaultPolicy } from "./defaults.js";
import { DEFAULT_PORTS } from "./host/entry.js";
import { compileHostPattern, type HostPattern } from "./host/pattern.js";
import type { HostRule, Isolation, NetworkMode, PathAccess, Policy } from "./model.js";
import { checkPathSyntax, expandPath } from "./paths.js";
import { isPresetName, presets } from "./presets.js";
import { DEFAULT_SECRETS } from "./secrets.js";
import type { LayerFacts, PolicyLayer } from "./layers.js";

/** One key of a file that would grant more than the policy below it. */
export interface Widening {
  /** The key, with the list index where there is one: "network.allow[0]". */
  key: string;
  /** What it would do, as a verb phrase: "allow exfil.example.com". */
  why: string;
}

/**
 * "Tighten", key by key (anything else a file sets is a widening):
 * - compat: unchanged, or "hard" (soft may drop the whole Landlock layer, so it is not stricter);
 * - extends: only presets the base already extends;
 * - filesystem.readOnly / exec / readWrite: only paths the base already grants with at least
 *   that access (the same path or one inside it; readWrite needs a writable base path, exec an
 *   executable one; the project directory counts as writable); includeWorkdir: false, or unchanged;
 *   protected: anything (more read-only);
 * - network.mode: at least as strict (none > platform > proxy > unrestricted);
 *   isolation: at least as strict (namespace > auto > landlock); proxyPort: unchanged (it is the
 *   port the kernel lets the command connect to); allow: only hosts and ports the base allows
 *   (with the same request rules if the base rule has some; credentials only as the base has them);
 *   deny: anything; localhostPorts and bindPorts: only ports the base already lists (a new one
 *   opens a port, or turns the network namespace off); allowUnixSockets: false, or unchanged;
 * - scopes.*: true, or unchanged.
 */
export function widenings(base: Policy, over: PolicyLayer, facts: LayerFacts): Widening[] {
  const out: Widening[] = [];
  const o = over.policy;
  const known = new Set<string>();
  const check = (key: string, fn: () => void) => {
    known.add(key);
    if (over.keys.includes(key)) fn();
  };
  const widen = (key: string, why: string) => out.push({ key, why });

  check("version", () => {});
  check("compat", () => {
    if (o.compat !== base.compat && o.compat !== "hard") widen("compat", `set compat ${o.compat}, weaker than ${base.compat}`);
  });
  check("extends", () => {
    for (const [i, name] of (o.extends ?? []).entries()) {
      if (!(base.extends ?? []).includes(name)) widen(`extends[${i}]`, `add preset ${name} (its hosts and paths)`);
    }
  });
  check("filesystem.includeWorkdir", () => {
    if (o.filesystem.includeWorkdir && !base.filesystem.includeWorkdir) widen("filesystem.includeWorkdir", "make the working directory writable");
  });
  const granted = grantedPaths(base, facts);
  const secrets = [...DEFAULT_SECRETS, ...(base.filesystem.secrets ?? [])].filter((p) => checkPathSyntax(p, false).ok).map((p) => expandPath(p, facts));
  // Paths the user's own policy names explicitly: one inside a secret releases that part of it.
  const released = (["readOnly", "exec", "readWrite"] as const).flatMap((a) => base.filesystem[a].filter((p) => checkPathSyntax(p, false).ok).map((p) => expandPath(p, facts)));
  for (const access of ["readOnly", "exec", "readWrite"] as const) {
    check(`filesystem.${access}`, () => {
      for (const [i, p] of o.filesystem[access].entries()) {
        if (!checkPathSyntax(p, access === "readWrite").ok) continue; // resolvePolicy reports it
        const path = expandPath(p, facts);
        // Naming a secret releases it (secrets.ts): only the user's own policy may do that.
        const secret = secrets.find((s) => secretCovers(s, path));
        if (secret !== undefined && !released.some((r) => within(path, r) && secretCovers(secret, r))) {
          widen(`filesystem.${access}[${i}]`, `grant ${WORDS[access]} ${p}, a secret (only your own policy can release it)`);
        } else if (!granted.some((g) => covers(g.access, access) && within(path, g.path))) {
          widen(`filesystem.${access}[${i}]`, `grant ${WORDS[access]} ${p}`);
        }
      }
    });
  }
  check("filesystem.protected", () => {});
  check("network.mode", () => {
    if (MODE_STRICTNESS[o.network.mode] < MODE_STRICTNESS[base.network.mode]) widen("network.mode", `set network mode ${o.network.mode}, looser than ${base.network.mode}`);
  });
  check("network.isolation", () => {
    const b = base.network.isolation ?? "auto";
    const n = o.network.isolation ?? "auto";
    if (ISOLATION_STRICTNESS[n] < ISOLATION_STRICTNESS[b]) widen("network.isolation", `set isolation ${n}, looser than ${b}`);
  });
  check("network.proxyPort", () => {
    if (o.network.proxyPort !== base.network.proxyPort) widen("network.proxyPort", `move the proxy to port ${o.network.proxyPort} (the port the kernel lets the command connect to)`);
  });
  const allowed = [...base.network.allow, ...(base.extends ?? []).filter(isPresetName).flatMap((n) => presets[n].network.allow)];
  check("network.allow", () => {
    for (const [i, rule] of o.network.allow.entries()) {
      if (!allowed.some((b) => ruleCovers(b, rule))) widen(`network.allow[${i}]`, `allow ${describeRule(rule)}`);
    }
  });
  check("network.deny", () => {});
  for (const key of ["localhostPorts", "bindPorts"] as const) {
    check(`network.${key}`, () => {
      for (const [i, port] of o.network[key].entries()) {
        if (!base.network[key].includes(port)) widen(`network.${key}[${i}]`, key === "localhostPorts" ? `open local port ${port}` : `let the command listen on port ${port} (and turn the network namespace off)`);
      }
    });
  }
  check("network.allowUnixSockets", () => {
    if (o.network.allowUnixSockets === true && base.network.allowUnixSockets !== true) widen("network.allowUnixSockets", "let the command connect to UNIX sockets (docker.sock, ssh-agent)");
  });
  for (const scope of ["abstractUnix", "signals"] as const) {
    check(`scopes.${scope}`, () => {
      if (!o.scopes[scope] && base.scopes[scope]) widen(`scopes.${scope}`, `turn off ${scope === "signals" ? "signal" : "abstract UNIX socket"} isolation`);
    });
  }
  // A key this check does not know (a newer format) cannot be shown to tighten: fail closed.
  for (const key of over.keys) if (!known.has(key)) widen(key, "set a key cordon cannot show to only tighten the policy");
  return out;
}

const WORDS: Record<PathAccess, string> = { readOnly: "read access to", exec: "execute access to", readWrite: "write access to" };
const MODE_STRICTNESS: Record<NetworkMode, number> = { unrestricted: 0, proxy: 1, platform: 2, none: 3 };
const ISOLATION_STRICTNESS: Record<Isolation, number> = { landlock: 0, auto: 1, namespace: 2 };

/** Every path the base grants, with its access: defaults, presets, its own lists, the workdir. */
function grantedPaths(base: Policy, facts: LayerFacts): { path: string; access: PathAccess }[] {
  const out: { path: string; access: PathAccess }[] = [];
  const add = (fs: { readOnly: readonly string[]; readWrite: readonly string[]; exec: readonly string[] }) => {
    for (const access of ["readOnly", "exec", "readWrite"] as const) {
      for (const p of fs[access]) if (checkPathSyntax(p, false).ok) out.push({ path: expandPath(p, facts), access });
    }
  };
  add(defaultPolicy().filesystem);
  for (const name of (base.extends ?? []).filter(isPresetName)) add(presets[name].filesystem);
  add(base.filesystem);
  if (base.filesystem.includeWorkdir) {
    // The project directory is writable and executable (both, not one access covering the other).
    const project = facts.project ?? expandPath(".", facts);
    out.push({ path: project, access: "readWrite" }, { path: project, access: "exec" });
  }
  return out;
}

function covers(have: PathAccess, want: PathAccess): boolean {
  if (want === "readOnly") return true; // every access includes reading
  return have === want;
}

function within(path: string, dir: string): boolean {
  return path === dir || dir === "/" || path.startsWith(`${dir}/`);
}

function describeRule(rule: HostRule): string {
  const creds = rule.credentials?.length ? ` with ${rule.credentials.length} credential(s) cordon would read and send` : "";
  return `${rule.host}${rule.ports ? `:${rule.ports.join(",")}` : ""}${rule.allowedIps ? ` (resolving into ${rule.allowedIps.join(", ")})` : ""}${creds}`;
}

/**
 * Whether base rule `b` already allows everything rule `r` allows. Request rules and credentials
 * are compared whole: a rule without `b`'s request rules would lift them, and credentials make
 * cordon read a file or variable with the user's rights and send it out, so only the same rule counts.
 */
export function ruleCovers(b: HostRule, r: HostRule): boolean {
  if (r.credentials?.length && JSON.stringify(b.credentials) !== JSON.stringify(r.credentials)) return false;
  if (b.http !== undefined && JSON.stringify(b.http) !== JSON.stringify(r.http)) return false;
  const bp = compileHostPattern(b.host);
  const rp = compileHostPattern(r.host);
  if (!bp.ok || !rp.ok || !patternCovers(bp.pattern, rp.pattern)) return false;
  const bPorts = b.ports ?? DEFAULT_PORTS;
  if (!(r.ports ?? DEFAULT_PORTS).every((p) => bPorts.includes(p))) return false;
  return (r.allowedIps ?? []).every((ip) => (b.allowedIps ?? []).includes(ip));
}

function patternCovers(b: HostPattern, r: HostPattern): boolean {
  switch (b.type) {
    case "exact":
      return r.type === "exact" && r.name === b.name;
    case "ip":
      return r.type === "ip" && r.address === b.address;
    case "cidr":
      return r.type === "cidr" && r.family === b.family && r.network === b.network && r.prefix === b.prefix;
    case "wildcard": {
      const name = r.type === "exact" ? r.name : r.type === "wildcard" ? r.suffix : undefined;
      if (name === undefined) return false;
      if (r.type === "wildcard" && name === b.suffix) return b.many || !r.many;
      if (!name.endsWith(`.${b.suffix}`)) return false;
      const extra = name.slice(0, -b.suffix.length - 1).split(".").length;
      // r.type wildcard with a longer suffix adds at least one more label below it.
      return b.many || (r.type === "exact" && extra === 1);
    }
  }
}

/** Whether `path` is the secret `pattern` (a `*` allowed in its last segment) or lies inside it. */
function secretCovers(pattern: string, path: string): boolean {
  const cut = pattern.lastIndexOf("/");
  const dir = pattern.slice(0, cut) || "/";
  const name = new RegExp(`^${pattern.slice(cut + 1).split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
  for (let a = path; a !== "/" && a !== ""; a = a.slice(0, a.lastIndexOf("/")) || "/") {
    const at = a.lastIndexOf("/");
    if ((a.slice(0, at) || "/") === dir && name.test(a.slice(at + 1))) return true;
  }
  return false;
}
