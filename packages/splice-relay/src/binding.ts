// Loads the compiled addon: this package's build/Release first (a source build, and what a
// clone's tests use), node-gyp-build's search (prebuilds/linux-<arch>/) as the fallback.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");

export interface SpliceBinding {
  spliceRelay(fdA: number, fdB: number, idleMs: number, onDone: (errno: number, how: string, aToB: number, bToA: number) => void): number;
  spliceRelayStop(id: number): boolean;
  spliceRelayActive(): number;
}

const require = createRequire(import.meta.url);

function loadBinding(): SpliceBinding {
  try {
    return require(join(packageDir, "build", "Release", "cordon_splice_relay.node")) as SpliceBinding;
  } catch {
    return (require("node-gyp-build") as (dir: string) => SpliceBinding)(packageDir);
  }
}

export const binding = loadBinding();
