// The two ends of a run around negotiation: which resources the sandbox prepares before it
// (resourcesFor), and how the launcher is to be started after it (the plan's `launch`), so that
// the sandbox's launch options are the plan's plus the command, never a guess of its own.
import { FS_FILE_RIGHTS } from "./abi.js";
import type { ResolvedPolicy } from "./model.js";
import type { EnforcementPlan, KernelFacts } from "./report.js";

/** What the sandbox must have running before negotiating. */
export interface Resources {
  /** The egress proxy (modes platform and proxy). */
  proxy: boolean;
  /** The proxy's unix socket, which the launcher's relay in a network namespace reaches. */
  relaySocket: boolean;
  /** One unix socket per local port (network.localhostPorts, bindPorts) for the launcher to relay. */
  localPortRelays: boolean;
}

/**
 * Exactly what negotiation will use: a network namespace in platform mode needs the relay socket
 * (and the local port relays), so they exist whenever it will be chosen. Namespace facts are probed
 * by the caller, as for negotiate.
 */
export function resourcesFor(policy: ResolvedPolicy, facts: Pick<KernelFacts, "namespaces">): Resources {
  const net = policy.network;
  const proxy = net.mode === "platform" || net.mode === "proxy";
  const relaySocket = net.mode === "platform" && net.isolation !== "landlock" && facts.namespaces?.available === true;
  return { proxy, relaySocket, localPortRelays: relaySocket && net.localhostPorts.length + net.bindPorts.length > 0 };
}

/** The resources, once running: the facts negotiation completes the launch plan with. */
export interface RuntimeFacts {
  /** The port the proxy actually bound (it may differ from network.proxyPort). */
  proxyPort: number;
  /** The proxy's unix socket, when resourcesFor asked for it. */
  relaySocket?: string;
  /** The local port relays' sockets, when resourcesFor asked for them. */
  localPorts?: readonly { port: number; socketPath: string; publish: boolean }[];
}

/** How the launcher is started (its options, apart from the command, its fds and environment). */
export interface LaunchPlan {
  restrictFlags?: number;
  /** A network namespace with only loopback (mode none). */
  netns?: true;
  /** A network namespace whose loopback proxy port is relayed to the proxy's unix socket (platform). */
  netnsRelay?: { port: number; socketPath: string };
  netnsLocalPorts?: readonly { port: number; socketPath: string; publish: boolean }[];
  protect?: string[];
  pin?: string[];
  /** Process containment "namespace": PID, IPC and mount namespaces with the launcher as init. */
  pidns?: true;
  /** Every mount read-only except `writable`. */
  readOnly?: true;
  writable?: readonly string[];
  mask?: readonly string[];
  /** The private TMPDIR as a private tmpfs (of `tmpfsSize` bytes when given). */
  tmpfs?: readonly string[];
  tmpfsSize?: number;
  /** The plan's rules on the fresh mounts (/proc, devpts, /dev/shm, the TMPDIR tmpfs), added again after them. */
  rulesAfterMounts?: readonly { path: string; access: number }[];
}

/**
 * The launcher mounts a fresh /proc, devpts, /dev/shm and TMPDIR tmpfs: new inodes, which the
 * ruleset's rules (made on the host's) do not cover. The plan's rules at or below those places are
 * added again after the mounts; /dev/ptmx, a device node the launcher covers with the new
 * instance's multiplexer, gets the file rights of /dev/pts.
 */
function rulesForFreshMounts(plan: Omit<EnforcementPlan, "launch">, tmpdir: string | undefined): { path: string; access: number }[] {
  const roots = ["/proc", "/dev/pts", "/dev/shm", ...(tmpdir ? [tmpdir] : [])];
  const paths = plan.landlock?.paths ?? [];
  const rules = paths.filter((p) => roots.some((r) => p.path === r || p.path.startsWith(`${r}/`))).map((p) => ({ path: p.path, access: p.access }));
  const pts = paths.find((p) => p.path === "/dev/pts");
  if (pts && !paths.some((p) => p.path === "/dev/ptmx")) rules.push({ path: "/dev/ptmx", access: pts.access & FS_FILE_RIGHTS });
  return rules;
}

/** The launch part of a plan; undefined when a namespace relay is planned but its socket is missing. */
export function launchPlan(plan: Omit<EnforcementPlan, "launch">, runtime: RuntimeFacts | undefined): LaunchPlan | undefined {
  const launch: LaunchPlan = {};
  if (plan.landlock?.restrictFlags) launch.restrictFlags = plan.landlock.restrictFlags;
  const iso = plan.isolation;
  if (!iso) return launch;
  if (iso.process === "namespace") {
    launch.pidns = true;
    const rules = rulesForFreshMounts(plan, iso.tmpdirTmpfs?.path);
    if (rules.length > 0) launch.rulesAfterMounts = rules;
    launch.readOnly = true;
    launch.writable = iso.writable;
    if (iso.mask.length > 0) launch.mask = iso.mask;
    if (iso.tmpdirTmpfs) {
      launch.tmpfs = [iso.tmpdirTmpfs.path];
      if (iso.tmpdirTmpfs.size > 0) launch.tmpfsSize = iso.tmpdirTmpfs.size;
    }
  }
  if (iso.network === "namespace") {
    if (plan.network.mode === "platform") {
      if (runtime?.relaySocket === undefined) return undefined;
      launch.netnsRelay = { port: plan.network.proxyPort, socketPath: runtime.relaySocket };
      if (runtime.localPorts && runtime.localPorts.length > 0) launch.netnsLocalPorts = runtime.localPorts;
    } else launch.netns = true;
  }
  if (iso.protect.length > 0) launch.protect = iso.protect;
  if (iso.pin.length > 0) launch.pin = iso.pin;
  return launch;
}
