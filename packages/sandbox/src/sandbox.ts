import { EventEmitter } from "node:events";
import type { ChildProcess } from "node:child_process";
import type { Writable } from "node:stream";
import {
  negotiate,
  policyPaths,
  resourcesFor,
  type RuntimeFacts,
  type DecisionError,
  type EnforcementPlan,
  type EnforcementReport,
  type KernelFacts,
  type ResolvedPolicy,
} from "@cordon/policy";
import type { CordonProxy, DecisionEvent } from "@cordon/proxy";
import { closeSync } from "node:fs";
import { compileSeccomp, KILL_TREE_SIGNAL, seccompProgramFd } from "@cordon/landlock-native";
import { buildRuleset } from "./build-ruleset.js";
import { childEnv } from "./child-env.js";
import { DecisionLog, type DecisionSummary } from "./decision-log.js";
import { EXIT_LAUNCH_FAILED, EXIT_TIMEOUT, exitStatus } from "./exit-status.js";
import { probeKernel } from "./kernel-facts.js";
import { removeCreated } from "./remove-created.js";
import { createRelaySocket, probeNamespaces, type RelaySocket } from "./isolation.js";
import { launch, launchSync, type LaunchFailure, type LaunchOptions, type StdioEntry } from "./launch.js";
import { loadPolicy, projectOf, type PolicySource } from "./load-policy.js";
import { nodePreload } from "./node-preload.js";
import type { ProjectRoot } from "./project-root.js";
import { withoutSecrets } from "./secret-env.js";
import { createPrivateTmpdir, removePrivateTmpdir } from "./private-tmpdir.js";
import { createRunCgroup, type RunCgroup } from "./run-cgroup.js";
import { startSandboxProxy } from "./start-proxy.js";
import { prepareInspection, writeCaFiles } from "./inspection.js";
import { startLocalPortRelays, type LocalPortRelays } from "./local-ports.js";

type KernelFds = Pick<LaunchOptions, "rulesetFd" | "seccompFd">;

export interface SandboxOptions extends PolicySource {
  /** Working directory of the commands (and the workdir of the policy). Default: process.cwd(). */
  cwd?: string;
  /** Base environment of the commands. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Where the proxy runs. "worker" (default) survives a blocked caller event loop. */
  proxyThread?: "worker" | "main";
  /** Audit log: every proxy decision as a JSON line. */
  auditLog?: string | Writable;
  /**
   * Ask the kernel to log this sandbox's Landlock denials as audit records (Landlock ABI 7+), for a
   * caller that reads them (the kernel log is root's). Default false.
   */
  logDenials?: boolean;
  /** Names the proxy resolves without DNS, like /etc/hosts (name → addresses). */
  hosts?: Record<string, string[]>;
  /**
   * A parent HTTP proxy (`http://[user:password@]host:port`) the sandbox's proxy connects through:
   * a corporate egress proxy. Inside another cordon sandbox, the outer proxy is used by default.
   */
  upstreamProxy?: string;
  /**
   * The caller states that a network fence outside cordon is in place: "networkpolicy", a cluster
   * NetworkPolicy (tier 3) that allows the pod no egress but through cordon's proxy. It closes what
   * Landlock-only isolation leaves open (port rules reach any host on the proxy port): without it
   * that mode reports "partially" and compat hard refuses. Take it from the user (a flag, an
   * environment variable, the per-user configuration), never from a policy file in the project.
   */
  networkFence?: NetworkFence;
  /**
   * Inspected hosts: PEM certificates the proxy trusts for their upstream servers besides the
   * system store (a private CA). Blind tunnels are never affected: their TLS is the command's.
   */
  upstreamCa?: string[];
  /**
   * Inherited variables that look like secrets (AWS_*, *_TOKEN, *_API_KEY, ...: isSecretEnvName)
   * are not passed unless named here ("*": all). Per-command SpawnOptions.env is always passed.
   */
  passEnv?: string[];
}

export type NetworkFence = NonNullable<KernelFacts["networkFence"]>;

/** The policy cannot be enforced as required (compat "hard"), or the sandbox could not be set up. */
export class SandboxRefusedError extends Error {
  /** Each reason with its stable code (negotiation's; "setup" for the sandbox's own, e.g. an unreadable credential). */
  readonly errors: readonly (DecisionError | { code: "setup"; message: string })[];
  /** The messages alone. */
  readonly reasons: readonly string[];

  constructor(errors: readonly (DecisionError | string)[], readonly report?: EnforcementReport) {
    const normalized = errors.map((e) => (typeof e === "string" ? { code: "setup" as const, message: e } : e));
    super(`refusing to run: ${normalized.map((e) => e.message).join("; ")}`);
    this.name = "SandboxRefusedError";
    this.errors = normalized;
    this.reasons = normalized.map((e) => e.message);
  }
}

