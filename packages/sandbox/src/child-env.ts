import type { NetworkMode } from "@cordon/policy";

const PROXY_VARS = ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy", "GRPC_PROXY", "grpc_proxy"];
const NO_PROXY_VARS = ["NO_PROXY", "no_proxy"];

export interface ChildEnvInput {
  base: NodeJS.ProcessEnv;
  mode: NetworkMode;
  proxyUrl?: string;
  tmpdir: string;
  /** TLS inspection: credential sources removed, placeholders and CA variables set (these win). */
  inspection?: { remove: readonly string[]; set: Readonly<Record<string, string>> };
}

/**
 * The sandboxed command's environment: the caller's, with cordon's proxy in
 * every spelling tools look for, and a private TMPDIR that exists. Loopback
 * is in NO_PROXY because the proxy refuses loopback (SSRF) and the kernel
 * decides which local ports are reachable.
 */
export function childEnv({ base, mode, proxyUrl, tmpdir, inspection }: ChildEnvInput): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const k of [...PROXY_VARS, ...NO_PROXY_VARS]) delete env[k];
  if (proxyUrl && (mode === "platform" || mode === "proxy")) {
    for (const k of PROXY_VARS) env[k] = proxyUrl;
    for (const k of NO_PROXY_VARS) env[k] = "localhost,127.0.0.1,::1";
    // Node's fetch ignores *_PROXY without this (srt's most common complaint).
    env.NODE_USE_ENV_PROXY = "1";
  }
  env.TMPDIR = tmpdir;
  env.TMP = tmpdir;
  env.TEMP = tmpdir;
  env.CORDON_SANDBOX = "1";
  if (inspection) {
    for (const k of inspection.remove) delete env[k];
    Object.assign(env, inspection.set);
  }
  return env;
}
