import { readFileSync } from "node:fs";
import type { CommandModule } from "yargs";
import { seccompAvailable, status as landlockStatus } from "@cordon/landlock-native";
import { defaultPolicy, negotiate, policyPaths, resolvePolicy, type NetworkMode } from "@cordon/policy";
import { homedir, tmpdir } from "node:os";
import { probeKernel, probeNamespaces } from "@cordon/sandbox";
import { table } from "../report/format.js";

/** The report items (by id) that say how the network is fenced in each mode. */
const NETWORK_ITEMS = ["net.tcp-connect", "net.host-allowlist", "net.address-blind-ports", "net.udp", "net.other-protocols", "net.unrestricted"];

const FEATURES: [number, string][] = [
  [1, "filesystem access control"],
  [2, "cross-directory rename/link control (REFER)"],
  [3, "truncate control"],
  [4, "TCP connect/bind port rules (platform mode kernel fence)"],
  [5, "device ioctl control"],
  [6, "scopes: abstract unix sockets and signals"],
  [7, "audit logging flags"],
  [8, "all-threads enforcement (TSYNC)"],
  [9, "pathname unix socket rules"],
  [10, "UDP port rules"],
];

export const doctorCommand: CommandModule<object, { json?: boolean }> = {
  command: "doctor",
  describe: "What this kernel and environment support, and what each network mode enforces here",
  builder: (y) => y.option("json", { type: "boolean", describe: "Machine-readable output" }).example("cordon doctor", "") as never,
  handler: (argv) => {
    const st = landlockStatus();
    const ns = probeNamespaces();
    const env = { seccomp: seccompText(), userns: ns.available ? `available (${ns.how})` : `not usable: ${ns.reason}` };
    const modes = (["platform", "proxy", "none", "unrestricted"] as NetworkMode[]).map((mode) => {
      const r = resolvePolicy({ base: defaultPolicy(), inline: { network: mode } }, { cwd: process.cwd(), home: homedir(), tmpdir: tmpdir() });
      if (!r.ok) return { mode, status: "error", isolation: "-", summary: r.errors.map(String).join("; ") };
      const n = negotiate(r.policy, probeKernel(policyPaths(r.policy), r.policy));
      const net = n.report.items.filter((i) => i.id !== undefined && NETWORK_ITEMS.includes(i.id));
      const isolation: string = n.plan.isolation?.network ?? "landlock";
      return { mode, status: n.report.status, isolation, summary: net.map((i) => `${i.protection}: ${i.enforcedBy}`).join("; ") || "no network restriction" };
    });
    const isolation = {
      namespaces: ns,
      // What --isolation auto gives the built-in platform policy here, and the gap that remains otherwise.
      applies: ns.available ? "namespace" : "landlock",
      summary: ns.available
        ? `namespace (${ns.how}): platform mode runs commands in a network namespace with only loopback; protected paths are read-only bind mounts`
        : `landlock only (${ns.reason}): any host on the proxy port stays reachable (Landlock port rules are address-blind), and protected paths inside writable directories stay writable`,
    };
    if (argv.json) {
      process.stdout.write(`${JSON.stringify({ landlock: st, ...env, isolation, modes }, null, 2)}\n`);
      return;
    }
    const out: string[] = [];
    out.push(`Landlock: ${st.available ? `ABI ${st.abi}` : "unavailable"}${st.override !== undefined ? ` (CORDON_LANDLOCK_ABI_MAX=${st.override}; kernel has ABI ${st.kernelAbi})` : ""}`);
    if (st.reason) out.push(`  reason: ${st.reason.code}: ${st.reason.message}`);
    out.push(`  errata: 0x${st.errata.toString(16)}${errataText(st.errata)}`);
    out.push(table(FEATURES.map(([abi, what]) => ["  " + (st.abi >= abi ? "yes" : "no "), `ABI ${abi}`, what])));
    out.push(`seccomp filters: ${env.seccomp}`);
    out.push(`user namespaces: ${env.userns}`);
    out.push(`isolation: ${isolation.summary}`);
    out.push("");
    out.push("Network modes with the built-in policy on this kernel:");
    out.push(table([["MODE", "STATUS", "ISOLATION", "NETWORK"], ...modes.map((m) => [m.mode, m.status, m.isolation, m.summary])]));
    process.stdout.write(`${out.join("\n")}\n`);
  },
};

function errataText(mask: number): string {
  const fixed = [1, 2, 3].filter((n) => mask & (1 << (n - 1)));
  return fixed.length ? ` (fixed: ${fixed.map((n) => `#${n}`).join(", ")})` : "";
}

/** Whether filters can be installed, and whether this process already runs under one (a container, an outer sandbox). */
function seccompText(): string {
  if (!seccompAvailable()) return "not available (no SECCOMP_MODE_FILTER with errno and kill_process actions)";
  let mode: string | undefined;
  try {
    mode = /^Seccomp:\s*(\d)/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
  } catch {
    /* not readable: say nothing more */
  }
  return mode && mode !== "0" ? `available (this process already runs under mode ${mode})` : "available";
}
