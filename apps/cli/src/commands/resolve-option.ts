import { isIP } from "node:net";

/**
 * `--resolve NAME=ADDR` (repeatable): names the proxy resolves without DNS,
 * like /etc/hosts. It replaces DNS only: the SSRF guard still applies, so a
 * loopback or private address also needs an allow rule with `allowedIps`.
 */
export function parseResolveOption(values: readonly string[] | undefined): Record<string, string[]> | undefined {
  if (!values?.length) return undefined;
  const hosts: Record<string, string[]> = {};
  for (const v of values) {
    const eq = v.indexOf("=");
    const name = v.slice(0, eq).trim().toLowerCase();
    const addr = v.slice(eq + 1).trim().replace(/^\[(.*)\]$/, "$1");
    if (eq <= 0 || !name || isIP(addr) === 0) {
      throw new Error(`--resolve ${v}: expected NAME=ADDRESS with an IP address, e.g. --resolve api.internal=10.0.0.5`);
    }
    (hosts[name] ??= []).push(addr);
  }
  return hosts;
}