export interface SpawnOptions {
  stdio?: "pipe" | "inherit" | "ignore" | [StdioEntry, StdioEntry, StdioEntry];
  /** Extra variables for this command only (the proxy variables always win). */
  env?: NodeJS.ProcessEnv;
  /** Kill after this many milliseconds; the exit status is then 124. */
  timeout?: number;
  signal?: AbortSignal;
  /** Grace period between SIGTERM and SIGKILL on timeout or abort. Default 2000 ms. */
  killGraceMs?: number;
}

export interface ExitInfo {
  /** Shell-style status: the code, 128+N for signal N, 124 timeout, 125 launcher failure. */
  status: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  launchFailure: LaunchFailure | null;
  /** Git redirect files the command created and cordon removed after it exited (plan.removeIfCreated). */
  removed: string[];
}

export interface RunReport extends ExitInfo {
  enforcement: EnforcementReport;
  network: DecisionSummary;
  durationMs: number;
}

export interface SandboxProcess {
  readonly child: ChildProcess;
  readonly pid: number | undefined;
  /** Resolves when the command has exited and its stdio has closed. */
  readonly exited: Promise<ExitInfo>;
  /** Resolves with the final report of this command. */
  readonly report: Promise<RunReport>;
  kill(signal?: NodeJS.Signals): boolean;
}

/**
 * One sandbox: a resolved policy, its negotiated plan for this kernel, a
 * private TMPDIR and (in platform/proxy mode) its own proxy with its own
 * token. No global state: a program may hold any number of them at once.
 */
export class Sandbox extends EventEmitter {
  private readonly log = new DecisionLog();
  private readonly children = new Set<ChildProcess>();
  private closed = false;

  private constructor(
    private current: Negotiated,
    readonly cwd: string,
    readonly tmpdir: string,
    private readonly baseEnv: NodeJS.ProcessEnv,
    private readonly proxy: CordonProxy | null,
    readonly notes: readonly string[],
    private readonly relay: RelaySocket | null,
    private readonly networkFence: NetworkFence | undefined,
    private readonly inspectionEnv: { remove: readonly string[]; set: Readonly<Record<string, string>> } | undefined,
    private readonly inspectedKey: string,
    /** The project directory (writable and executable) and why it is that one. */
    readonly project: ProjectRoot,
    /** Inherited variables not passed because they look like secrets (names only). */
    readonly withheldEnv: readonly string[],
    private readonly locals: LocalPortRelays | null,
  ) {
    super();
    proxy?.on("decision", (e) => {
      this.log.add(e);
      this.emit("decision", e);
    });
  }

