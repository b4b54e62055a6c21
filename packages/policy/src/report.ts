import type { SeccompSpecData } from "./seccomp/spec.js";
/** What the enforcement report says about one protection. */
export interface ReportItem {
  /**
   * A stable id for the protection ("process.pid-namespace", "fs.secrets"), dotted by layer. Display
   * text may change; ids may not. (Being filled in for every item: new items always carry one.)
   */
  id?: string;
  protection: string;
  requested: string;
  enforcedBy: "kernel" | "proxy" | "cluster" | "nothing";
  mechanism?: string;
  level: "full" | "partial" | "none";
  why: string;
  hint?: string;
  /**
   * "requested": part of what the policy asks for; decides the status and compat.
   * "limitation": a gap the kernel leaves (or the policy opts out of); shown so the report
   * never claims more than is enforced, but it does not change the status.
   */
  kind: "requested" | "limitation";
  /**
   * The id of the requested protection this limitation leaves incomplete (the address-blind port
   * rules leave "net.host-allowlist" open to any host on the proxy port). While such an item is not
   * at level "full", the status is "partially" and compat hard refuses.
   */
  weakens?: string;
}

export interface EnforcementReport {
  status: "fully" | "partially" | "not";
  landlockAbi: { kernel: number; used: number };
  items: ReportItem[];
  /** One line each, printed by the CLI before a run. */
  warnings: string[];
}

export interface PlannedPath {
  path: string;
  access: number;
  source: "readOnly" | "readWrite" | "exec" | "workdir" | "tmpdir" | "default";
  /**
   * An entry of a directory granted entry by entry (secrets.ts): as listed at probe time. The
   * sandbox skips it if it is now a symlink (a rule follows links: it would grant the target) or gone.
   */
  entry?: true;
}

export interface PlannedPort {
  port: number;
  access: number;
  why: string;
}

export interface LandlockPlan {
  abi: number;
  handledFs: number;
  handledNet: number;
  scoped: number;
  restrictFlags: number;
  paths: PlannedPath[];
  ports: PlannedPort[];
}

/** What the launcher sets up in namespaces before restricting itself. */
export interface IsolationPlan {
  /** "namespace": a network namespace with only loopback (and, in platform mode, the proxy relay). */
  network: "namespace" | "landlock";
  /** Why this network isolation was chosen (auto, policy, unavailable, conflicts). */
  why: string;
  /** Existing paths to bind read-only in a mount namespace (empty: no mount namespace). */
  protect: string[];
  /**
   * Their ancestors inside writable directories, bound onto themselves (still writable) so they
   * cannot be renamed aside and replaced (`mv .git .git2; mkdir -p .git/hooks`).
   */
  pin: string[];
  /**
   * How the command's process tree is contained. "namespace": PID, IPC and mount namespaces (the
   * launcher's init reaps every process and its exit kills the namespace; a fresh /proc, a private
   * /dev/shm and devpts; every mount read-only except `writable`). "supervisor": a child-subreaper
   * supervisor SIGKILLs every descendant when the command ends or cordon dies.
   */
  process: "namespace" | "supervisor";
  /** Under process "namespace": the existing paths that stay writable (everything else is read-only). */
  writable: string[];
  /** Paths made unreadable under process "namespace" (covered by something empty and read-only). */
  mask: string[];
  /**
   * Each command in a cgroup v2 of its own, which cordon kills (cgroup.kill) when the command's
   * supervisor has exited: a backstop for the "supervisor" mode.
   */
  cgroup?: boolean;
  /** The private TMPDIR as a private tmpfs (process "namespace"): its path and size in bytes (0: kernel default). */
  tmpdirTmpfs?: { path: string; size: number };
}

export interface EnforcementPlan {
  landlock: null | LandlockPlan;
  /** Absent when the namespace facts were not probed (nothing beyond Landlock and seccomp). */
  isolation?: IsolationPlan;
  /**
   * Files absent at start that the sandbox removes (never following a link) after each command if
   * they appeared: git redirect files (protected.ts sweepCandidates). Absent: none.
   */
  removeIfCreated?: string[];
  /** The seccomp filter to compile and install (null: none this run; absent: seccomp was not probed). */
  seccomp?: SeccompSpecData | null;
  network: { mode: import("./model.js").NetworkMode; proxyPort: number };
  /**
   * How to start the launcher (launch-plan.ts), complete when negotiation had the runtime facts
   * (`KernelFacts.runtime`): the sandbox's launch options are this, the command, its fds and env.
   */
  launch: import("./launch-plan.js").LaunchPlan;
}

