// negotiate: the orchestration of the layers (src/negotiation/), isolation and seccomp, with the
// compatibility level applied once (compat.ts).
import { abiCapabilities, NET_ACCESS, RESTRICT_SELF } from "./abi.js";
import { featureCompat, itemCompat, protectionCompat, type Feature } from "./compat.js";
import { planIsolation } from "./isolation.js";
import { filesystemFeatures, filesystemItems, planPaths } from "./negotiation/filesystem.js";
import { landlockView } from "./negotiation/landlock-view.js";
import { networkFeatures, networkItems, networkNotices, planPorts } from "./negotiation/network.js";
import { planScopes, scopeFeatures, scopeItems } from "./negotiation/scopes.js";
import { launchPlan } from "./launch-plan.js";
import { localPortsItem } from "./local-ports.js";
import type { ResolvedPolicy } from "./model.js";
import type { DecisionError, EnforcementPlan, KernelFacts, LandlockPlan, Negotiation, ReportItem } from "./report.js";
import { seccompPlan } from "./seccomp/plan.js";
import { planSecrets } from "./secrets-plan.js";
import { metadataItem, planTerminals } from "./terminals.js";

/** Landlock-gap items (by id) that the seccomp layer supersedes when seccomp is probed (besides any protection it reports itself). */
const SECCOMP_REPLACES = ["net.udp", "net.other-protocols"];

/**
 * Turn a resolved policy and the kernel's facts into an exact plan, an honest report and a
 * run/refuse decision. Each layer (filesystem, network, scopes here; isolation.ts and
 * seccomp/plan.ts beside) says which kernel features it needs, plans its part and reports its
 * protections by id; compat.ts applies the compatibility level once for all of them.
 */
