import { readFileSync } from "node:fs";
import type { Options } from "yargs";
import { UsageError } from "../usage-error.js";

export const UPSTREAM_PROXY_ENV = "CORDON_UPSTREAM_PROXY";

export const UPSTREAM_PROXY_OPTIONS = {
  "upstream-proxy": {
    type: "string",
    describe: `Connect out through this parent HTTP proxy: http://host:port (no credentials here; default: $${UPSTREAM_PROXY_ENV}; inside cordon: the outer proxy)`,
  },
  "upstream-proxy-auth-file": {
    type: "string",
    describe: "Read the parent proxy's credentials from FILE (one line: user:password)",
  },
} satisfies Record<string, Options>;

const ON_ARGV =
  "a command line is readable by every process on the host (/proc/PID/cmdline): " +
  `put the whole URL in ${UPSTREAM_PROXY_ENV}, or user:password in a file given with --upstream-proxy-auth-file`;

function parse(text: string, from: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new UsageError(`${from}: ${JSON.stringify(text)} is not a URL (expected http://host:port)`);
  }
}

/**
 * The parent proxy URL, credentials included, from `--upstream-proxy` (never with credentials),
 * CORDON_UPSTREAM_PROXY (the full URL) and `--upstream-proxy-auth-file`. Credentials never come
 * from argv: without a PID namespace every host process can read cordon's command line.
 */
export function upstreamProxyFrom(flag: string | undefined, authFile: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  const fromEnv = env[UPSTREAM_PROXY_ENV] || undefined;
  if (flag !== undefined) {
    const u = parse(flag, "--upstream-proxy");
    if (u.username !== "" || u.password !== "") throw new UsageError(`--upstream-proxy: refusing credentials on the command line: ${ON_ARGV}`);
  }
  const text = flag ?? fromEnv;
  if (authFile === undefined) return text;
  if (text === undefined) throw new UsageError(`--upstream-proxy-auth-file needs a proxy URL: --upstream-proxy http://host:port or ${UPSTREAM_PROXY_ENV}`);
  const url = parse(text, flag !== undefined ? "--upstream-proxy" : UPSTREAM_PROXY_ENV);
  if (url.username !== "" || url.password !== "") throw new UsageError(`--upstream-proxy-auth-file: ${UPSTREAM_PROXY_ENV} already holds credentials; give them in one place`);
  let line: string;
  try {
    line = readFileSync(authFile, "utf8").replace(/\r?\n$/, "");
  } catch (e) {
    throw new UsageError(`--upstream-proxy-auth-file ${authFile}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const colon = line.indexOf(":");
  if (colon <= 0 || line.includes("\n")) throw new UsageError(`--upstream-proxy-auth-file ${authFile}: expected one line user:password`);
  // The URL setters percent-encode; the proxy decodes them.
  url.username = line.slice(0, colon);
  url.password = line.slice(colon + 1);
  return url.href;
}
