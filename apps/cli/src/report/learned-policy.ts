// `cordon run --learn` and `cordon policy suggest`: what a run would have needed, as a policy file
// for the user to review. Never applied automatically; cloud metadata never suggested.
import { flagFor, type PathDenial } from "./landlock-denials.js";
import type { HostAdvice } from "./hints.js";

export interface Learned {
  /** What was run, for the header. */
  about: string;
  advice: HostAdvice;
  /** Kernel denials, or undefined when the kernel could not report them (say why). */
  paths: PathDenial[] | undefined;
  pathsWhy?: string;
}

const KEY = { "--ro": "readOnly", "--rw": "readWrite", "--exec": "exec" } as const;

export function learnedPolicyYaml(l: Learned): string {
  const q = (s: string) => JSON.stringify(s);
  const lines = [
    `# cordon: what ${l.about} was refused, as policy additions.`,
    "# Review each line before using any of it: nothing here has been applied. Copy what you accept",
    "# into your policy (cordon.yaml, or ~/.config/cordon/config.yaml), or pass the matching flags.",
    "version: 1",
  ];
  if (l.advice.presets.length > 0) {
    lines.push(`extends: [${l.advice.presets.map((p) => p.name).join(", ")}]`);
    for (const p of l.advice.presets) lines.push(`#   ${p.name}: for ${p.hosts.join(", ")} (--preset ${p.name})`);
  }
  const fsLines: string[] = [];
  for (const key of ["readOnly", "readWrite", "exec"] as const) {
    const paths = (l.paths ?? []).filter((d) => KEY[flagFor(d)] === key);
    if (paths.length === 0) continue;
    fsLines.push(`  ${key}:`);
    for (const d of paths) fsLines.push(`    - ${q(d.path)}   # denied: ${d.blockers.join(", ")}`);
  }
  if (fsLines.length > 0) lines.push("filesystem:", ...fsLines);
  else lines.push(`# filesystem: ${l.pathsWhy ?? "the kernel reported no denied path"}`);
  const allow = l.advice.allow;
  if (allow.length > 0) {
    lines.push("network:", "  allow:");
    for (const h of allow) lines.push(`    - ${q(h)}`);
  }
  for (const g of l.advice.privateAddress) {
    lines.push(`# ${g.host}:${g.port} resolved to ${g.address} (private): only if you trust it, add {host: ${g.host}, ports: [${g.port}], allowedIps: [${g.address}]}`);
  }
  if (l.advice.metadata.length > 0) lines.push(`# not suggested: ${l.advice.metadata.join(", ")} (cloud instance metadata: it hands out this machine's credentials)`);
  return `${lines.join("\n")}\n`;
}
