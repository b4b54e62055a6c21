// `cordon proxy --gateway`: the shared in-cluster egress gateway (see docs/kubernetes.md).
import { statSync } from "node:fs";
import type { Argv } from "yargs";
import { createGateway } from "@cordon/proxy";
import { nativeRelayWanted } from "@cordon/sandbox";
import { UsageError } from "../usage-error.js";
import { parseResolveOption } from "./resolve-option.js";

export interface GatewayArgs {
  gateway?: boolean;
  policies?: string;
  credentials?: string;
  port?: number;
  "probe-port"?: number;
  "drain-seconds"?: number;
  resolve?: string[];
}

export const GATEWAY_DEFAULT_PORT = 3130;
export const GATEWAY_DEFAULT_PROBE_PORT = 9090;

const GATEWAY_OPTIONS = {
  gateway: { type: "boolean", describe: "Serve many workloads, each with its own credentials and policy (needs --policies and --credentials)" },
  policies: { type: "string", describe: "Directory of <workload>.yaml policies (a mounted ConfigMap); reloaded on change" },
  credentials: { type: "string", describe: "Directory of <workload> files holding each workload's token (a mounted Secret); reloaded on change" },
  port: { type: "number", describe: `Gateway port (default ${GATEWAY_DEFAULT_PORT})` },
  "probe-port": { type: "number", describe: `Port for /healthz, /readyz and /metrics (default ${GATEWAY_DEFAULT_PROBE_PORT})` },
  "drain-seconds": { type: "number", describe: "On SIGTERM, let open tunnels finish for this long (default 20)" },
  resolve: { type: "string", array: true, describe: "Resolve NAME to ADDR in the gateway instead of DNS: NAME=ADDR" },
} as const;

export function gatewayOptions<T>(y: Argv<T>): Argv<T & GatewayArgs> {
  return y.options(GATEWAY_OPTIONS).group(Object.keys(GATEWAY_OPTIONS), "Gateway:") as unknown as Argv<T & GatewayArgs>;
}

function directory(flag: string, path: string | undefined): string {
  if (!path) throw new UsageError(`--gateway needs --${flag} DIR`);
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new UsageError(`--${flag} ${path}: no such directory`);
  }
  if (!isDir) throw new UsageError(`--${flag} ${path}: not a directory`);
  return path;
}

function portOption(flag: string, value: number | undefined, fallback: number): number {
  const port = value ?? fallback;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--${flag} must be a port number (0-65535), got ${value}`);
  return port;
}

const SINGLE_PROXY_FLAGS = ["policy", "allow-host", "deny-host", "preset", "proxy-port", "token"];

export async function runGateway(argv: GatewayArgs & Record<string, unknown>): Promise<void> {
  const misplaced = SINGLE_PROXY_FLAGS.filter((f) => argv[f] !== undefined && !(Array.isArray(argv[f]) && (argv[f] as unknown[]).length === 0));
  if (misplaced.length > 0) {
    throw new UsageError(`--gateway takes each workload's policy from --policies, not --${misplaced[0]}`);
  }
  const drainSeconds = argv["drain-seconds"] ?? 20;
  if (!Number.isFinite(drainSeconds) || drainSeconds < 0) throw new UsageError(`--drain-seconds must be a non-negative number, got ${drainSeconds}`);
  const hosts = parseResolveOption(argv.resolve);
  const gateway = await createGateway({
    host: typeof argv.host === "string" ? argv.host : "0.0.0.0",
    port: portOption("port", argv.port, GATEWAY_DEFAULT_PORT),
    probePort: portOption("probe-port", argv["probe-port"], GATEWAY_DEFAULT_PROBE_PORT),
    policiesDir: directory("policies", argv.policies),
    credentialsDir: directory("credentials", argv.credentials),
    log: process.stdout,
    ...(hosts && { hosts }),
    ...(nativeRelayWanted() && { tunnelRelay: "splice" as const }),
  });
  const { host, port } = gateway.proxy.address;
  process.stderr.write(
    `cordon: gateway listening on ${host}:${port} for ${gateway.workloads.length} workload(s) (${gateway.workloads.join(", ") || "none yet"}); probes and metrics on :${gateway.probePort}\n`,
  );
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
  process.stderr.write(`cordon: ${signal}: draining open tunnels for up to ${drainSeconds} s\n`);
  const drained = await gateway.drain(drainSeconds * 1000);
  process.stderr.write(`cordon: gateway stopped (${drained ? "every tunnel finished" : "tunnels still open after the grace period were closed"})\n`);
}
