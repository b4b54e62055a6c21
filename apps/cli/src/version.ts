import { readFileSync } from "node:fs";

/**
 * The CLI's version, from its own package.json. yargs' `.version()` looks for it beside the
 * entry script with require(), which an ES module does not have: it printed "unknown".
 */
export function cliVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version?: unknown };
    return typeof manifest.version === "string" ? manifest.version : "unknown";
  } catch {
    return "unknown";
  }
}
