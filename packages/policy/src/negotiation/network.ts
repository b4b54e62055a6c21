// The network layer: which kernel features the mode needs, the handled rights and port rules,
// what the mode leaves to the proxy or to nothing, and the network's report items.
import { describeAbi, FS_ACCESS, NET_ACCESS, type AbiCapabilities } from "../abi.js";
import type { Feature } from "../compat.js";
import type { ResolvedPolicy } from "../model.js";
import type { DecisionError, KernelFacts, PlannedPort, ReportItem } from "../report.js";
import { inspectionItems } from "./inspection.js";
import type { LandlockView } from "./landlock-view.js";

type Net = ResolvedPolicy["network"];

const restricts = (net: Net) => net.mode === "platform" || net.mode === "none";
const handlesBind = (net: Net) => net.mode === "none" || (net.mode === "platform" && net.bindPorts.length > 0);

/** In a network namespace with only loopback the kernel fences TCP whatever the Landlock ABI. */
export function networkFeatures(policy: ResolvedPolicy, netns: boolean): Feature[] {
  const net = policy.network;
  const features: Feature[] = [];
  if (restricts(net) && !netns) features.push({ id: "net.tcp-connect", name: `network.mode ${net.mode}: TCP connect restriction`, abi: 4 });
  if (handlesBind(net)) features.push({ id: "net.tcp-bind", name: "TCP bind restriction (bindPorts)", abi: 4 });
  return features;
}

/** What the mode leaves unfenced, said before the run; and the one fact negotiation cannot do without. */
export function networkNotices(policy: ResolvedPolicy, netns: boolean, kernelTcp: boolean): { warnings: string[]; errors: DecisionError[] } {
  const net = policy.network;
  const warnings: string[] = [];
  const errors: DecisionError[] = [];
  if (restricts(net) && !netns && !kernelTcp) {
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
  return { warnings, errors };
}

/** Which rights are handled, and the port rules that open holes in them. */
export function planPorts(policy: ResolvedPolicy, caps: AbiCapabilities): { handledNet: number; ports: PlannedPort[] } {
  const net = policy.network;
  let handledNet = 0;
  const ports: PlannedPort[] = [];
  if (restricts(net)) {
    handledNet |= NET_ACCESS.CONNECT_TCP | NET_ACCESS.CONNECT_SEND_UDP;
    if (handlesBind(net)) handledNet |= NET_ACCESS.BIND_TCP;
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
  if (handlesBind(net)) for (const port of net.bindPorts) addPort(port, NET_ACCESS.BIND_TCP, "bindPorts");
  return { handledNet, ports };
}

export function networkItems(policy: ResolvedPolicy, view: LandlockView, netns: boolean, fence: KernelFacts["networkFence"]): ReportItem[] {
  const { plan, abi, offWhy, mech, has, kernelItem } = view;
  const off = plan === null;
  const net = policy.network;
  const items: ReportItem[] = [];
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

  items.push(...inspectionItems(net, items, off ? offWhy : undefined));
  return items;
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
