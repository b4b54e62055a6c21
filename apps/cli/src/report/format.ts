import type { EnforcementReport } from "@cordon/policy";
import type { DecisionSummary, Sandbox } from "@cordon/sandbox";
import { adviseHosts, formatHostAdvice } from "./hints.js";

/** A plain text table: columns padded to their widest cell. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("  ").trimEnd())
    .join("\n");
}

export function formatReport(report: EnforcementReport): string {
  const head = `enforcement: ${report.status} (Landlock ABI used ${report.landlockAbi.used}, kernel ${report.landlockAbi.kernel})`;
  const rows = [["PROTECTION", "ENFORCED BY", "LEVEL", "WHY"]];
  for (const i of report.items) {
    rows.push([i.protection, i.enforcedBy + (i.mechanism ? ` (${i.mechanism})` : ""), i.level, i.why + (i.hint ? ` — ${i.hint}` : "")]);
  }
  return `${head}\n${table(rows)}`;
}

/** The lines printed before a run: every protection that is not fully enforced. */
export function formatWarnings(report: EnforcementReport): string[] {
  return report.warnings.map((w) => `cordon: warning: ${w}`);
}

export function formatNetworkSummary(s: DecisionSummary, presetsInUse: readonly string[] = []): string[] {
  if (s.allowed === 0 && s.denied === 0) return [];
  const lines = [`cordon: network: ${s.allowed} allowed, ${s.denied} denied`];
  for (const d of s.deniedHosts.slice(0, 20)) {
    lines.push(`cordon:   denied ${d.host}:${d.port} (${d.reason})${d.count > 1 ? ` ×${d.count}` : ""}`);
  }
  if (s.deniedHosts.length > 20) lines.push(`cordon:   … and ${s.deniedHosts.length - 20} more`);
  for (const r of s.byRule ?? []) lines.push(`cordon:   requests ${r.rule}: ${r.allowed} allowed, ${r.denied} denied`);
  lines.push(...formatHostAdvice(adviseHosts(s.deniedHosts, presetsInUse)));
  return lines;
}

/**
 * The lines printed before a run about the defaults that shape it, each only when it says
 * something: the project (when it is not the cwd), the variables left out, the local ports.
 */
export function formatRunDefaults(sb: Pick<Sandbox, "cwd" | "project" | "withheldEnv" | "policy">): string[] {
  const lines: string[] = [];
  if (sb.project.dir !== sb.cwd) lines.push(`cordon: project: ${sb.project.dir} (the ${sb.project.why} around ${sb.cwd}): readable, writable, executable`);
  if (sb.project.gitDir) lines.push(`cordon: git worktree: its repository ${sb.project.gitDir} is writable too (hooks and config read-only)`);
  if (sb.withheldEnv.length > 0) {
    const names = sb.withheldEnv.slice(0, 8).join(", ") + (sb.withheldEnv.length > 8 ? `, … (${sb.withheldEnv.length - 8} more)` : "");
    lines.push(`cordon: environment: not passed (they look like secrets): ${names}; --env NAME passes one`);
  }
  const net = sb.policy.network;
  for (const p of net.localhostPorts) lines.push(`cordon: localhost: 127.0.0.1:${p} on this machine is reachable from inside`);
  for (const p of net.bindPorts) lines.push(`cordon: publish: 127.0.0.1:${p} inside is reachable from this machine`);
  return lines;
}

/** `explain`'s account of the defaults a run from here gets, beside the enforcement table. */
export function formatDefaults(d: { project: { dir: string; why: string; gitDir?: string }; withheldEnv: readonly string[]; localhostPorts: readonly number[]; bindPorts: readonly number[] }): string {
  const rows = [
    ["project", `${d.project.dir} (${d.project.why}): readable, writable and executable; protected paths in it stay read-only${d.project.gitDir ? `; its repository ${d.project.gitDir} writable, hooks and config read-only` : ""}`],
    ["environment", d.withheldEnv.length ? `not passed (they look like secrets): ${d.withheldEnv.join(", ")}; --env NAME passes one` : "inherited; variables that look like secrets (AWS_*, *_TOKEN, *_API_KEY, *_SECRET*, *_PASSWORD, ...) are not passed"],
    ["package caches", "npm, yarn and pip cache in the run's private TMPDIR (npm_config_cache, YARN_CACHE_FOLDER, PIP_CACHE_DIR): the shared ~/.npm, ~/.cache/yarn and ~/.cache/pip are read-only even with a preset; npm's update check is off (npm_config_update_notifier)"],
    ["Node proxy", "Node before 22.21 gets a preload (NODE_OPTIONS --require) that routes fetch and http/https through the proxy"],
    ["local ports", `${d.localhostPorts.length ? `host 127.0.0.1:${d.localhostPorts.join(", ")} reachable (--allow-localhost)` : "none reachable on the host (--allow-localhost PORT)"}; ${d.bindPorts.length ? `published ${d.bindPorts.join(", ")}` : "none published (--publish PORT)"}`],
  ];
  return `defaults:\n${table(rows.map(([a, b]) => [`  ${a}`, b!]))}`;
}
