// Secret paths: credentials that stay unreadable even inside a readable tree
// (/etc, the home directory). One mechanism for the system's and the user's
// secrets: in a mount namespace they are masked (plan.isolation.mask); and
// whenever Landlock is on, the readable directories around them are granted
// entry by entry without them, so the kernel answers EACCES. Pure: the sandbox
// package expands the patterns and lists the directories (kernel-facts.ts).
import { posix } from "node:path";
import { FS_ACCESS, FS_FILE_RIGHTS } from "./abi.js";
import type { ResolvedPolicy } from "./model.js";
import { checkPathSyntax, expandPath } from "./paths.js";
import type { PlannedPath } from "./report.js";

/**
 * Built-in secrets. Not here on purpose: `/etc/sudoers*` (who may do what, not a credential; root-only
 * by mode anyway); `~/.gitconfig` and `~/.config/git/config` (git needs them; a credential helper
 * there names a program, it holds no token); build tools' configuration that may also hold tokens
 * but that builds read (`~/.m2/settings.xml`, `~/.gradle/gradle.properties`): add them with
 * filesystem.secrets if yours do.
 */
export const DEFAULT_SECRETS: readonly string[] = [
  // Password hashes, host keys, TLS and Kerberos keys, stored network passwords.
  "/etc/shadow",
  "/etc/shadow-",
  "/etc/gshadow",
  "/etc/gshadow-",
  "/etc/security/opasswd",
  "/etc/ssh/*_key",
  "/etc/ssl/private",
  "/etc/krb5.keytab",
  "/etc/NetworkManager/system-connections",
  "/etc/wireguard",
  // The user's credentials.
  "~/.ssh",
  "~/.gnupg",
  "~/.aws",
  "~/.azure",
  "~/.config/gcloud",
  "~/.oci",
  "~/.kube",
  "~/.docker",
  "~/.config/gh",
  "~/.config/hub",
  "~/.config/glab-cli",
  "~/.netrc",
  "~/.git-credentials",
  "~/.config/git/credentials",
  "~/.npmrc",
  "~/.yarnrc.yml",
  "~/.pypirc",
  "~/.cargo/credentials",
  "~/.cargo/credentials.toml",
  "~/.gem/credentials",
  "~/.terraform.d/credentials.tfrc.json",
  "~/.vault-token",
  "~/.password-store",
  "~/.local/share/keyrings",
  "~/.config/op",
  "~/.config/rclone",
  "~/.config/sops",
  "~/.config/containers/auth.json",
  "~/.s3cfg",
  "~/.boto",
  "~/.pgpass",
  "~/.my.cnf",
  "~/.m2/settings-security.xml",
  // AI agents' own sign-in tokens.
  "~/.claude/.credentials.json",
  "~/.codex/auth.json",
  // Browser and mail profiles: cookies are signed-in sessions.
  "~/.mozilla",
  "~/.thunderbird",
  "~/.config/google-chrome",
  "~/.config/chromium",
  "~/.config/BraveSoftware",
  // Shell and REPL histories (commands typed with tokens in them).
  "~/.*_history",
  "~/.zhistory",
  "~/.histfile",
  "~/.local/share/fish/fish_history",
  "~/.lesshst",
];

export type SecretCheck = { ok: true } | { ok: false; reason: string; hint?: string };

/** An absolute or `~/` path; `*` only in the last segment. */
export function checkSecretEntry(text: string): SecretCheck {
  if (!text.startsWith("/") && !text.startsWith("~/")) {
    return { ok: false, reason: `"${text}": a secret is an absolute path or one under ~/`, hint: `write "~/${text.replace(/^\.\//, "")}" or an absolute path` };
  }
  const check = checkPathSyntax(text, false);
  if (!check.ok) return check;
  if (text.split("/").slice(0, -1).some((s) => s.includes("*"))) return { ok: false, reason: `"${text}": "*" is only supported in the last segment` };
  if (posix.normalize(expandPath(text, { cwd: "/", home: "/h" })) === "/") return { ok: false, reason: "the root directory cannot be a secret" };
  return { ok: true };
}

export interface SecretCandidate {
  /** Absolute; the last segment may hold `*`. */
  pattern: string;
  origin: "default" | "policy";
}

/** The built-in secrets and the policy's, expanded (`~` is the run's HOME). */
export function secretCandidates(policy: ResolvedPolicy): SecretCandidate[] {
  const out = new Map<string, SecretCandidate>();
  const where = { cwd: policy.facts.cwd, home: policy.facts.home };
  for (const entry of DEFAULT_SECRETS) {
    // HOME "/" (some service users) would turn ~/.ssh into /.ssh: harmless, kept.
    const pattern = expandPath(entry, where);
    out.set(pattern, { pattern, origin: "default" });
  }
  // Files the proxy injects credentials from (TLS inspection) are secrets too.
  const credentialFiles = policy.network.allow.flatMap((r) => (r.credentials ?? []).flatMap((c) => (c.file !== undefined ? [c.file] : [])));
  for (const entry of [...policy.filesystem.secrets, ...credentialFiles]) {
    const pattern = expandPath(entry, where);
    if (!out.has(pattern)) out.set(pattern, { pattern, origin: "policy" });
  }
  return [...out.values()];
}

const inside = (path: string, dir: string) => dir === "/" ? path !== "/" : path.startsWith(`${dir}/`);
const within = (path: string, dir: string) => path === dir || inside(path, dir);

/** A directory entry as the sandbox listed it (lstat: a symlink is a symlink). */
export interface ListedEntry {
  name: string;
  kind: "directory" | "file" | "symlink";
}

