import { abiCapabilities, describeAbi, FS_ACCESS, FS_FILE_RIGHTS, LATEST_KNOWN_ABI, NET_ACCESS, SCOPES } from "./abi.js";
import type { ResolvedPolicy } from "./model.js";
import type { DecisionError, EnforcementPlan, KernelFacts, LandlockPlan, Negotiation, PlannedPath, PlannedPort, ReportItem } from "./report.js";
import { ACCESS_RIGHTS } from "./rights.js";
import { seccompPlan } from "./seccomp/plan.js";
import { planIsolation } from "./isolation.js";
import { localPortsItem } from "./local-ports.js";
import { planSecrets } from "./secrets-plan.js";
import { metadataItem, planTerminals } from "./terminals.js";

/** Landlock-gap items (by id) that the seccomp layer supersedes when seccomp is probed (besides any protection it reports itself). */
const SECCOMP_REPLACES = ["net.udp", "net.other-protocols"];

/** A kernel feature the policy asks for; compat levels act on the missing ones. */
interface Feature {
  /** The report item of the protection it provides. */
  id: string;
  name: string;
  abi: number;
}

/**
 * Turn a resolved policy and the kernel's facts into an exact Landlock plan, an honest report and
 * a run/refuse decision. Modelled on rust-landlock's compat levels:
 * - best-effort: enforce what the kernel supports, report the rest;
 * - soft: if any requested kernel feature is missing, apply no Landlock layer at all;
 * - hard: refuse, naming each missing feature and the ABI it needs.
 */
