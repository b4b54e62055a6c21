import { existsSync, realpathSync } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * How the user can type this CLI: `cordon` when that name on PATH is this CLI, else the path of
 * its bin/cordon (after `pnpm demo` in a clone, `cordon` is not installed: a hint naming it would
 * end in "command not found"). Absolute: the hint is for another directory, the user's project.
 */
export function cordonCommand(path: string = process.env["PATH"] ?? ""): string {
  const bin = fileURLToPath(new URL("../../bin/cordon", import.meta.url));
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return undefined;
    }
  };
  const self = real(bin);
  for (const dir of path.split(delimiter)) {
    const candidate = join(dir || ".", "cordon");
    if (existsSync(candidate) && self !== undefined && real(candidate) === self) return "cordon";
  }
  return bin;
}
