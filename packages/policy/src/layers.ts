// Policy layers: the built-in default, the user's own file, a project's file and an explicit
// --policy file are merged in that order. Pure: the sandbox package reads the files.
import { posix } from "node:path";
import type { Policy } from "./model.js";

/** One policy file as a layer: its parsed policy and which keys the file actually sets. */
export interface PolicyLayer {
  policy: Policy;
  /**
   * Keys the file sets, dotted to the second level ("compat", "network.allow"). The parser fills
   * defaults for absent keys; only present keys override the layer below.
   */
  keys: readonly string[];
  /** Where it came from, for messages. */
  file?: string;
}

/** Where a layer's "~" and "./" point: the home directory and the working directory. */
export interface LayerFacts {
  cwd: string;
  home: string;
  /** The project directory the run makes writable (default: cwd). */
  project?: string;
}

const SECTIONS = ["filesystem", "network", "scopes"] as const;

/** The keys a parsed document sets, as PolicyLayer.keys wants them. */
export function presentKeys(data: unknown): string[] {
  if (data === null || typeof data !== "object" || Array.isArray(data)) return [];
  const keys: string[] = [];
  for (const [key, value] of Object.entries(data)) {
    if ((SECTIONS as readonly string[]).includes(key) && value !== null && typeof value === "object" && !Array.isArray(value)) {
      for (const sub of Object.keys(value)) keys.push(`${key}.${sub}`);
    } else keys.push(key);
  }
  return keys;
}

/**
 * Relative paths in a file found away from the working directory mean paths beside that file:
 * "./build" in /repo/cordon.yaml is /repo/build even when cordon runs in /repo/packages/a.
 */
export function anchorPaths(policy: Policy, dir: string): Policy {
  const anchor = (p: string) => (p === "." || p.startsWith("./") ? posix.join(dir, p) : p);
  const fs = policy.filesystem;
  return {
    ...policy,
    filesystem: { ...fs, readOnly: fs.readOnly.map(anchor), readWrite: fs.readWrite.map(anchor), exec: fs.exec.map(anchor) },
  };
}

/** `over` on top of `base`: lists are unioned, scalars the file sets replace the base's. */
export function layerPolicy(base: Policy, over: PolicyLayer): Policy {
  const has = (key: string) => over.keys.includes(key);
  const o = over.policy;
  const union = <T>(a: readonly T[] | undefined, b: readonly T[] | undefined): T[] => {
    const seen = new Map<string, T>();
    for (const x of [...(a ?? []), ...(b ?? [])]) if (!seen.has(JSON.stringify(x))) seen.set(JSON.stringify(x), x);
    return [...seen.values()];
  };
  const out: Policy = {
    version: 1,
    compat: has("compat") ? o.compat : base.compat,
    filesystem: {
      includeWorkdir: has("filesystem.includeWorkdir") ? o.filesystem.includeWorkdir : base.filesystem.includeWorkdir,
      readOnly: union(base.filesystem.readOnly, o.filesystem.readOnly),
      readWrite: union(base.filesystem.readWrite, o.filesystem.readWrite),
      exec: union(base.filesystem.exec, o.filesystem.exec),
    },
    network: {
      mode: has("network.mode") ? o.network.mode : base.network.mode,
      proxyPort: has("network.proxyPort") ? o.network.proxyPort : base.network.proxyPort,
      allow: union(base.network.allow, o.network.allow),
      deny: union(base.network.deny, o.network.deny),
      localhostPorts: union(base.network.localhostPorts, o.network.localhostPorts),
      bindPorts: union(base.network.bindPorts, o.network.bindPorts),
    },
    scopes: {
      abstractUnix: has("scopes.abstractUnix") ? o.scopes.abstractUnix : base.scopes.abstractUnix,
      signals: has("scopes.signals") ? o.scopes.signals : base.scopes.signals,
    },
  };
  const ext = union(base.extends, o.extends);
  if (ext.length > 0) out.extends = ext;
  const prot = union(base.filesystem.protected, o.filesystem.protected);
  if (prot.length > 0) out.filesystem.protected = prot;
  const isolation = has("network.isolation") ? o.network.isolation : base.network.isolation;
  if (isolation !== undefined) out.network.isolation = isolation;
  const unix = has("network.allowUnixSockets") ? o.network.allowUnixSockets : base.network.allowUnixSockets;
  if (unix !== undefined) out.network.allowUnixSockets = unix;
  // Keys added to the format later: kept from the base, replaced where the file sets them.
  const outRecord = out as unknown as Record<string, Record<string, unknown>>;
  const copy = (from: Policy, key: string) => {
    const [section, sub] = key.split(".") as [string, string | undefined];
    const src = from as unknown as Record<string, Record<string, unknown>>;
    if (sub === undefined) outRecord[section] = src[section] as never;
    else if (src[section]?.[sub] !== undefined) outRecord[section] = { ...outRecord[section], [sub]: src[section]![sub] };
  };
  for (const key of presentKeys(base)) if (!HANDLED.has(key) && !presentKeys(out).includes(key)) copy(base, key);
  for (const key of over.keys) if (!HANDLED.has(key)) copy(o, key);
  return out;
}

const HANDLED = new Set([
  "version", "compat", "extends", "filesystem.includeWorkdir", "filesystem.readOnly", "filesystem.readWrite", "filesystem.exec",
  "filesystem.protected", "network.mode", "network.proxyPort", "network.allow", "network.deny", "network.localhostPorts",
  "network.bindPorts", "network.isolation", "network.allowUnixSockets", "scopes.abstractUnix", "scopes.signals",
]);