export function negotiate(policy: ResolvedPolicy, facts: KernelFacts): Negotiation {
  const kernelAbi = Number.isInteger(facts.landlock.abi) && facts.landlock.abi > 0 ? facts.landlock.abi : 0;
  const caps = abiCapabilities(kernelAbi);
  const net = policy.network;
  const warnings: string[] = [];
  const errors: DecisionError[] = [];
  const restrictsNet = net.mode === "platform" || net.mode === "none";
  const handlesBind = net.mode === "none" || (net.mode === "platform" && net.bindPorts.length > 0);
  const writableDirs = policy.filesystem.paths.filter((p) => p.access === "readWrite" && facts.paths[p.path] === "directory").map((p) => p.path);
  const isolation = planIsolation(policy, facts, writableDirs);
  // In a network namespace with only loopback the kernel fences TCP whatever the Landlock ABI.
  const netns = isolation?.plan.network === "namespace";

  const features: Feature[] = [
    { id: "fs.landlock", name: "filesystem access control (Landlock)", abi: 1 },
    { id: "fs.truncate", name: "file truncation control", abi: 3 },
    { id: "fs.ioctl-dev", name: "device ioctl control", abi: 5 },
  ];
  if (restrictsNet && !netns) features.push({ id: "net.tcp-connect", name: `network.mode ${net.mode}: TCP connect restriction`, abi: 4 });
  if (handlesBind) features.push({ id: "net.tcp-bind", name: "TCP bind restriction (bindPorts)", abi: 4 });
  // Abstract UNIX sockets belong to a network namespace: in one, those outside are unreachable anyway.
  if (policy.scopes.abstractUnix && !netns) features.push({ id: "scope.abstract-unix", name: "scopes.abstractUnix: abstract UNIX socket isolation", abi: 6 });
  if (policy.scopes.signals) features.push({ id: "scope.signals", name: "scopes.signals: signal isolation", abi: 6 });
  const missing = features.filter((f) => f.abi > caps.abi);

  const soft = policy.compat === "soft" && missing.length > 0 && caps.abi > 0;
  const kernelOn = caps.abi > 0 && !soft;

  if (kernelAbi > LATEST_KNOWN_ABI) warnings.push(`kernel Landlock ABI ${kernelAbi} is newer than cordon knows; using ABI ${LATEST_KNOWN_ABI}`);
  if (caps.abi === 0) {
    const reason = facts.landlock.reason ? ` (${facts.landlock.reason})` : "";
    warnings.push(`Landlock is unavailable${reason}: NO Landlock layer — filesystem access and TCP connect are not restricted by the kernel for this run`);
  } else if (soft) {
    warnings.push(
      `compat soft: this kernel (ABI ${caps.abi}) lacks ${missing.map((f) => `${f.name} (${describeAbi(f.abi)})`).join(", ")}, so NO Landlock layer is applied — filesystem access and TCP connect are not restricted by the kernel for this run`,
    );
  } else if (policy.compat !== "hard") {
    for (const f of missing) {
      if (f.abi === 5 && !opensOtherDevices(policy)) continue; // said in the report, not worth a warning (see below)
      warnings.push(`NOT ENFORCED: ${f.name} needs Landlock ${describeAbi(f.abi)}; this kernel has ABI ${caps.abi}`);
    }
  }
  if (policy.compat === "hard") {
    if (caps.abi === 0) errors.push({ code: "landlock-unavailable", id: "fs.landlock", message: `compat hard: Landlock is unavailable${facts.landlock.reason ? ` (${facts.landlock.reason})` : ""}` });
    for (const f of missing) errors.push({ code: "feature-missing", id: f.id, message: `compat hard: ${f.name} needs Landlock ${describeAbi(f.abi)}; this kernel has ABI ${caps.abi}` });
  }
  if (isolation) {
    warnings.push(...isolation.warnings);
    errors.push(...isolation.errors);
  }
  if (restrictsNet && !netns && !(kernelOn && caps.net & NET_ACCESS.CONNECT_TCP)) {
    warnings.push(
      net.mode === "platform"
        ? "NETWORK NOT KERNEL-ENFORCED: only programs that honour HTTP_PROXY go through the proxy; apply a cluster NetworkPolicy (tier 3) to fence the rest"
        : "NETWORK NOT ENFORCED: network.mode none needs Landlock ABI 4 to deny TCP; apply a cluster NetworkPolicy or run without network access",
    );
  }
  if (net.mode === "platform" && net.proxyPort === 0) {
    errors.push({ code: "missing-fact", message: "network.proxyPort is 0: start the proxy and put its bound port into the policy before negotiating" });
  }
  if (net.mode === "none" && net.localhostPorts.length > 0) {
    warnings.push(`network.localhostPorts (${net.localhostPorts.join(", ")}) ignored in mode none: Landlock port rules are address-blind and would open those ports to every host`);
  }
  if (kernelOn && caps.abi === 1) warnings.push("Landlock ABI 1: cross-directory rename and link fail with EXDEV (REFER control needs ABI 2)");

  // Paths: merge per path, mask to the ABI, file rights only on files, drop missing ones.
  const paths: PlannedPath[] = [];
  const optionalMissing: string[] = [];
  const byPath = new Map<string, PlannedPath>();
  for (const entry of policy.filesystem.paths) {
    const kind = facts.paths[entry.path];
    if (kind !== "directory" && kind !== "file") {
      const state = kind === undefined ? "was not checked" : "does not exist";
      if (entry.optional) optionalMissing.push(entry.path);
      else {
        warnings.push(`path ${entry.path} (${entry.origin}) ${state}: skipped`);
        if (policy.compat === "hard") errors.push({ code: "path-missing", message: `compat hard: path ${entry.path} (${entry.origin}) ${state}` });
      }
      continue;
    }
    let access = ACCESS_RIGHTS[entry.access] & caps.fs;
    if (kind === "file") access &= FS_FILE_RIGHTS;
    if (access === 0) continue;
    const existing = byPath.get(entry.path);
    if (existing) {
      existing.access |= access;
      if (existing.source === "default") existing.source = entry.source;
    } else {
      const planned: PlannedPath = { path: entry.path, access, source: entry.source };
      byPath.set(entry.path, planned);
      paths.push(planned);
    }
  }

  // Network: which rights are handled, and the port rules that open holes in them.
  let handledNet = 0;
  const ports: PlannedPort[] = [];
  if (restrictsNet) {
    handledNet |= NET_ACCESS.CONNECT_TCP | NET_ACCESS.CONNECT_SEND_UDP;
    if (handlesBind) handledNet |= NET_ACCESS.BIND_TCP;
    if (net.mode === "none") handledNet |= NET_ACCESS.BIND_UDP;
    handledNet &= caps.net;
  }
  const addPort = (port: number, access: number, why: string) => {
    if ((handledNet & access) === 0) return;
    const existing = ports.find((p) => p.port === port);
    if (existing) {
      existing.access |= access;
      if (!existing.why.split(", ").includes(why)) existing.why += `, ${why}`;
    } else ports.push({ port, access, why });
  };
  if (net.mode === "platform") {
    if (net.proxyPort > 0) addPort(net.proxyPort, NET_ACCESS.CONNECT_TCP, "proxy");
    for (const port of net.localhostPorts) addPort(port, NET_ACCESS.CONNECT_TCP, "localhostPorts");
  }
  if (handlesBind) for (const port of net.bindPorts) addPort(port, NET_ACCESS.BIND_TCP, "bindPorts");

  const scoped =
    ((policy.scopes.abstractUnix ? SCOPES.ABSTRACT_UNIX_SOCKET : 0) | (policy.scopes.signals ? SCOPES.SIGNAL : 0)) & caps.scoped;

  // Filesystem containment: the inherited terminal's own node, secrets left out (or masked).
  const mountNamespace = (isolation?.plan as { process?: string } | undefined)?.process === "namespace";
  // A fresh devpts of the launcher's PID and mount namespaces (plan.isolation.process "namespace")
  // holds only the sandbox's own terminals: it is opened whole, so new terminals work there.
  const freshDevpts = (isolation?.plan as { process?: string } | undefined)?.process === "namespace";
  const terminals = facts.terminals !== undefined || policy.filesystem.terminals === "all" ? planTerminals(policy, facts, kernelOn ? caps.fs : 0, freshDevpts) : undefined;
  for (const t of terminals?.paths ?? []) if (!byPath.has(t.path)) paths.push(t);
  const secrets = planSecrets(policy, facts, paths, { landlockAbi: kernelOn ? caps.abi : 0, mountNamespace: mountNamespace && facts.maskable !== false });
  if (secrets) {
    warnings.push(...secrets.warnings);
    errors.push(...secrets.errors);
    if (isolation) isolation.plan.mask = secrets.mask;
  }
  // The launcher's containment covers metadata (fs.read-only) where it plans the read-only tree. A
  // stated network fence makes its row a limitation, but says nothing about root's metadata: that
  // stays this item's (root owns the files Landlock does not guard from chmod or utime).
  const metadata = isolation?.items.some((i) => i.id === "fs.read-only" && i.kind === "requested" && i.level === "full") ? undefined : metadataItem(facts, mountNamespace);
  if (metadata?.kind === "requested") {
    if (policy.compat === "hard") errors.push(`compat hard: ${metadata.protection}: ${metadata.why}`);
    else warnings.push(`NOT ENFORCED: ${metadata.protection}: ${metadata.why}`);
  }

  const landlock: LandlockPlan | null = kernelOn
    ? { abi: caps.abi, handledFs: caps.fs, handledNet, scoped, restrictFlags: 0, paths: secrets?.paths ?? paths, ports }
    : null;

  const items = reportItems(policy, landlock, caps.abi, optionalMissing, facts.landlock.reason, soft, netns, facts.networkFence);
  if (isolation) items.push(...isolation.items);
  const local = localPortsItem(net, netns, landlock !== null && (landlock.handledNet & NET_ACCESS.CONNECT_TCP) !== 0);
  if (local) items.push(local);
  if (terminals?.item) items.push(terminals.item);
  if (secrets) items.push(...secrets.items);
  if (metadata) items.push(metadata);
  let seccomp: EnforcementPlan["seccomp"];
  if (facts.seccomp !== undefined) {
    // The seccomp layer replaces Landlock's non-TCP gaps with what it closes (or says why it cannot).
    // SysV IPC stays allowed only inside the command's own IPC namespace (process isolation
    // "namespace" brings PID, IPC and mount namespaces); everywhere else seccomp denies it.
    const ipcNamespace = (isolation?.plan as { process?: string } | undefined)?.process === "namespace";
    const sc = seccompPlan(policy, { landlockAbi: landlock?.abi ?? 0, seccomp: facts.seccomp, arch: facts.arch ?? "unknown", ipcNamespace });
    seccomp = sc.spec;
    // One protection, one id: what seccomp reports replaces what Landlock alone would have said about it.
    const superseded = new Set([...SECCOMP_REPLACES, ...sc.items.map((i) => i.id)]);
    for (let i = items.length - 1; i >= 0; i--) if (superseded.has(items[i]!.id)) items.splice(i, 1);
    items.push(...sc.items);
    const unfiltered = sc.items.filter((i) => i.kind === "requested" && i.level !== "full");
    if (unfiltered.length > 0) {
      const why = unfiltered[0]!.why;
      if (policy.compat === "hard") {
        for (const i of unfiltered) errors.push({ code: "not-enforced", id: i.id!, message: `compat hard: ${i.protection}: ${i.why}` });
      }
      else warnings.push(`NOT ENFORCED: ${unfiltered.map((i) => i.protection).join(", ")}: ${why}`);
    }
  }
  // A limitation that leaves a requested protection incomplete counts as that protection's gap.
  const weakened = items.filter((i) => i.weakens !== undefined && i.level !== "full" && items.some((r) => r.id === i.weakens && r.kind === "requested"));
  for (const w of weakened) {
    const fix = w.hint ? ` (${w.hint})` : "";
    if (policy.compat === "hard") errors.push({ code: "not-enforced", id: w.id!, message: `compat hard: ${w.protection}: ${w.why}${fix}` });
  }
  const requested = items.filter((i) => i.kind === "requested");
  const status = landlock === null ? "not" : requested.every((i) => i.level === "full") && weakened.length === 0 ? "fully" : "partially";

  return {
    plan: {
      landlock,
      network: { mode: net.mode, proxyPort: net.proxyPort },
      ...(seccomp !== undefined ? { seccomp } : {}),
      ...(isolation ? { isolation: isolation.plan } : {}),
      ...(isolation?.sweep.length ? { removeIfCreated: isolation.sweep } : {}),
    },
    report: { status, landlockAbi: { kernel: kernelAbi, used: caps.abi }, items, warnings },
    decision: errors.length > 0 ? { run: false, errors } : { run: true },
  };
}

