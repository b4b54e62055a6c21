// What to suggest after a run: the smallest change that makes the refused thing work, never one
// that hands out credentials (cloud metadata), and a preset rather than a trail of single hosts.
import { isIP } from "node:net";
import { isCloudMetadataHost, presets, PRESET_NAMES, ruleCovers, type PresetName } from "@cordon/policy";
import { checkAddress } from "@cordon/proxy";
import type { DeniedHost } from "@cordon/sandbox";

export interface HostAdvice {
  /** Presets that allow refused hosts (and bring the caches their tools need). */
  presets: { name: PresetName; hosts: string[] }[];
  /** HOST:PORT for --allow-host, refused hosts no preset covers. */
  allow: string[];
  /** Refused cloud metadata endpoints: said, never suggested. */
  metadata: string[];
  /** Hosts the SSRF guard refused because they resolved to a private address (not metadata). */
  privateAddress: { host: string; port: number; address: string }[];
  /**
   * Refused local or private addresses named directly (127.0.0.1:8099, [::1]:22, 10.0.0.5:80): never
   * suggested, since the command picked them and would steer the user into opening its own hole.
   */
  local: string[];
}

/** localhost, or an address literal the proxy's SSRF guard classes as not public (loopback, private, link-local, ...). */
function isLocalAddress(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  return isIP(h) !== 0 && !checkAddress(h, []).allowed;
}

export function adviseHosts(denied: readonly DeniedHost[], presetsInUse: readonly string[] = []): HostAdvice {
  const out: HostAdvice = { presets: [], allow: [], metadata: [], privateAddress: [], local: [] };
  const add = <T>(list: T[], x: T, key: (t: T) => string) => {
    if (!list.some((y) => key(y) === key(x))) list.push(x);
  };
  for (const d of denied) {
    const target = `${d.host}:${d.port}`;
    if (isCloudMetadataHost(d.host) || (d.address !== undefined && isCloudMetadataHost(d.address))) {
      add(out.metadata, target, String);
      continue;
    }
    if (d.reason === "resolves-to-blocked-address" && d.address) {
      add(out.privateAddress, { host: d.host, port: d.port, address: d.address }, (x) => `${x.host}:${x.port}`);
      continue;
    }
    if (d.reason !== "host-not-allowed") continue;
    if (isLocalAddress(d.host)) {
      add(out.local, target, String);
      continue;
    }
    const preset = PRESET_NAMES.find((name) => !presetsInUse.includes(name) && presets[name].network.allow.some((r) => ruleCovers(r, { host: d.host, ports: [d.port] })));
    if (preset) {
      const entry = out.presets.find((p) => p.name === preset) ?? out.presets[out.presets.push({ name: preset, hosts: [] }) - 1]!;
      if (!entry.hosts.includes(target)) entry.hosts.push(target);
    } else add(out.allow, target, String);
  }
  return out;
}

/** The stderr lines for the advice (after the per-host refusal lines). */
export function formatHostAdvice(a: HostAdvice): string[] {
  const lines: string[] = [];
  for (const p of a.presets) lines.push(`cordon:   ${p.hosts.join(", ")} ${p.hosts.length > 1 ? "are" : "is"} in the ${p.name} preset (${presets[p.name].description}): --preset ${p.name}`);
  if (a.allow.length > 0) lines.push(`cordon:   to allow: ${a.allow.slice(0, 5).map((h) => `--allow-host ${h}`).join(" ")}`);
  for (const g of a.privateAddress.slice(0, 3)) {
    lines.push(`cordon:   ${g.host} resolved to ${g.address}, a private or reserved address; if you trust it: --allow-host ${g.host}:${g.port}=${g.address}`);
  }
  if (a.local.length > 0) {
    lines.push(`cordon:   ${a.local.slice(0, 5).join(", ")}: ${a.local.length > 1 ? "addresses" : "an address"} on this machine or a private network, chosen by the command; not suggested (to let it reach a local service on purpose: --allow-localhost PORT)`);
  }
  if (a.metadata.length > 0) {
    lines.push(`cordon:   ${a.metadata.join(", ")}: cloud instance metadata (it hands out this machine's credentials); cordon will not suggest allowing it`);
  }
  return lines;
}

/** Tools whose usual failure in the sandbox is a missing preset (registry host and cache directory). */
const TOOL_PRESETS: Record<string, PresetName> = {
  npm: "node", npx: "node", pnpm: "node", yarn: "node", corepack: "node",
  pip: "python", pip3: "python", uv: "python", poetry: "python",
  cargo: "rust", rustup: "rust", go: "go",
};

/** After a failed run: the preset a known tool needs, when it is not in use. */
export function presetForCommand(command: string, presetsInUse: readonly string[]): PresetName | undefined {
  const name = command.split("/").pop() ?? command;
  const preset = TOOL_PRESETS[name];
  return preset && !presetsInUse.includes(preset) ? preset : undefined;
}
