import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { writableRootsBehindLinks } from "./writable-roots.js";
import { nodePreload } from "./node-preload.js";
import { findProjectRoot, type ProjectRoot } from "./project-root.js";
import {
  defaultPolicy,
  parsePolicy,
  resolvePolicy,
  type InlineOptions,
  type Policy,
  type PolicyError,
  type ResolvedPolicy,
} from "@cordon/policy";

export interface PolicySource {
  /** A policy object, or the path of a YAML/JSON policy file. Default: the built-in default policy. */
  policy?: Policy | string;
  presets?: string[];
  inline?: InlineOptions;
  /**
   * The project directory, writable and executable: default the enclosing git repository or
   * workspace root of cwd, else cwd (findProjectRoot). false: cwd itself.
   */
  project?: string | false;
}

export class PolicyLoadError extends Error {
  constructor(readonly errors: readonly (PolicyError | string)[]) {
    super(errors.map(String).join("\n"));
    this.name = "PolicyLoadError";
  }
}

/** Reads (I/O lives here, not in @cordon/policy), parses and resolves a policy. */
export function loadPolicy(src: PolicySource, facts: { cwd: string; tmpdir: string; home?: string }): ResolvedPolicy {
  const base = typeof src.policy === "string" ? readPolicyFile(src.policy) : (src.policy ?? defaultPolicy());
  const home = facts.home ?? homedir();
  const project = projectOf(src, facts.cwd, home);
  const r = resolvePolicy(
    { base, ...(src.presets ? { presets: src.presets } : {}), ...(src.inline ? { inline: src.inline } : {}) },
    { cwd: facts.cwd, tmpdir: facts.tmpdir, home, project: project.dir, runtime: nodePreload()?.readable ?? [], ...(project.gitDir ? { gitDir: project.gitDir } : {}) },
  );
  if (!r.ok) throw new PolicyLoadError(r.errors);
  const linked = writableRootsBehindLinks(r.policy, facts.home ?? homedir());
  if (linked.length > 0) throw new PolicyLoadError(linked);
  return r.policy;
}

/** The project directory of a run from cwd, and why it is that one. */
export function projectOf(src: Pick<PolicySource, "project">, cwd: string, home = homedir()): ProjectRoot {
  if (src.project === false) return { dir: cwd, why: "current directory" };
  if (typeof src.project === "string") return { dir: src.project, why: "given" };
  return findProjectRoot(cwd, home);
}

export function readPolicyFile(file: string): Policy {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new PolicyLoadError([`${file}: cannot read the policy file (${err.code ?? err.message})`]);
  }
  const r = parsePolicy(text, { filename: file });
  if (!r.ok) throw new PolicyLoadError(r.errors);
  return r.policy;
}