  static async create(options: SandboxOptions = {}): Promise<Sandbox> {
    const cwd = options.cwd ?? process.cwd();
    const tmpdir = createPrivateTmpdir();
    let proxy: CordonProxy | null = null;
    let relay: RelaySocket | null = null;
    let locals: LocalPortRelays | null = null;
    try {
      const policy = loadPolicy(options, { cwd, tmpdir });
      const notes: string[] = [];
      const outer = options.upstreamProxy === undefined ? outerCordonProxy(process.env) : undefined;
      const upstream = options.upstreamProxy ?? outer?.url;
      if (outer) notes.push(`inside a cordon sandbox: this proxy listens on ${NESTED_PROXY_HOST}:${outer.port} and connects through the outer sandbox's proxy`);
      let effective = policy;
      const baseEnv = options.env ?? process.env;
      const inspection = prepareInspection(policy, baseEnv);
      if (inspection && inspection.errors.length > 0) throw new SandboxRefusedError(inspection.errors);
      let credentialsBlocked: string | undefined;
      if (inspection?.hosts.some((h) => h.credentials)) {
        // Outside a Landlock domain the command could read cordon's memory and environment.
        if (!negotiateHere(policy, options.networkFence).plan.landlock) {
          credentialsBlocked = "credentials are not injected: the command does not run under a Landlock domain, so it could read them from cordon's memory";
          notes.push(credentialsBlocked);
        }
      }
      // What negotiation will need running: the proxy, its relay socket, the local port relays.
      const resources = resourcesFor(policy, { namespaces: probeNamespaces() });
      if (resources.relaySocket) relay = createRelaySocket(policy);
      if (resources.proxy) {
        const started = await startSandboxProxy({
          network: policy.network,
          thread: options.proxyThread ?? "worker",
          ...(options.auditLog !== undefined ? { auditLog: options.auditLog } : {}),
          ...(options.hosts ? { hosts: options.hosts } : {}),
          ...(upstream ? { upstreamProxy: upstream } : {}),
          // The outer Landlock domain lets the command reach the outer proxy's port only, on any
          // address (port rules are address-blind): listen on that port, on another loopback address.
          ...(outer ? { listenHost: NESTED_PROXY_HOST, portOverride: outer.port } : {}),
          ...(relay ? { unixSocket: relay.path } : {}),
          ...(inspection && {
            inspect: {
              hosts: inspection.hosts,
              ...(options.upstreamCa && { upstreamCa: options.upstreamCa }),
              ...(credentialsBlocked !== undefined && { credentialsBlocked }),
            },
          }),
        });
        proxy = started.proxy;
        if (started.note) notes.push(started.note);
      }
      if (resources.localPortRelays && relay) locals = await startLocalPortRelays(relay.path, policy.network.localhostPorts, policy.network.bindPorts);
      const n = negotiateHere(policy, options.networkFence, runtimeFacts(proxy, relay, locals), options.logDenials);
      // The policy as run: with the port the proxy bound.
      if (proxy) effective = { ...policy, network: { ...policy.network, proxyPort: n.plan.network.proxyPort } };
      if (!n.decision.run) throw new SandboxRefusedError(n.decision.errors, n.report);
      let inspectionEnv: { remove: string[]; set: Record<string, string> } | undefined;
      if (inspection && proxy?.caCertificate) {
        inspectionEnv = { remove: inspection.removeEnv, set: { ...(await writeCaFiles(tmpdir, proxy.caCertificate)), ...inspection.placeholders } };
      }
      // Credentials for inspection come from the caller's whole environment (above); the command's
      // environment leaves out what looks like a secret.
      const { env, withheld } = withoutSecrets(baseEnv, options.passEnv);
      return new Sandbox(negotiated(effective, n), cwd, tmpdir, env, proxy, notes, relay, options.networkFence, inspectionEnv, inspectedKey(policy), projectOf(options, cwd), withheld, locals);
    } catch (e) {
      await locals?.close().catch(() => {});
      await proxy?.close().catch(() => {});
      relay?.remove();
      removePrivateTmpdir(tmpdir);
      throw e;
    }
  }

  get policy(): ResolvedPolicy {
    return this.current.policy;
  }
  get plan(): EnforcementPlan {
    return this.current.plan;
  }
  get report(): EnforcementReport {
    return this.current.report;
  }
  /** The proxy URL given to commands (with this sandbox's token), if any. */
  get proxyUrl(): string | undefined {
    return this.proxy?.url();
  }

  /** Proxy decisions so far, grouped for a summary. */
  networkSummary(): DecisionSummary {
    return this.log.summary();
  }

  spawn(command: string, args: readonly string[] = [], options: SpawnOptions = {}): SandboxProcess {
    if (this.closed) throw new Error("sandbox is closed");
    const started = Date.now();
    const cgroup = this.runCgroup();
    let launched: ReturnType<typeof launch>;
    try {
      launched = this.withKernelFds((fds) => launch(this.launchOptions(command, args, options, normaliseStdio(options.stdio), fds, cgroup)));
    } catch (e) {
      cgroup?.remove();
      throw e;
    }
    const { child, execResult } = launched;
    this.children.add(child);
    // The supervisor is gone: whatever of the command is left in its cgroup dies now (its stdio then closes).
    child.once("exit", () => cgroup?.kill());

    let timedOut = false;
    let aborted = false;
    const grace = options.killGraceMs ?? 2000;
    const terminate = () => {
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill(KILL_TREE_SIGNAL), grace);
      t.unref();
      child.once("exit", () => clearTimeout(t));
    };
    const timer =
      options.timeout !== undefined
        ? setTimeout(() => {
            timedOut = true;
            terminate();
          }, options.timeout)
        : undefined;
    const onAbort = () => {
      aborted = true;
      terminate();
    };
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener("abort", onAbort, { once: true });

