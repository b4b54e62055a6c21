import { realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

/** The preload that routes Node 18–23's fetch and http/https agents through the proxy. */
export interface NodePreload {
  file: string;
  /** undici's entry point, which the preload loads on the first fetch. */
  undici: string;
  /** What the command must be able to read for both (real paths: Landlock sees through links). */
  readable: string[];
}

let cached: NodePreload | null | undefined;

/** null when the preload or undici cannot be found (a broken install): then no preload. */
export function nodePreload(): NodePreload | null {
  if (cached !== undefined) return cached;
  try {
    const file = realpathSync(fileURLToPath(new URL("../preload/node-proxy.cjs", import.meta.url)));
    const undici = realpathSync(createRequire(import.meta.url).resolve("undici"));
    // undici's package directory: its entry point is index.js at the package root.
    cached = { file, undici, readable: [dirname(file), dirname(undici)] };
  } catch {
    cached = null;
  }
  return cached;
}

/** NODE_OPTIONS with the preload added in front of what the caller had (kept as it was). */
export function withPreload(existing: string | undefined, file: string): string {
  const req = `--require ${JSON.stringify(file)}`;
  if (existing?.includes(req)) return existing;
  return existing ? `${req} ${existing}` : req;
}
