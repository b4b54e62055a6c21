import type { Argv, Options } from "yargs";
import type { Compat, InlineOptions, Isolation, NetworkMode } from "@cordon/policy";
import type { DiscoveredPolicy, PolicySource } from "@cordon/sandbox";
import { discoveredSource } from "./policy-files.js";

export interface PolicyArgs {
  policy?: string;
  preset?: string[];
  "allow-host"?: string[];
  "deny-host"?: string[];
  ro?: string[];
  rw?: string[];
  exec?: string[];
  network?: NetworkMode;
  "proxy-port"?: number;
  compat?: Compat;
  isolation?: Isolation;
  "allow-unix-sockets"?: boolean;
  "allow-localhost"?: number[];
  publish?: number[];
  "max-processes"?: string;
  "max-memory"?: string;
  "tmpdir-size"?: string;
}

/** The options every policy-taking command shares (run, explain, proxy). */
export const POLICY_OPTIONS = {
  policy: { alias: "p", type: "string", describe: "Policy file (YAML or JSON) instead of the project's cordon.yaml; also CORDON_POLICY. Default: ~/.config/cordon/config.yaml, then the nearest cordon.yaml up to the project root" },
  preset: { type: "string", array: true, describe: "Add a named preset (node, python, git, go, rust)" },
  "allow-host": { type: "string", array: true, describe: "Allow a host through the proxy: HOST[:PORT], *.example.com, **.example.com; HOST=CIDR,... also lets it resolve into those private addresses" },
  "deny-host": { type: "string", array: true, describe: "Deny a host (wins over any allow)" },
  "allow-localhost": { type: "number", array: true, describe: "Let the command reach a service on this machine's 127.0.0.1:PORT" },
  publish: { type: "number", array: true, describe: "Let the command listen on PORT, reached from this machine's 127.0.0.1:PORT (a dev server)" },
  ro: { type: "string", array: true, describe: "Add a read-only path" },
  rw: { type: "string", array: true, describe: "Add a read-write path" },
  exec: { type: "string", array: true, describe: "Add a read + execute path" },
  network: { type: "string", choices: ["platform", "proxy", "none", "unrestricted"], describe: "Network mode" },
  "proxy-port": { type: "number", describe: "Proxy port (0 = any free port)" },
  compat: { type: "string", choices: ["best-effort", "soft", "hard"], describe: "What to do when the kernel lacks a feature" },
  isolation: {
    type: "string",
    choices: ["auto", "namespace", "landlock"],
    describe:
      "Namespaces (network fence, PID/IPC namespaces, fresh /proc, read-only tree, private TMPDIR tmpfs), Landlock and a supervisor only, or auto",
  },
  "allow-unix-sockets": {
    type: "boolean",
    describe: "Let the command create AF_UNIX sockets (below Landlock ABI 9 that opens every socket it can name: docker.sock, ssh-agent)",
  },
  "max-processes": { type: "string", describe: "At most this many processes (cgroup v2 pids controller; reported when not available)" },
  "max-memory": { type: "string", describe: "At most this much memory, e.g. 2G (cgroup v2 memory controller; reported when not available)" },
  "tmpdir-size": { type: "string", describe: "Size of the private TMPDIR, e.g. 512M (a tmpfs under namespace isolation)" },
} satisfies Record<string, Options>;

export function withPolicyOptions<T>(y: Argv<T>): Argv<T & PolicyArgs> {
  return y.options(POLICY_OPTIONS).group(Object.keys(POLICY_OPTIONS), "Policy:") as unknown as Argv<T & PolicyArgs>;
}

export function policySourceFromArgs(a: PolicyArgs): PolicySource & { discovered: DiscoveredPolicy } {
  const inline: InlineOptions = {};
  if (a["allow-host"]?.length) inline.allowHosts = a["allow-host"];
  if (a["deny-host"]?.length) inline.denyHosts = a["deny-host"];
  if (a.ro?.length) inline.readOnly = a.ro;
  if (a.rw?.length) inline.readWrite = a.rw;
  if (a.exec?.length) inline.exec = a.exec;
  if (a["allow-localhost"]?.length) inline.localhostPorts = a["allow-localhost"];
  if (a.publish?.length) inline.bindPorts = a.publish;
  if (a.network) inline.network = a.network;
  if (a["proxy-port"] !== undefined) inline.proxyPort = a["proxy-port"];
  if (a.compat) inline.compat = a.compat;
  if (a.isolation) inline.isolation = a.isolation;
  if (a["allow-unix-sockets"] !== undefined) inline.allowUnixSockets = a["allow-unix-sockets"];
  const limits: NonNullable<InlineOptions["limits"]> = {};
  if (a["max-processes"] !== undefined) limits.processes = a["max-processes"];
  if (a["max-memory"] !== undefined) limits.memory = a["max-memory"];
  if (a["tmpdir-size"] !== undefined) limits.tmpdirSize = a["tmpdir-size"];
  if (Object.keys(limits).length > 0) inline.limits = limits;
  return {
    ...discoveredSource(a.policy),
    ...(a.preset?.length ? { presets: a.preset } : {}),
    inline,
  };
}