    const exited = new Promise<ExitInfo>((resolve) => {
      child.once("error", () => {
        /* reported through close with code null */
      });
      child.once("close", async (code, killedBy) => {
        // The kill-tree signal kills the launcher by its default action only before it could start
        // anything (it is blocked from then on): to the caller that is the SIGKILL it asked for.
        const signal = killedBy === KILL_TREE_SIGNAL ? "SIGKILL" : killedBy;
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        this.children.delete(child);
        cgroup?.remove();
        const launchFailure = await execResult;
        let status = exitStatus(code, signal);
        if (timedOut) status = EXIT_TIMEOUT;
        else if (launchFailure && launchFailure.stage !== "exec" && code === EXIT_LAUNCH_FAILED) status = EXIT_LAUNCH_FAILED;
        resolve({ status, code, signal, timedOut, aborted, launchFailure, removed: removeCreated(this.current.plan.removeIfCreated) });
      });
    });
    const report = exited.then((x) => ({
      ...x,
      enforcement: this.current.report,
      network: this.log.summary(),
      durationMs: Date.now() - started,
    }));
    return {
      child,
      get pid() {
        return child.pid;
      },
      exited,
      report,
      // SIGKILL of the supervisor alone would orphan what the command started: it kills the tree instead.
      kill: (signal) => child.kill(signal === "SIGKILL" ? KILL_TREE_SIGNAL : signal),
    };
  }

  /**
   * Runs a command synchronously (stdout/stderr captured unless stdio says
   * otherwise). The proxy keeps serving while this blocks the event loop,
   * provided it runs in a worker (the default).
   */
  spawnSync(command: string, args: readonly string[] = [], options: Omit<SpawnOptions, "signal"> & { input?: string | Buffer } = {}) {
    if (this.closed) throw new Error("sandbox is closed");
    const cgroup = this.runCgroup();
    return this.withKernelFds((fds) => {
      const stdio = normaliseStdio(options.stdio ?? ["pipe", "pipe", "pipe"]);
      let r: ReturnType<typeof launchSync>;
      try {
        r = launchSync(this.launchOptions(command, args, options, stdio, fds, cgroup), {
          ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
          ...(options.input !== undefined ? { input: options.input } : {}),
        });
      } finally {
        cgroup?.remove();
      }
      const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === "ETIMEDOUT";
      return {
        status: timedOut ? EXIT_TIMEOUT : exitStatus(r.status, r.signal),
        signal: r.signal,
        stdout: r.stdout ?? Buffer.alloc(0),
        stderr: r.stderr ?? Buffer.alloc(0),
        timedOut,
        launchFailure: r.launchFailure,
        removed: removeCreated(this.current.plan.removeIfCreated),
      };
    });
  }

  /**
   * Builds this command's ruleset and seccomp fds, runs fn (which spawns), and
   * closes them here: the child holds its own copies.
   */
  private withKernelFds<T>(fn: (fds: KernelFds) => T): T {
    const ruleset = buildRuleset(this.current.plan);
    let seccompFd: number | undefined;
    try {
      if (this.current.seccompProgram) seccompFd = seccompProgramFd(this.current.seccompProgram);
      return fn({ ...(ruleset ? { rulesetFd: ruleset.fd } : {}), ...(seccompFd !== undefined ? { seccompFd } : {}) });
    } finally {
      ruleset?.close();
      if (seccompFd !== undefined) closeSync(seccompFd);
    }
  }

  /** A cgroup of its own for one command, when the plan has the supervisor use one as a backstop. */
  private runCgroup(): RunCgroup | null {
    return this.current.plan.isolation?.cgroup ? createRunCgroup() : null;
  }

  private launchOptions(command: string, args: readonly string[], options: SpawnOptions, stdio: LaunchOptions["stdio"], fds: KernelFds, cgroup: RunCgroup | null): LaunchOptions {
    return {
      ...(cgroup ? { cgroup: cgroup.path } : {}),
      command,
      args,
      cwd: this.cwd,
      env: childEnv({
        base: { ...this.baseEnv, ...options.env },
        mode: this.current.plan.network.mode,
        ...(this.proxy ? { proxyUrl: this.proxy.url() } : {}),
        tmpdir: this.tmpdir,
        ...(this.inspectionEnv && { inspection: this.inspectionEnv }),
        nodePreload: nodePreload(),
        cacheDir: `${this.tmpdir}/cache`,
      }),
      stdio,
      ...fds,
      ...this.current.plan.launch,
    };
  }

  /** Spawns and waits: the final report (stdio inherited unless given). */
  async run(command: string, args: readonly string[] = [], options: SpawnOptions = {}): Promise<RunReport> {
    return this.spawn(command, args, { stdio: "inherit", ...options }).report;
  }

  /**
   * Replaces the network allow/deny lists live: the proxy switches at once,
   * open tunnels stay. Filesystem and kernel rules of running commands cannot
   * change (Landlock domains are fixed); new commands get the new plan.
   */
  async update(source: Omit<SandboxOptions, "cwd" | "env" | "proxyThread" | "auditLog" | "networkFence">): Promise<void> {
    const next = loadPolicy(source, { cwd: this.cwd, tmpdir: this.tmpdir });
    if (next.network.mode !== this.current.policy.network.mode) {
      throw new Error(`update cannot change the network mode (${this.current.policy.network.mode} → ${next.network.mode}); create a new sandbox`);
    }
    if (inspectedKey(next) !== this.inspectedKey) {
      throw new Error("update cannot change http rules or credentials (the proxy's inspection is fixed at creation); create a new sandbox");
    }
    const needs = resourcesFor(next, { namespaces: probeNamespaces() });
    if (needs.relaySocket && !this.relay) {
      throw new Error("update cannot switch to namespace isolation (the proxy has no relay socket); create a new sandbox");
    }
    // Asked for at creation: the only restrict flag a plan carries is the denial log.
    const logDenials = (this.current.plan.landlock?.restrictFlags ?? 0) !== 0;
    const n = negotiateHere(next, this.networkFence, runtimeFacts(this.proxy, this.relay, this.locals), logDenials);
    if (!n.decision.run) throw new SandboxRefusedError(n.decision.errors, n.report);
    const effective = this.proxy ? { ...next, network: { ...next.network, proxyPort: n.plan.network.proxyPort } } : next;
    await this.proxy?.update(effective.network);
    this.current = negotiated(effective, n);
  }

  /** Kills remaining commands, stops the proxy, removes the private TMPDIR. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const waits = [...this.children].map(
      (c) => new Promise<void>((resolve) => {
        if (c.exitCode !== null || c.signalCode !== null) return resolve();
        c.once("close", () => resolve());
        // The supervisor SIGKILLs every process of the command, then exits (SIGKILL would orphan them).
        c.kill(KILL_TREE_SIGNAL);
      }),
    );
    await Promise.all(waits);
    await this.locals?.close().catch(() => {});
    await this.proxy?.close().catch(() => {});
    this.relay?.remove();
    removePrivateTmpdir(this.tmpdir);
  }
}

interface Negotiated {
  policy: ResolvedPolicy;
  plan: EnforcementPlan;
  report: EnforcementReport;
  /** The compiled seccomp filter of the plan, compiled once per plan. */
  seccompProgram: Buffer | null;
}

