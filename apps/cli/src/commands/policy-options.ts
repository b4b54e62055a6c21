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
    describe: "Network fence: a network namespace (no other host reachable), Landlock port rules only, or auto",
  },
  "allow-unix-sockets": {
    type: "boolean",
    describe: "Let the command create AF_UNIX sockets (below Landlock ABI 9 that opens every socket it can name: docker.sock, ssh-agent)",
  },
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
  return {
    ...discoveredSource(a.policy),
    ...(a.preset?.length ? { presets: a.preset } : {}),
    inline,
  };
}
