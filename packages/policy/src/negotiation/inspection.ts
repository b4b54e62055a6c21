// The proxy's TLS inspection in the report: request rules and injected credentials, as binding
// as the host allowlist they ride on.
import type { ResolvedPolicy } from "../model.js";
import type { ReportItem } from "../report.js";

/** Hosts whose TLS the proxy terminates: their request rules and injected credentials. */
export function inspectionItems(net: ResolvedPolicy["network"], items: readonly ReportItem[], noLandlock: string | undefined): ReportItem[] {
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

