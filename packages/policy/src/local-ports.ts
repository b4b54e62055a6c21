// The local ports of platform mode (--allow-localhost / --publish, network.localhostPorts and
// bindPorts) in the enforcement report: what reaches what, and what the fence leaves open.
import type { ResolvedPolicy } from "./model.js";
import type { ReportItem } from "./report.js";

export function localPortsItem(net: ResolvedPolicy["network"], netns: boolean, kernelTcp: boolean): ReportItem | undefined {
  if (net.mode !== "platform" || net.localhostPorts.length + net.bindPorts.length === 0) return undefined;
  const parts = [
    ...(net.localhostPorts.length ? [`reach the host's 127.0.0.1:${net.localhostPorts.join(", ")}`] : []),
    ...(net.bindPorts.length ? [`serve ${net.bindPorts.join(", ")} to the host's 127.0.0.1`] : []),
  ];
  const base = { id: "net.local-ports", protection: "local ports", requested: parts.join("; ") } as const;
  if (netns) {
    return {
      ...base,
      enforcedBy: "kernel",
      mechanism: "network namespace + the launcher's relay (one fixed destination per port)",
      level: "full",
      why: "each port is relayed to exactly 127.0.0.1:PORT on the other side; no other host or port is reachable through it",
      kind: "requested",
    };
  }
  return {
    ...base,
    enforcedBy: kernelTcp ? "kernel" : "nothing",
    ...(kernelTcp ? { mechanism: "Landlock port rules" } : {}),
    level: "partial",
    why: `Landlock port rules are address-blind: ${[...net.localhostPorts, ...net.bindPorts].join(", ")} ${net.localhostPorts.length ? "can be reached on EVERY host, not only 127.0.0.1" : ""}${net.localhostPorts.length && net.bindPorts.length ? ", and " : ""}${net.bindPorts.length ? "published servers listen on the host's own loopback" : ""}`,
    hint: "network.isolation namespace (user namespaces or root) relays exactly 127.0.0.1:PORT",
    // Like the address-blind port rule itself: the ports asked for are open, and more with them.
    kind: "limitation",
  };
}