/** The existing secret paths: every match of every candidate, deduplicated. */
export function secretMatches(policy: ResolvedPolicy, found: Record<string, string[]>): string[] {
  const all = new Set<string>();
  for (const c of secretCandidates(policy)) for (const m of found[c.pattern] ?? []) all.add(m);
  return [...all].sort();
}

/**
 * The granted directories that must be listed to leave the secrets out entry by entry: every strict
 * ancestor of a secret that lies in (or is) a granted path. The sandbox lists them for negotiate().
 */
export function directoriesToList(policy: ResolvedPolicy, secrets: readonly string[]): string[] {
  const granted = policy.filesystem.paths.map((p) => p.path);
  const dirs = new Set<string>();
  for (const s of secrets) {
    for (let dir = posix.dirname(s); ; dir = posix.dirname(dir)) {
      if (granted.some((g) => within(dir, g))) dirs.add(dir);
      if (dir === "/") break;
    }
  }
  return [...dirs].sort();
}

export interface SecretSplit {
  /** The plan's path rules with every secret left out. */
  paths: PlannedPath[];
  /** Secrets whose readable ancestor is also writable: Landlock cannot leave them out. */
  unsplittable: string[];
  /** Directories granted entry by entry (for the report). */
  split: string[];
  /** Rules dropped because a default or preset grant named a secret itself (e.g. the node preset's ~/.npmrc). */
  dropped: string[];
}

const WRITE_RIGHTS =
  FS_ACCESS.WRITE_FILE | FS_ACCESS.REMOVE_DIR | FS_ACCESS.REMOVE_FILE | FS_ACCESS.MAKE_CHAR | FS_ACCESS.MAKE_DIR | FS_ACCESS.MAKE_REG |
  FS_ACCESS.MAKE_SOCK | FS_ACCESS.MAKE_FIFO | FS_ACCESS.MAKE_BLOCK | FS_ACCESS.MAKE_SYM | FS_ACCESS.TRUNCATE;

/**
 * Landlock rules only add, and a rule on a directory covers everything below it; so a readable
 * directory that holds a secret is replaced by a READ_DIR-only rule on itself and its original
 * rights on each entry but the secret (descending into the secret's ancestors). Symlinks are left
 * out: the kernel checks their target, which keeps its own rules. `kinds` gives each planned path's
 * kind; `listings` each ancestor's entries (a missing listing grants nothing below that directory).
 */
export function leaveOutSecrets(
  planned: readonly PlannedPath[],
  secrets: readonly string[],
  listings: Readonly<Record<string, readonly ListedEntry[]>>,
): SecretSplit {
  const secretSet = new Set(secrets);
  const ancestors = new Set<string>();
  for (const s of secrets) for (let d = posix.dirname(s); ; d = posix.dirname(d)) {
    ancestors.add(d);
    if (d === "/") break;
  }
  const out = new Map<string, PlannedPath>();
  const order: string[] = [];
  const add = (path: string, access: number, source: PlannedPath["source"], entry = false) => {
    if (access === 0) return;
    const existing = out.get(path);
    if (existing) {
      existing.access |= access;
      // A path the policy names itself is not only an entry (Landlock follows it as before).
      if (!entry) delete existing.entry;
    } else {
      out.set(path, { path, access, source, ...(entry ? { entry: true as const } : {}) });
      order.push(path);
    }
  };
  const unsplittable = new Set<string>();
  const split = new Set<string>();
  const dropped: string[] = [];

  const splitDir = (dir: string, access: number, source: PlannedPath["source"]) => {
    split.add(dir);
    add(dir, access & FS_ACCESS.READ_DIR, source);
    for (const entry of listings[dir] ?? []) {
      const child = dir === "/" ? `/${entry.name}` : `${dir}/${entry.name}`;
      if (secretSet.has(child) || entry.kind === "symlink") continue;
      if (ancestors.has(child) && entry.kind === "directory") splitDir(child, access, source);
      else add(child, entry.kind === "file" ? access & FS_FILE_RIGHTS : access, source, true);
    }
  };

  for (const rule of planned) {
    if (secrets.some((s) => within(rule.path, s))) {
      dropped.push(rule.path);
      continue;
    }
    if (!ancestors.has(rule.path)) {
      add(rule.path, rule.access, rule.source);
      continue;
    }
    // A rule without read or execute rights on files reveals nothing below it.
    if ((rule.access & (FS_ACCESS.READ_FILE | FS_ACCESS.EXECUTE)) === 0) {
      add(rule.path, rule.access, rule.source);
      continue;
    }
    if (rule.access & WRITE_RIGHTS) {
      // Leaving the secret out would take the directory's own create/remove rights: keep the rule.
      for (const s of secrets) if (inside(s, rule.path)) unsplittable.add(s);
      add(rule.path, rule.access, rule.source);
      continue;
    }
    splitDir(rule.path, rule.access, rule.source);
  }
  // A directory split by one rule keeps only READ_DIR even if another rule granted it more.
  for (const dir of split) {
    const r = out.get(dir);
    if (r && !planned.some((p) => p.path === dir && p.access & WRITE_RIGHTS)) r.access &= FS_ACCESS.READ_DIR;
  }
  return { paths: order.map((p) => out.get(p)!).filter((p) => p.access !== 0), unsplittable: [...unsplittable].sort(), split: [...split].sort(), dropped };
}

/** Whether an explicit grant (not a default or preset) names the secret or a path inside it. */
export function releasedBy(policy: ResolvedPolicy, secret: string): string | undefined {
  const grant = policy.filesystem.paths.find((p) => !p.optional && p.source !== "tmpdir" && within(p.path, secret));
  return grant?.origin;
}
