/**
 * The policy model. These names are a contract: the proxy and the CLI import them.
 */

export type NetworkMode = "platform" | "proxy" | "none" | "unrestricted";
export type Compat = "best-effort" | "soft" | "hard";
/**
 * How the network fence is built in platform (and none) mode:
 * - namespace: a network namespace with only loopback, the proxy reached through the launcher's relay
 *   (closes the address-blind port rule); refused under compat hard when namespaces are unavailable;
 * - landlock: Landlock port rules only (any host on the proxy port stays reachable);
 * - auto: namespace when available and compatible with the policy, else landlock.
 */
export type Isolation = "auto" | "namespace" | "landlock";

export const NETWORK_MODES: readonly NetworkMode[] = ["platform", "proxy", "none", "unrestricted"];
export const COMPAT_LEVELS: readonly Compat[] = ["best-effort", "soft", "hard"];
export const ISOLATION_LEVELS: readonly Isolation[] = ["auto", "namespace", "landlock"];

/** A host pattern or IP literal/CIDR; `ports` omitted = [80, 443] for allow entries, every port for deny entries. */
export interface HostRule {
  host: string;
  ports?: number[];
  allowedIps?: string[];
  /** Request rules: the proxy terminates TLS for this host (inspection) and checks every request. */
  http?: HttpRules;
  /** Credentials the proxy injects on requests to this host; the command sees placeholders only. */
  credentials?: CredentialRule[];
}

/** `"GET /repos/**"`, `"GET|HEAD /x/*"`, `"/x"` (any method), or `{method, path}`. */
export type HttpRuleEntry = string | { method?: string | string[]; path: string };

/** Absent allow = every request not denied; deny wins. */
export interface HttpRules {
  allow?: HttpRuleEntry[];
  deny?: HttpRuleEntry[];
}

/**
 * A secret the proxy adds to requests for one host. Source: exactly one of `env` (a variable of
 * cordon's own environment, removed from the command's) or `file` (read by cordon, unreadable
 * inside). Slot: exactly one of `header` (+ `prefix`), `basic` (the username; the secret is the
 * password) or `query` (a query parameter).
 */
export interface CredentialRule {
  env?: string;
  file?: string;
  /** The variable the command sees, holding a placeholder. Default: `env`. */
  placeholderEnv?: string;
  header?: string;
  /** Put before the secret in the header, e.g. "Bearer ". */
  prefix?: string;
  basic?: string;
  query?: string;
  /** Inject on plain http:// requests too (default: refused). */
  allowPlainHttp?: boolean;
}

export interface FilesystemPolicy {
  includeWorkdir: boolean;
  readOnly: string[];
  readWrite: string[];
  /** read + execute */
  exec: string[];
  /**
   * Paths kept read-only inside writable directories (with a mount namespace), beside the built-in
   * list. A name ("`.npmrc`", "`.env*`") applies to each writable directory and to HOME; an absolute or
   * `~/` path to itself. Absent = none beyond the built-in list.
   */
  protected?: string[];
  /**
   * Paths never readable, beside the built-in list (`/etc/shadow`, `~/.ssh`, ...): absolute or `~/`,
   * `*` in the last segment. Absent = only the built-in list. A grant that names a secret (or a path
   * inside it) in the policy file or a flag releases that secret; a default or preset grant never does.
   */
  secrets?: string[];
  /**
   * Terminals the command may open by path: "own" (default) = only the terminal cordon was started
   * from (its device node on fds 0-2) and /dev/tty; "all" = every /dev/pts node and /dev/ptmx (for
   * programs that open new terminals: the command can then read and write other terminals of the user).
   */
  terminals?: "own" | "all";
}

/**
 * Resource limits (absent = none). Sizes in bytes (the file also takes "512M", "2G").
 * processes and memory need a cgroup v2 subtree with the pids / memory controllers; tmpdirSize is
 * the size of the private TMPDIR tmpfs (namespace isolation).
 */
export interface PolicyLimits {
  processes?: number;
  memory?: number;
  tmpdirSize?: number;
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
    /** Absent = "auto". */
    isolation?: Isolation;
    /**
     * Absent/false: below Landlock ABI 9 the command cannot create AF_UNIX sockets (seccomp;
     * socketpair still works), so it cannot reach docker.sock or ssh-agent through a path it can
     * name; from ABI 9 on, Landlock confines connect() to sockets under read-write paths instead.
     * true: AF_UNIX sockets are not filtered (below ABI 9 every reachable pathname socket is open).
     */
    allowUnixSockets?: boolean;
  };
  /** true = isolate (deny outside the sandbox). */
  scopes: { abstractUnix: boolean; signals: boolean };
  /** Absent = no limits. */
  limits?: PolicyLimits;
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
  filesystem: FilesystemPolicy & { paths: ResolvedPath[]; protected: string[]; secrets: string[]; terminals: "own" | "all" };
  network: NetworkPolicy & { isolation: Isolation; allowUnixSockets: boolean };
  limits: PolicyLimits;
  /** project: the project root when it is not the cwd (a repository or workspace root above it). */
  facts: { cwd: string; home: string; tmpdir: string; project?: string };
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
  isolation?: Isolation;
  allowUnixSockets?: boolean;
  /** `--allow-localhost PORT`: services on the host's loopback the command may reach. */
  localhostPorts?: number[];
  /** `--publish PORT`: ports the command may listen on, reached from the host's loopback. */
  bindPorts?: number[];
  /** `--max-processes`, `--max-memory`, `--tmpdir-size` (bytes, or strings such as "512M"). */
  limits?: { processes?: number | string; memory?: number | string; tmpdirSize?: number | string };
}