const NESTED_PROXY_HOST = "127.0.0.2";

/** The inspected entries of a policy, for comparing two policies (no secret in it: names only). */
function inspectedKey(policy: ResolvedPolicy): string {
  return JSON.stringify(policy.network.allow.filter((r) => r.http !== undefined || r.credentials !== undefined));
}

/** Inside another cordon sandbox, its proxy is the only way out: chain to it. */
function outerCordonProxy(env: NodeJS.ProcessEnv): { url: string; port: number } | undefined {
  if (env.CORDON_SANDBOX !== "1") return undefined;
  const url = env.HTTPS_PROXY ?? env.https_proxy ?? env.HTTP_PROXY ?? env.http_proxy;
  if (!url) return undefined;
  try {
    const port = Number(new URL(url).port);
    return port > 0 ? { url, port } : undefined;
  } catch {
    return undefined;
  }
}

function negotiateHere(policy: ResolvedPolicy, networkFence: NetworkFence | undefined, runtime?: RuntimeFacts, logDenials?: boolean) {
  if (networkFence !== undefined && networkFence !== "networkpolicy") {
    throw new TypeError(`networkFence: expected "networkpolicy", got ${JSON.stringify(networkFence)}`);
  }
  return negotiate(policy, { ...probeKernel(policyPaths(policy), policy), ...(networkFence ? { networkFence } : {}), ...(runtime && { runtime }), ...(logDenials && { logDenials }) });
}

/** The running resources, as negotiation takes them (no proxy: nothing to relay to). */
function runtimeFacts(proxy: CordonProxy | null, relay: RelaySocket | null, locals: LocalPortRelays | null): RuntimeFacts | undefined {
  if (!proxy) return undefined;
  return { proxyPort: proxy.address.port, ...(relay && { relaySocket: relay.path }), ...(locals && { localPorts: locals.launcher }) };
}

function negotiated(policy: ResolvedPolicy, n: ReturnType<typeof negotiateHere>): Negotiated {
  return { policy, plan: n.plan, report: n.report, seccompProgram: n.plan.seccomp ? compileSeccomp(n.plan.seccomp) : null };
}

function normaliseStdio(s: SpawnOptions["stdio"]): [StdioEntry, StdioEntry, StdioEntry] {
  if (s === undefined) return ["pipe", "pipe", "pipe"];
  if (typeof s === "string") return [s, s, s];
  return s;
}

export function createSandbox(options?: SandboxOptions): Promise<Sandbox> {
  return Sandbox.create(options);
}

export type { DecisionEvent };
