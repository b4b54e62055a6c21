import type { NetworkMode } from "@cordon/policy";
import { withPreload, type NodePreload } from "./node-preload.js";

const PROXY_VARS = ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy", "GRPC_PROXY", "grpc_proxy"];
const NO_PROXY_VARS = ["NO_PROXY", "no_proxy"];

export interface ChildEnvInput {
  base: NodeJS.ProcessEnv;
  mode: NetworkMode;
  proxyUrl?: string;
  tmpdir: string;
  /** TLS inspection: credential sources removed, placeholders and CA variables set (these win). */
  inspection?: { remove: readonly string[]; set: Readonly<Record<string, string>> };
  /** Routes Node 18–23's fetch and http/https agents through the proxy (NODE_OPTIONS --require). */
  nodePreload?: NodePreload | null;
  /** cordon's package cache directory: package managers cache there, not in the shared ~/.npm. */
  cacheDir?: string;
}

/** Package-manager caches redirected into cordon's per-project cache (unless the caller set them). */
export const CACHE_VARS: Readonly<Record<string, string>> = { npm_config_cache: "npm", YARN_CACHE_FOLDER: "yarn", PIP_CACHE_DIR: "pip" };

/**
 * The sandboxed command's environment: the caller's, with cordon's proxy in
 * every spelling tools look for, and a private TMPDIR that exists. Loopback
 * is in NO_PROXY because the proxy refuses loopback (SSRF) and the kernel
 * decides which local ports are reachable.
 */
export function childEnv({ base, mode, proxyUrl, tmpdir, inspection, nodePreload, cacheDir }: ChildEnvInput): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const k of [...PROXY_VARS, ...NO_PROXY_VARS]) delete env[k];
  if (proxyUrl && (mode === "platform" || mode === "proxy")) {
    for (const k of PROXY_VARS) env[k] = proxyUrl;
    for (const k of NO_PROXY_VARS) env[k] = "localhost,127.0.0.1,::1";
    // Node's fetch ignores *_PROXY without this (srt's most common complaint).
    env.NODE_USE_ENV_PROXY = "1";
    // ... which Node before 22.21 never reads: a preload routes fetch and http(s) itself.
    if (nodePreload) {
      env.NODE_OPTIONS = withPreload(env.NODE_OPTIONS, nodePreload.file);
      env.CORDON_NODE_UNDICI = nodePreload.undici;
    }
  }
  if (cacheDir) {
    for (const [k, sub] of Object.entries(CACHE_VARS)) if (env[k] === undefined) env[k] = `${cacheDir}/${sub}`;
    // npm's update check remembers its last run in that cache, which is new every run: every npm
    // command would ask the registry again and print a refused request (and a hint to open it).
    env.npm_config_update_notifier ??= "false";
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