function reportItems(
  policy: ResolvedPolicy,
  plan: LandlockPlan | null,
  abi: number,
  optionalMissing: string[],
  unavailableReason: string | undefined,
  softDropped: boolean,
  netns: boolean,
  fence: KernelFacts["networkFence"],
): ReportItem[] {
  const items: ReportItem[] = [];
  const net = policy.network;
  const off = plan === null;
  const offWhy =
    abi === 0
      ? `Landlock is unavailable${unavailableReason ? ` (${unavailableReason})` : ""}`
      : softDropped
        ? "compat soft dropped the whole Landlock layer because a requested feature is missing"
        : "";
  const mech = (what: string) => `Landlock ABI ${plan?.abi ?? abi} ${what}`;
  const kernelItem = (
    id: string,
    protection: string,
    requested: string,
    available: boolean,
    mechanism: string,
    needAbi: number,
    hint?: string,
  ): ReportItem => {
    if (!off && available) return { id, protection, requested, enforcedBy: "kernel", mechanism: mech(mechanism), level: "full", why: "handled by the kernel", kind: "requested" };
    const why = off ? offWhy : `needs Landlock ${describeAbi(needAbi)}; this kernel has ABI ${abi}`;
    return { id, protection, requested, enforcedBy: "nothing", level: "none", why, kind: "requested", ...(hint ? { hint } : {}) };
  };
  const has = (field: "handledFs" | "handledNet" | "scoped", bit: number) => plan !== null && (plan[field] & bit) === bit;

  const fs = policy.filesystem;
  const skipped = optionalMissing.length > 0 ? `; ${optionalMissing.length} optional default/preset path(s) not present` : "";
  items.push({
    ...kernelItem(
      "fs.landlock",
      "filesystem",
      `read-only ${fs.readOnly.length}, read-write ${fs.readWrite.length}, exec ${fs.exec.length} paths; everything else denied`,
      true,
      "path rules",
      1,
      "use a kernel with Landlock enabled (Linux 5.13+, lsm=landlock)",
    ),
  });
  if (items[0]!.level === "full") items[0]!.why = `handled by the kernel${skipped}`;
  items.push(kernelItem("fs.truncate", "file truncation", "truncate only in read-write paths", has("handledFs", FS_ACCESS.TRUNCATE), "TRUNCATE right", 3));
  items.push(kernelItem("fs.ioctl-dev", "device ioctl", "ioctl on devices only in read-write paths", has("handledFs", FS_ACCESS.IOCTL_DEV), "IOCTL_DEV right", 5));
  if (!off && !has("handledFs", FS_ACCESS.IOCTL_DEV) && !opensOtherDevices(policy)) {
    Object.assign(items[items.length - 1]!, {
      level: "partial",
      why: `needs Landlock ${describeAbi(5)} (this kernel: ABI ${abi}); the devices this policy opens are read-write ones, which get the right anyway, and ${READ_ONLY_DEVICES.join(", ")}, whose privileged ioctls need capabilities the command does not have`,
    });
  }
  if (has("handledFs", FS_ACCESS.RESOLVE_UNIX)) {
    items.push(kernelItem("net.unix-sockets", "pathname UNIX sockets", "connect only to sockets in read-write paths", true, "RESOLVE_UNIX right", 9));
  } else {
    items.push({
      id: "net.unix-sockets",
      protection: "pathname UNIX sockets",
      requested: "-",
      enforcedBy: "nothing",
      level: "none",
      why: `connect() to any reachable pathname UNIX socket is not governed below Landlock ABI 9 (this run: ABI ${plan?.abi ?? 0})`,
      kind: "limitation",
    });
  }

  const landlockConnect = has("handledNet", NET_ACCESS.CONNECT_TCP);
  const connectKernel = landlockConnect || netns;
  const NETNS = "network namespace (only loopback)";
  if (net.mode === "platform" && netns) {
    items.push({
      id: "net.tcp-connect",
      protection: "outbound TCP",
      requested: `connect only to the proxy port ${net.proxyPort}`,
      enforcedBy: "kernel",
      mechanism: landlockConnect ? `${NETNS} + ${mech("CONNECT_TCP port rules")}` : NETNS,
      level: "full",
      why: `the only address reachable is the launcher's relay to the proxy on 127.0.0.1:${net.proxyPort}${net.localhostPorts.length ? ` (and the local ports ${net.localhostPorts.join(", ")}, see local ports)` : ""}; every other address is unreachable (ENETUNREACH)${landlockConnect ? " and other ports fail with EACCES" : ""}`,
      kind: "requested",
    });
    items.push(hostAllowlistItem(net, "full", "the network namespace leaves the proxy as the only way out"));
    items.push({
      id: "net.address-blind-ports",
      protection: "TCP port rules are address-blind",
      requested: "no other host on the proxy port",
      enforcedBy: "kernel",
      mechanism: "network namespace",
      level: "full",
      why: `closed: connect() to any other host on port ${net.proxyPort} is unreachable from the namespace`,
      kind: "requested",
    });
  } else if (net.mode === "platform") {
    const holes = [String(net.proxyPort), ...net.localhostPorts.map(String)];
    items.push(
      connectKernel
        ? { id: "net.tcp-connect", protection: "outbound TCP", requested: `connect only to the proxy port ${net.proxyPort}${net.localhostPorts.length ? ` and localhostPorts ${net.localhostPorts.join(", ")}` : ""}`, enforcedBy: "kernel", mechanism: mech("CONNECT_TCP port rules"), level: "full", why: "connect() to any other port fails with EACCES", kind: "requested" }
        : {
            id: "net.tcp-connect",
            protection: "outbound TCP",
            requested: `connect only to the proxy port ${net.proxyPort}`,
            enforcedBy: "proxy",
            mechanism: "HTTP_PROXY environment (cooperative)",
            level: "partial",
            why: off ? `${offWhy}: programs that ignore HTTP_PROXY connect directly` : `needs Landlock ${describeAbi(4)}; this kernel has ABI ${abi}: programs that ignore HTTP_PROXY connect directly`,
            hint: "apply a cluster NetworkPolicy (tier 3) that only allows egress through the proxy",
            kind: "requested",
          },
    );
    items.push(
      !connectKernel
        ? hostAllowlistItem(net, "partial", "only for programs that use the proxy")
        : fence === "networkpolicy"
          ? hostAllowlistItem(net, "full", "the kernel forces all TCP to the proxy port; the cluster NetworkPolicy keeps every other host on that port unreachable")
          : hostAllowlistItem(net, "partial", `the kernel forces all TCP to port ${holes.join(", ")}, but on any host: another host listening there is reachable without the proxy`),
    );
    if (connectKernel) items.push(addressBlindItem(holes, fence));
  } else if (net.mode === "none") {
    if (netns) {
      items.push({ id: "net.tcp-connect", protection: "outbound TCP", requested: "no TCP connect", enforcedBy: "kernel", mechanism: landlockConnect ? `${NETNS} + ${mech("CONNECT_TCP (no rules)")}` : NETNS, level: "full", why: "nothing outside the namespace is reachable (ENETUNREACH)", kind: "requested" });
    } else {
      items.push(kernelItem("net.tcp-connect", "outbound TCP", "no TCP connect", connectKernel, "CONNECT_TCP (no rules)", 4, "apply a cluster NetworkPolicy denying egress"));
    }
  } else if (net.mode === "proxy") {
    items.push({
      id: "net.host-allowlist",
      protection: "host allowlist",
      requested: `${net.allow.length} allow rule(s), ${net.deny.length} deny rule(s) through the proxy`,
      enforcedBy: "proxy",
      mechanism: "HTTP_PROXY environment (cooperative)",
      level: "partial",
      why: "network.mode proxy: programs that ignore HTTP_PROXY connect directly",
      hint: "network.mode platform makes the kernel force traffic through the proxy (Landlock ABI 4)",
      kind: "requested",
    });
  } else {
    items.push({ id: "net.unrestricted", protection: "network", requested: "unrestricted", enforcedBy: "nothing", level: "none", why: "network.mode unrestricted", kind: "limitation" });
  }

  if (net.mode === "none" || (net.mode === "platform" && net.bindPorts.length > 0)) {
    const requested = net.bindPorts.length ? `bind only to ports ${net.bindPorts.join(", ")}` : "no TCP bind";
    items.push(kernelItem("net.tcp-bind", "TCP bind", requested, has("handledNet", NET_ACCESS.BIND_TCP), net.bindPorts.length ? "BIND_TCP port rules" : "BIND_TCP (no rules)", 4));
    if (has("handledNet", NET_ACCESS.BIND_TCP)) {
      items.push({ id: "net.listen-autobind", protection: "listen() auto-bind", requested: "-", enforcedBy: "nothing", level: "none", why: "listen() on an unbound socket binds an ephemeral port without a BIND_TCP check", kind: "limitation" });
    }
  }
  if (net.mode === "platform" || net.mode === "none") {
    if (has("handledNet", NET_ACCESS.CONNECT_SEND_UDP)) {
      items.push(kernelItem("net.udp", "UDP", net.mode === "none" ? "no UDP" : "no UDP sends (DNS goes through the proxy)", true, "UDP rights (no rules)", 10));
    } else {
      items.push({
        id: "net.udp",
        protection: "UDP",
        requested: "-",
        enforcedBy: "nothing",
        level: "none",
        why: `UDP (including DNS) is not governed below Landlock ABI 10 (this run: ABI ${plan?.abi ?? 0})`,
        hint: "a seccomp filter or a cluster NetworkPolicy can block UDP",
        kind: "limitation",
      });
    }
    items.push({
      id: "net.other-protocols",
      protection: "other protocols",
      requested: "-",
      enforcedBy: "nothing",
      level: "none",
      why: "MPTCP, SCTP, ICMP and raw sockets are not governed by Landlock",
      hint: "a seccomp filter or a cluster NetworkPolicy can block them",
      kind: "limitation",
    });
  }

  if (policy.scopes.abstractUnix && netns && !has("scoped", SCOPES.ABSTRACT_UNIX_SOCKET)) {
    items.push({ id: "scope.abstract-unix", protection: "abstract UNIX sockets", requested: "no connect to abstract sockets outside the sandbox", enforcedBy: "kernel", mechanism: "network namespace", level: "full", why: "abstract sockets belong to a network namespace: those outside it are unreachable", kind: "requested" });
  } else if (policy.scopes.abstractUnix) {
    items.push(kernelItem("scope.abstract-unix", "abstract UNIX sockets", "no connect to abstract sockets outside the sandbox", has("scoped", SCOPES.ABSTRACT_UNIX_SOCKET), "scope", 6));
  }
  if (policy.scopes.signals) {
    items.push(kernelItem("scope.signals", "signals", "no signals to processes outside the sandbox", has("scoped", SCOPES.SIGNAL), "scope", 6));
  }
  items.push(...inspectionItems(net, items, off ? offWhy : undefined));
  return items;
}

