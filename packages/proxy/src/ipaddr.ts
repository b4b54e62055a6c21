import { createRequire } from "node:module";
import type ipaddrModule from "ipaddr.js";

const require = createRequire(import.meta.url);
let lib: typeof ipaddrModule | undefined;

/** ipaddr.js on first use: a sandbox whose command makes no request never pays for loading it. */
export function ipaddr(): typeof ipaddrModule {
  return (lib ??= require("ipaddr.js") as typeof ipaddrModule);
}

export type { ipaddrModule };
