import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const binding = require("node-gyp-build")(pkgDir) as { kernelAbi(): number };

/** The kernel's Landlock ABI version, or 0 when Landlock is unavailable. */
export function abi(): number {
  const r = binding.kernelAbi();
  return r < 0 ? 0 : r;
}

/** Absolute path of the exec launcher executable. */
export const launcherPath = join(pkgDir, "build", "Release", "cordon-launcher");
