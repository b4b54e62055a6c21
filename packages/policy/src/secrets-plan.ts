// What negotiate() does with the secret paths the sandbox found: leave them out
// of the Landlock rules, mask them in a mount namespace, and say so (fs.secrets).
import type { ResolvedPolicy } from "./model.js";
import type { DecisionError, KernelFacts, PlannedPath, ReportItem } from "./report.js";
import { leaveOutSecrets, releasedBy, secretMatches } from "./secrets.js";

export interface SecretsOutcome {
  paths: PlannedPath[];
  mask: string[];
  items: ReportItem[];
  warnings: string[];
  errors: DecisionError[];
}

const LISTED = 6;
const list = (xs: readonly string[]) => `${xs.slice(0, LISTED).join(", ")}${xs.length > LISTED ? `, … (${xs.length - LISTED} more)` : ""}`;

/**
 * `landlockAbi` is 0 when no Landlock layer is applied; `mountNamespace` whether the launcher runs
 * the command in a mount namespace where the secrets can be masked.
 */
export function planSecrets(
  policy: ResolvedPolicy,
  facts: KernelFacts,
  paths: PlannedPath[],
  ctx: { landlockAbi: number; mountNamespace: boolean },
): SecretsOutcome | undefined {
  if (facts.secretPaths === undefined) return undefined;
  const out: SecretsOutcome = { paths, mask: [], items: [], warnings: [], errors: [] };
  const hard = policy.compat === "hard";
  const granted = policy.filesystem.paths.filter((p) => facts.paths[p.path] === "directory" || facts.paths[p.path] === "file").map((p) => p.path);
  const reachable = (s: string) => granted.some((g) => s === g || s.startsWith(g === "/" ? "/" : `${g}/`));

  const released: string[] = [];
  const secrets: string[] = [];
  for (const s of secretMatches(policy, facts.secretPaths)) {
    const by = releasedBy(policy, s);
    if (by !== undefined) released.push(`${s} (${by})`);
    else if (reachable(s)) secrets.push(s);
  }

  let unsplittable: string[] = [];
  let split: string[] = [];
  if (ctx.landlockAbi > 0) {
    const r = leaveOutSecrets(paths, secrets, facts.listings ?? {});
    out.paths = r.paths;
    unsplittable = r.unsplittable;
    split = r.split;
  }
  if (ctx.mountNamespace) out.mask = secrets;

  const mechanisms: string[] = [];
  if (ctx.landlockAbi > 0) mechanisms.push(`Landlock ABI ${ctx.landlockAbi} (readable directories around them granted entry by entry without them)`);
  if (ctx.mountNamespace) mechanisms.push("mount namespace (masked: an empty read-only file or directory)");
  const open = ctx.mountNamespace ? [] : ctx.landlockAbi > 0 ? unsplittable : secrets;
  const requested = secrets.length === 0 ? "secret paths unreadable (none of them exists here inside a granted path)" : `${secrets.length} secret path(s) unreadable: ${list(secrets)}`;
  if (open.length === 0) {
    const how = [
      ctx.landlockAbi > 0 ? "reading them fails with EACCES" : "",
      ctx.mountNamespace ? "in the mount namespace they are empty" : "",
      split.length > 0 ? `directories granted entry by entry: ${list(split)}` : "",
    ].filter(Boolean);
    out.items.push({ id: "fs.secrets", protection: "secret files", requested, enforcedBy: "kernel", mechanism: mechanisms.join(" + ") || "nothing to enforce", level: "full", why: how.join("; ") || "no secret path exists inside a granted path", kind: "requested" });
  } else {
    const why =
      ctx.landlockAbi > 0
        ? `${list(open)} lie in a directory that is also writable, and Landlock cannot leave a path out of a writable directory without taking its create and remove rights`
        : "no Landlock layer and no mount namespace this run";
    out.items.push({
      id: "fs.secrets",
      protection: "secret files",
      requested,
      enforcedBy: open.length < secrets.length ? "kernel" : "nothing",
      ...(mechanisms.length ? { mechanism: mechanisms.join(" + ") } : {}),
      level: open.length < secrets.length ? "partial" : "none",
      why: `readable: ${why}`,
      hint: "do not make a directory holding secrets writable, or run where user namespaces are available (the secrets are masked there)",
      kind: "requested",
    });
    if (hard) out.errors.push({ code: "not-enforced", id: "fs.secrets", message: `compat hard: secret files stay readable: ${list(open)}` });
    else out.warnings.push(`NOT ENFORCED: secret files stay readable: ${list(open)} (${why})`);
  }
  const home = policy.filesystem.paths.find((p) => p.path === policy.facts.home && p.access === "exec");
  if (home && facts.paths[home.path] === "directory") {
    out.items.push({
      id: "fs.home",
      protection: "home directory",
      requested: `${home.path} readable and executable (tools and their configuration), not writable, without its secrets`,
      enforcedBy: ctx.landlockAbi > 0 ? "kernel" : "nothing",
      ...(ctx.landlockAbi > 0 ? { mechanism: `Landlock ABI ${ctx.landlockAbi} path rules` } : {}),
      level: ctx.landlockAbi > 0 ? "full" : "none",
      why: ctx.landlockAbi > 0 ? "writes fail with EACCES; package caches there (~/.npm, ~/.cargo/registry) are read-only; the secrets: fs.secrets" : "no Landlock layer this run",
      kind: "requested",
    });
  }
  if (released.length > 0) {
    out.items.push({ id: "fs.secrets-released", protection: "secret files released", requested: "-", enforcedBy: "nothing", level: "none", why: `readable because a grant of the policy or a flag names them: ${list(released)}`, kind: "limitation" });
  }
  if (ctx.landlockAbi > 0 && split.length > 0 && !ctx.mountNamespace) {
    out.items.push({
      id: "fs.secrets-entries",
      protection: "directories granted entry by entry",
      requested: "-",
      enforcedBy: "nothing",
      level: "partial",
      why: `Landlock rules hold the entries that existed at start: an entry created (or replaced by rename) during the run directly in ${list(split)} is not readable; the names inside a secret directory can still be listed`,
      kind: "limitation",
    });
  }
  return out;
}
