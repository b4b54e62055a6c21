import { existsSync, lstatSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, relative } from "node:path";
import { anchorPaths, defaultPolicy, layerPolicy, parsePolicy, PolicyError, widenings, type Policy, type PolicyLayer } from "@cordon/policy";
import { PolicyLoadError } from "./load-policy.js";
import { findProjectRoot } from "./project-root.js";
import { fileIdentity, readUserConfig, userConfigDir, userConfigPath, type ConfigPlace } from "./user-config.js";

/** The names a project's policy file may have, looked for in each directory from cwd up to the project root. */
export const PROJECT_POLICY_NAMES = ["cordon.yaml", "cordon.yml", "cordon.json"] as const;

export interface PolicyFileInUse {
  path: string;
  role: "user" | "project" | "--policy" | "CORDON_POLICY";
  /** A project file the user has not trusted may only tighten the policy below it. */
  trusted: boolean;
}

export interface DiscoveredPolicy {
  policy: Policy;
  /** The files in force, lowest layer first (none: the built-in policy alone). */
  files: PolicyFileInUse[];
  /** The user configuration's networkFence, if set (a flag or CORDON_NETWORK_FENCE overrides it). */
  networkFence?: "networkpolicy" | "none";
}

export interface DiscoverOptions extends ConfigPlace {
  cwd: string;
  /** `--policy FILE`; else `CORDON_POLICY`; either one replaces the project's file. */
  explicit?: string;
}

/** A project's file that widens the policy and is not trusted. */
export class UntrustedPolicyError extends PolicyLoadError {
  constructor(readonly file: string, readonly shown: string, errors: PolicyError[]) {
    super(errors);
    this.name = "UntrustedPolicyError";
  }
}

/**
 * The policy `cordon run` uses: the built-in default, then the user's configuration
 * (`$XDG_CONFIG_HOME/cordon/config.yaml`), then `--policy` / `CORDON_POLICY`, or else the nearest
 * project file (cwd up to the project root). A project file arrives with the project, so unless
 * the user trusted that exact content it may only tighten (see @cordon/policy `widenings`).
 * The files are added to `filesystem.protected` so a command cannot edit them for the next run.
 */
export function discoverPolicy(o: DiscoverOptions): DiscoveredPolicy {
  const env = o.env ?? process.env;
  const home = o.home ?? homedir();
  const facts = { cwd: o.cwd, home, project: findProjectRoot(o.cwd, home).dir };
  const files: PolicyFileInUse[] = [];
  let policy = defaultPolicy();
  const userFile = userConfigPath({ env, home });
  const user = readUserConfig(userFile);
  if (user?.policy) {
    policy = layerPolicy(policy, { policy: user.policy, keys: user.keys, file: userFile });
    files.push({ path: userFile, role: "user", trusted: true });
  }
  const explicit = o.explicit ?? (env["CORDON_POLICY"] || undefined);
  const protect: string[] = [userConfigDir({ env, home }), ...PROJECT_POLICY_NAMES];
  if (explicit !== undefined) {
    policy = layerPolicy(policy, readLayer(explicit, readFile(explicit)));
    files.push({ path: explicit, role: o.explicit !== undefined ? "--policy" : "CORDON_POLICY", trusted: true });
  } else {
    const found = findProjectPolicy(o.cwd, home);
    if (found) {
      const bytes = readFile(found);
      const layer = readLayer(found, bytes);
      layer.policy = anchorPaths(layer.policy, dirname(found));
      const id = fileIdentity(found, bytes);
      // A link named cordon.yaml is never trusted: it would carry another project's trusted file,
      // and its ./paths, into this one.
      const trusted = !lstatSync(found).isSymbolicLink() && (user?.trusted ?? []).some((t) => t.file === id.file && t.sha256 === id.sha256);
      if (!trusted) {
        const wide = widenings(policy, layer, facts);
        if (wide.length > 0) {
          const shown = relative(o.cwd, found) || found;
          throw new UntrustedPolicyError(
            found,
            shown,
            wide.map((w) => new PolicyError(w.key, w.why, { filename: found })),
          );
        }
      }
      policy = layerPolicy(policy, layer);
      files.push({ path: found, role: "project", trusted });
      protect.push(found);
    }
  }
  policy.filesystem.protected = [...new Set([...(policy.filesystem.protected ?? []), ...protect])];
  return { policy, files, ...(user?.networkFence ? { networkFence: user.networkFence } : {}) };
}

/** The nearest project policy file from cwd up to the project root, if any. */
export function findProjectPolicy(cwd: string, home = homedir()): string | undefined {
  const root = findProjectRoot(cwd, home).dir;
  for (let dir = cwd; ; dir = dirname(dir)) {
    for (const name of PROJECT_POLICY_NAMES) if (existsSync(join(dir, name))) return join(dir, name);
    if (dir === root || dirname(dir) === dir) return undefined;
  }
}

/** A policy file is small and regular: a FIFO or a device named cordon.yaml must not hang or flood cordon. */
const MAX_POLICY_BYTES = 1 << 20;

function readFile(file: string): Buffer {
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new PolicyLoadError([`${file}: not a regular file`]);
    if (st.size > MAX_POLICY_BYTES) throw new PolicyLoadError([`${file}: larger than ${MAX_POLICY_BYTES} bytes; not a policy file`]);
    return readFileSync(file);
  } catch (e) {
    if (e instanceof PolicyLoadError) throw e;
    throw new PolicyLoadError([`${file}: cannot read the policy file (${(e as NodeJS.ErrnoException).code ?? String(e)})`]);
  }
}

function readLayer(file: string, bytes: Buffer): PolicyLayer {
  const r = parsePolicy(bytes.toString("utf8"), { filename: file });
  if (!r.ok) throw new PolicyLoadError(r.errors);
  return { policy: r.policy, keys: r.keys ?? [], file };
}
