// Workloads as the user names them (`--workload NAME=POLICY`), read and checked: the policy must
// parse exactly as `cordon run --policy` would read it.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import ipaddr from "ipaddr.js";
import { DEFAULT_PORTS, parsePolicy, resolvePolicy } from "@cordon/policy";
import { UsageError } from "../usage-error.js";

export interface Workload {
  name: string;
  policyFile: string;
  policyText: string;
  /** Every TCP port an allow rule names (80 and 443 when a rule names none). */
  ports: number[];
  /** Private addresses the policy allows explicitly (allowedIps), with the ports of their rule. */
  privateTargets: { cidr: string; ports: number[] }[];
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
// Never reachable from the gateway, whatever a policy says: link-local (cloud metadata) and loopback.
const FORBIDDEN = ["169.254.0.0/16", "127.0.0.0/8", "fe80::/10", "::1/128"].map((c) => ipaddr.parseCIDR(c));

export function parseWorkloadArg(arg: string): { name: string; file: string } {
  const eq = arg.indexOf("=");
  const name = eq > 0 ? arg.slice(0, eq) : basename(arg).replace(/\.(ya?ml|json)$/i, "");
  const file = eq > 0 ? arg.slice(eq + 1) : arg;
  if (!DNS_LABEL.test(name)) {
    throw new UsageError(`--workload ${arg}: ${JSON.stringify(name)} is not a valid workload name (a DNS label: lowercase a-z, 0-9 and '-', at most 63); use --workload NAME=POLICY`);
  }
  return { name, file };
}

function overlapsForbidden(cidr: string): boolean {
  const [addr, prefix] = ipaddr.parseCIDR(cidr);
  return FORBIDDEN.some(([net, bits]) => {
    if (net.kind() !== addr.kind()) return false;
    // Overlap: either range contains the other's network address.
    return addr.match(net, bits) || net.match(addr, prefix);
  });
}

export function readWorkload(arg: string): Workload {
  const { name, file } = parseWorkloadArg(arg);
  let policyText: string;
  try {
    policyText = readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`--workload ${arg}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const parsed = parsePolicy(policyText, { filename: file });
  if (!parsed.ok) throw new UsageError(`--workload ${arg}: ${parsed.errors.map(String).join("; ")}`);
  const resolved = resolvePolicy({ base: parsed.policy }, { cwd: "/work", home: "/home/cordon", tmpdir: "/tmp/cordon" });
  if (!resolved.ok) throw new UsageError(`--workload ${arg}: ${resolved.errors.map(String).join("; ")}`);
  const ports = new Set<number>();
  const privateTargets: Workload["privateTargets"] = [];
  for (const rule of resolved.policy.network.allow) {
    const rulePorts = rule.ports && rule.ports.length > 0 ? rule.ports : DEFAULT_PORTS;
    for (const p of rulePorts) ports.add(p);
    for (const cidr of rule.allowedIps ?? []) {
      const normal = cidr.includes("/") ? cidr : `${cidr}/${cidr.includes(":") ? 128 : 32}`;
      if (overlapsForbidden(normal)) {
        throw new UsageError(`--workload ${arg}: rule ${rule.host} allows ${cidr}, which overlaps loopback or link-local (cloud metadata): the gateway never reaches those`);
      }
      privateTargets.push({ cidr: normal, ports: [...rulePorts] });
    }
  }
  return { name, policyFile: file, policyText, ports: [...ports].sort((a, b) => a - b), privateTargets };
}