export interface KernelFacts {
  landlock: { abi: number; errata: number; reason?: string };
  /** Whether seccomp filters can be installed; undefined = not probed (no seccomp layer is planned or reported). */
  seccomp?: boolean;
  /** `process.arch`, for the seccomp syscall tables. */
  arch?: string;
  /**
   * The user states that a network fence outside cordon is in place: "networkpolicy", a cluster
   * NetworkPolicy (tier 3) that only lets the pod reach the outside through cordon's proxy. It comes
   * from the user (--network-fence, CORDON_NETWORK_FENCE, the per-user configuration), never from a
   * policy file: a hostile repository could ship one.
   */
  networkFence?: "networkpolicy";
  /**
   * Whether the launcher can create user, network and mount namespaces here (root, or unprivileged
   * user namespaces allowed). Undefined = not probed: no namespace is planned or reported.
   */
  namespaces?: { available: boolean; how?: string; reason?: string };
  /**
   * protectedCandidates(policy) as the CLI found them: each candidate pattern → the existing paths
   * it matches (globs expanded; [] when nothing exists). Undefined = not probed.
   */
  protectedPaths?: Record<string, string[]>;
  /**
   * The cgroup v2 controllers a sub-cgroup of this process could use (empty when none, with the
   * reason). Undefined = not probed: limits that need them are reported as not enforced.
   */
  cgroup?: { controllers: string[]; reason?: string; killable?: boolean };
  /**
   * secretCandidates(policy) as the sandbox found them: each pattern → its existing matches (lstat,
   * globs expanded). Undefined = not probed (no secret is left out or masked).
   */
  secretPaths?: Record<string, string[]>;
  /** directoriesToList(policy, secrets): each directory's entries (lstat kinds). */
  listings?: Record<string, import("./secrets.js").ListedEntry[]>;
  /** Whether the launcher can mask paths in a mount namespace (`--mask`); undefined = assume it can. */
  maskable?: boolean;
  /** The terminal device nodes cordon's own fds 0-2 are open on (e.g. /dev/pts/3). */
  terminals?: string[];
  /** The uid cordon runs as (root changes what Landlock leaves open). */
  uid?: number;
  /**
   * The resources resourcesFor() asked for, once running: the proxy's bound port (which then
   * replaces network.proxyPort) and the relay sockets. Undefined: planning only (explain, doctor).
   */
  runtime?: import("./launch-plan.js").RuntimeFacts;
  /**
   * The caller reads the kernel's audit records of this run's denials (`cordon run` as root): from
   * ABI 7 the plan asks Landlock to log them (restrict flag LOG_NEW_EXEC_ON).
   */
  logDenials?: boolean;
  /** Every path of policyPaths(policy), stat'ed by the CLI. */
  paths: Record<string, "directory" | "file" | "missing">;
}

/**
 * Why negotiation refuses to run. `code` is stable (tests and programs match it); `message` is for
 * people and may change; `id` names the protection at stake, when one is.
 */
export interface DecisionError {
  code: DecisionCode;
  message: string;
  id?: string;
}

export type DecisionCode =
  /** compat hard, and Landlock is unavailable. */
  | "landlock-unavailable"
  /** compat hard, and a kernel feature the policy asks for is missing (`id`: the feature). */
  | "feature-missing"
  /** compat hard, and a policy path does not exist. */
  | "path-missing"
  /** compat hard, and a requested protection is not (fully) enforced (`id`: the protection). */
  | "not-enforced"
  /** The policy demands something this machine cannot give, whatever the compat level (network.isolation namespace). */
  | "unsatisfiable"
  /** A runtime fact negotiation needs is missing (the proxy's bound port). */
  | "missing-fact";

export type Decision = { run: true } | { run: false; errors: DecisionError[] };

export interface Negotiation {
  plan: EnforcementPlan;
  report: EnforcementReport;
  decision: Decision;
}