/** Hosts whose TLS the proxy terminates: their request rules and injected credentials. */
function inspectionItems(net: ResolvedPolicy["network"], items: readonly ReportItem[], noLandlock: string | undefined): ReportItem[] {
  if (net.mode !== "platform" && net.mode !== "proxy") return [];
  const inspected = net.allow.filter((r) => r.http !== undefined || (r.credentials?.length ?? 0) > 0);
  if (inspected.length === 0) return [];
  const out: ReportItem[] = [];
  const allowlist = items.find((i) => i.id === "net.host-allowlist");
  const withRules = inspected.filter((r) => r.http !== undefined);
  if (withRules.length > 0) {
    out.push({
      id: "net.http-rules",
      protection: "HTTP request rules",
      requested: `method/path rules for ${withRules.map((r) => r.host).join(", ")}`,
      enforcedBy: "proxy",
      mechanism: "TLS inspection (per-run CA, HTTP/1.1)",
      level: allowlist?.level ?? "partial",
      why: `every request is decided by the proxy, which ends TLS for these hosts; ${allowlist?.level === "full" ? "traffic is forced through it" : "as binding as the host allowlist"}`,
      kind: "requested",
    });
  }
  const credentials = inspected.reduce((n, r) => n + (r.credentials?.length ?? 0), 0);
  if (credentials > 0) {
    out.push(
      noLandlock === undefined
        ? {
            id: "net.credentials",
            protection: "injected credentials",
            requested: `${credentials} credential(s) added by the proxy; the command holds placeholders`,
            enforcedBy: "kernel",
            mechanism: "Landlock domain (no ptrace or /proc access to cordon) + proxy injection",
            level: "full",
            why: "the secrets stay in cordon's process, which the command cannot read",
            kind: "requested",
          }
        : {
            id: "net.credentials",
            protection: "injected credentials",
            requested: `${credentials} credential(s) added by the proxy; the command holds placeholders`,
            enforcedBy: "nothing",
            level: "none",
            why: `not injected: ${noLandlock}, so the command could read cordon's memory; requests to these hosts are refused (credential-unavailable)`,
            hint: "run on a kernel with Landlock",
            kind: "requested",
          },
    );
  }
  return out;
}