export function negotiate(configured: ResolvedPolicy, facts: KernelFacts): Negotiation {
  // The port the proxy bound (a runtime fact) is the one the kernel rules and the relay use.
  const policy = facts.runtime ? { ...configured, network: { ...configured.network, proxyPort: facts.runtime.proxyPort } } : configured;
  const kernelAbi = Number.isInteger(facts.landlock.abi) && facts.landlock.abi > 0 ? facts.landlock.abi : 0;
  const caps = abiCapabilities(kernelAbi);
  const net = policy.network;
  const writableDirs = policy.filesystem.paths.filter((p) => p.access === "readWrite" && facts.paths[p.path] === "directory").map((p) => p.path);
  const isolation = planIsolation(policy, facts, writableDirs);
  // In a network namespace with only loopback the kernel fences TCP whatever the Landlock ABI.
  const netns = isolation?.plan.network === "namespace";

  const features: Feature[] = [...filesystemFeatures(policy), ...networkFeatures(policy, netns), ...scopeFeatures(policy, netns)];
  const compat = featureCompat(policy.compat, kernelAbi, caps, features, facts.landlock.reason);
  const { soft, kernelOn } = compat;
  const warnings: string[] = [...compat.warnings];
  const errors: DecisionError[] = [...compat.errors];
  if (isolation) {
    warnings.push(...isolation.warnings);
    errors.push(...isolation.errors);
  }
  const notices = networkNotices(policy, netns, kernelOn && (caps.net & NET_ACCESS.CONNECT_TCP) !== 0);
  warnings.push(...notices.warnings);
  errors.push(...notices.errors);
  if (kernelOn && caps.abi === 1) warnings.push("Landlock ABI 1: cross-directory rename and link fail with EXDEV (REFER control needs ABI 2)");

  const fsPlan = planPaths(policy, facts, caps);
  warnings.push(...fsPlan.warnings);
  errors.push(...fsPlan.errors);
  const { handledNet, ports } = planPorts(policy, caps);
  const scoped = planScopes(policy, caps);

  // Filesystem containment: the inherited terminal's own node, secrets left out (or masked).
  const mountNamespace = (isolation?.plan as { process?: string } | undefined)?.process === "namespace";
  // A fresh devpts of the launcher's PID and mount namespaces (plan.isolation.process "namespace")
  // holds only the sandbox's own terminals: it is opened whole, so new terminals work there.
  const freshDevpts = mountNamespace;
  const terminals = facts.terminals !== undefined || policy.filesystem.terminals === "all" ? planTerminals(policy, facts, kernelOn ? caps.fs : 0, freshDevpts) : undefined;
  for (const t of terminals?.paths ?? []) if (!fsPlan.byPath.has(t.path)) fsPlan.paths.push(t);
  const secrets = planSecrets(policy, facts, fsPlan.paths, { landlockAbi: kernelOn ? caps.abi : 0, mountNamespace: mountNamespace && facts.maskable !== false });
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
    const said = itemCompat(policy.compat, metadata);
    warnings.push(...said.warnings);
    errors.push(...said.errors);
  }

  const landlock: LandlockPlan | null = kernelOn
    ? { abi: caps.abi, handledFs: caps.fs, handledNet, scoped, restrictFlags: facts.logDenials ? RESTRICT_SELF.LOG_NEW_EXEC_ON & caps.restrictFlags : 0, paths: secrets?.paths ?? fsPlan.paths, ports }
    : null;

  const view = landlockView(landlock, caps.abi, facts.landlock.reason, soft);
  const items: ReportItem[] = [
    ...filesystemItems(policy, view, fsPlan.optionalMissing),
    ...networkItems(policy, view, netns, facts.networkFence),
    ...scopeItems(policy, view, netns),
  ];
  if (isolation) items.push(...isolation.items);
  const local = localPortsItem(net, netns, landlock !== null && (landlock.handledNet & NET_ACCESS.CONNECT_TCP) !== 0);
  if (local) items.push(local);
  if (terminals?.item) items.push(terminals.item);
  if (secrets) items.push(...secrets.items);
  if (metadata) items.push(metadata);
  let seccomp: EnforcementPlan["seccomp"];
  let unenforced: ReportItem[] = [];
  if (facts.seccomp !== undefined) {
    // SysV IPC stays allowed only inside the command's own IPC namespace (process isolation
    // "namespace" brings PID, IPC and mount namespaces); everywhere else seccomp denies it.
    const ipcNamespace = (isolation?.plan as { process?: string } | undefined)?.process === "namespace";
    const sc = seccompPlan(policy, { landlockAbi: landlock?.abi ?? 0, seccomp: facts.seccomp, arch: facts.arch ?? "unknown", ipcNamespace });
    seccomp = sc.spec;
    // One protection, one id: what seccomp reports replaces what Landlock alone would have said about it.
    const superseded = new Set([...SECCOMP_REPLACES, ...sc.items.map((i) => i.id)]);
    for (let i = items.length - 1; i >= 0; i--) if (superseded.has(items[i]!.id)) items.splice(i, 1);
    items.push(...sc.items);
    unenforced = sc.items.filter((i) => i.kind === "requested" && i.level !== "full");
  }
  // A limitation that leaves a requested protection incomplete counts as that protection's gap.
  const weakened = items.filter((i) => i.weakens !== undefined && i.level !== "full" && items.some((r) => r.id === i.weakens && r.kind === "requested"));
  const gaps = protectionCompat(policy.compat, unenforced, weakened);
  warnings.push(...gaps.warnings);
  errors.push(...gaps.errors);
  const requested = items.filter((i) => i.kind === "requested");
  const status = landlock === null ? "not" : requested.every((i) => i.level === "full") && weakened.length === 0 ? "fully" : "partially";

  const planned: Omit<EnforcementPlan, "launch"> = {
    landlock,
    network: { mode: net.mode, proxyPort: net.proxyPort },
    ...(seccomp !== undefined ? { seccomp } : {}),
    ...(isolation ? { isolation: isolation.plan } : {}),
    ...(isolation?.sweep.length ? { removeIfCreated: isolation.sweep } : {}),
  };
  let launch = launchPlan(planned, facts.runtime);
  if (launch === undefined) {
    // Only with runtime facts that lack the relay socket resourcesFor asked for.
    if (facts.runtime) errors.push({ code: "missing-fact", id: "net.namespace", message: "network namespace isolation needs the proxy's unix socket (resourcesFor: relaySocket)" });
    launch = {};
  }

  return {
    plan: { ...planned, launch },
    report: { status, landlockAbi: { kernel: kernelAbi, used: caps.abi }, items, warnings },
    decision: errors.length > 0 ? { run: false, errors } : { run: true },
  };
}
