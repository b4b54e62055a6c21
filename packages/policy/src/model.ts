/**
 * The policy model. These names are a contract: the proxy and the CLI import them.
 */

export type NetworkMode = "platform" | "proxy" | "none" | "unrestricted";
export type Compat = "best-effort" | "soft" | "hard";

export const NETWORK_MODES: readonly NetworkMode[] = ["platform", "proxy", "none", "unrestricted"];
export const COMPAT_LEVELS: readonly Compat[] = ["best-effort", "soft", "hard"];

/** A host pattern or IP literal/CIDR; `ports` omitted = [80, 443] for allow entries, every port for deny entries. */
export interface HostRule {
  host: string;
  ports?: number[];
  allowedIps?: string[];
}

export interface FilesystemPolicy {
  includeWorkdir: boolean;
  readOnly: string[];
  readWrite: string[];
  /** read + execute */
  exec: string[];
}

export interface Policy {
  version: 1;
  compat: Compat;
  extends?: string[];
  filesystem: FilesystemPolicy;
  network: {
    mode: NetworkMode;
    /** 0 = pick a free port (the CLI writes the bound port back before negotiating). */
    proxyPort: number;
    allow: HostRule[];
    deny: HostRule[];
    localhostPorts: number[];
    bindPorts: number[];
  };
  /** true = isolate (deny outside the sandbox). */
  scopes: { abstractUnix: boolean; signals: boolean };
}

export type NetworkPolicy = Policy["network"];

/** Where a resolved path came from. "default" covers the built-in default policy and presets (optional paths). */
export type PathSource = "readOnly" | "readWrite" | "exec" | "workdir" | "tmpdir" | "default";
export type PathAccess = "readOnly" | "readWrite" | "exec";

export interface ResolvedPath {
  path: string;
  access: PathAccess;
  source: PathSource;
  /** Optional paths (default policy, presets) may be missing without a refusal under `hard`. */
  optional: boolean;
  /** Human-readable origin, e.g. "default", "preset node", "policy", "--rw". */
  origin: string;
}

/** A policy with every path absolute, normalised and deduplicated, defaults and presets merged in. */
export interface ResolvedPolicy extends Policy {
  filesystem: FilesystemPolicy & { paths: ResolvedPath[] };
  facts: { cwd: string; home: string; tmpdir: string };
}

/** The CLI's inline flags (`--allow-host`, `--ro`, ...). */
export interface InlineOptions {
  allowHosts?: string[];
  denyHosts?: string[];
  readOnly?: string[];
  readWrite?: string[];
  exec?: string[];
  network?: NetworkMode;
  proxyPort?: number;
  compat?: Compat;
}