const READ_ONLY_DEVICES = ["/dev/random", "/dev/urandom"];

/**
 * Whether the policy can open a device beyond the defaults' read-write ones and the two random
 * devices: then, below ABI 5, ioctls on it are not governed and that is worth a warning.
 */
function opensOtherDevices(policy: ResolvedPolicy): boolean {
  return policy.filesystem.paths.some(
    (p) => p.access !== "readWrite" && !READ_ONLY_DEVICES.includes(p.path) && (p.path === "/" || p.path === "/dev" || p.path.startsWith("/dev/")),
  );
}

/** The proxy's allowlist in platform mode: how fully it binds depends on what forces traffic through it. */
function hostAllowlistItem(net: ResolvedPolicy["network"], level: "full" | "partial", why: string): ReportItem {
  return {
    id: "net.host-allowlist",
    protection: "host allowlist",
    requested: `${net.allow.length} allow rule(s), ${net.deny.length} deny rule(s); every other host refused`,
    enforcedBy: "proxy",
    mechanism: "cordon HTTP CONNECT proxy",
    level,
    why,
    kind: "requested",
  };
}

/**
 * Landlock-only platform mode: port rules cannot name an address, so any host on the proxy port (and
 * on localhostPorts) is reachable. Only a fence outside the kernel closes that: a cluster
 * NetworkPolicy, counted only when the user states it (never a policy file).
 */
function addressBlindItem(holes: string[], fence: KernelFacts["networkFence"]): ReportItem {
  const base = { id: "net.address-blind-ports", protection: "TCP port rules are address-blind", weakens: "net.host-allowlist", kind: "limitation" as const };
  if (fence === "networkpolicy") {
    return {
      ...base,
      requested: `no other host on port ${holes.join(", ")}`,
      enforcedBy: "cluster",
      mechanism: "Kubernetes NetworkPolicy, as stated by the user",
      level: "full",
      why: `Landlock lets connect() reach any host on port ${holes.join(", ")}; the stated cluster NetworkPolicy (tier 3) allows no egress there, so only the local proxy answers`,
    };
  }
  return {
    ...base,
    requested: "-",
    enforcedBy: "nothing",
    level: "none",
    why: `Landlock port rules match the port only: connect() to ANY host on port ${holes.join(", ")} is allowed by the kernel`,
    hint: "--isolation namespace (needs user namespaces or root), or a cluster NetworkPolicy (tier 3) that allows no egress on that port, stated with --network-fence networkpolicy or CORDON_NETWORK_FENCE=networkpolicy",
  };
}
