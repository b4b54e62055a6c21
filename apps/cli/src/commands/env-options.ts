import { UsageError } from "../usage-error.js";

/** Variables kept by --env-clear: what programs need to run, nothing that is usually a secret. */
const BASIC = ["PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LC_ALL", "LC_CTYPE", "TERM", "TZ", "COLORTERM"];

/** The names `--env` gives: each passes even when it looks like a secret (AWS_*, *_TOKEN, ...). */
export function passedNames(entries: readonly string[] = []): string[] {
  return entries.map((e) => (e.includes("=") ? e.slice(0, e.indexOf("=")) : e));
}

/**
 * The command's base environment from `--env-clear` and `--env NAME[=VALUE]`
 * (repeatable): NAME alone passes the caller's value through, NAME=VALUE sets
 * it. Without either, the caller's environment is inherited, except the
 * variables that look like secrets (the sandbox leaves those out unless
 * named with --env). cordon's own variables (proxy, TMPDIR) are added on top later.
 */
export function commandEnvironment(base: NodeJS.ProcessEnv, clear: boolean, entries: readonly string[] = []): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  if (clear) {
    for (const k of BASIC) if (base[k] !== undefined) env[k] = base[k];
  } else Object.assign(env, base);
  // The parent proxy's credentials are cordon's, not the command's.
  delete env.CORDON_UPSTREAM_PROXY;
  for (const entry of entries) {
    const eq = entry.indexOf("=");
    const name = eq < 0 ? entry : entry.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new UsageError(`--env ${entry}: expected NAME or NAME=VALUE with a variable name`);
    if (eq >= 0) env[name] = entry.slice(eq + 1);
    else if (base[name] !== undefined && name !== "CORDON_UPSTREAM_PROXY") env[name] = base[name];
  }
  return env;
}
