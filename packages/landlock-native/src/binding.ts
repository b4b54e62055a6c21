// Loads the compiled addon. Every function returns the kernel's answer: a
// value, or a negative errno (addPathRule: null or the failing errno+syscall).
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The package root (works from both src/ and dist/). */
export const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");

export interface NativeBinding {
  query(flags: number): number;
  createRuleset(fs: number, net: number, scoped: number): number;
  addPathRule(rulesetFd: number, path: string, access: number): null | { errno: number; syscall: string };
  addPortRule(rulesetFd: number, port: number, access: number): number;
  closeFd(fd: number): number;
  strerror(errno: number): string;
  removeTreeAt(parent: string, name: string): number;
}

const require = createRequire(import.meta.url);

/**
 * The addon this package builds: loaded directly (every sandboxed command pays
 * for start-up, and node-gyp-build scans directories first); node-gyp-build's
 * search (prebuilds/, Debug builds) is the fallback.
 */
function loadBinding(): NativeBinding {
  try {
    return require(join(packageDir, "build", "Release", "cordon_landlock.node")) as NativeBinding;
  } catch {
    return (require("node-gyp-build") as (dir: string) => NativeBinding)(packageDir);
  }
}

let loaded: NativeBinding | undefined;
/**
 * Loaded on first use, not at import: the CLI's start-up snapshot evaluates this
 * module while it is built, and a native addon cannot be part of a V8 snapshot.
 */
export const binding: NativeBinding = new Proxy({} as NativeBinding, {
  get: (_, key) => (loaded ??= loadBinding())[key as keyof NativeBinding],
});

export const CREATE_RULESET_VERSION = 1 << 0;
export const CREATE_RULESET_ERRATA = 1 << 1;
