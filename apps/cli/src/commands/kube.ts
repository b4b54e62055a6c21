// `cordon kube`: Kubernetes manifests from cordon policies (docs/kubernetes.md).
import type { CommandModule } from "yargs";
import ipaddr from "ipaddr.js";
import type { KubeLayout } from "../kube/layout.js";
import { buildManifests } from "../kube/manifests.js";
import { renderStream, writeKustomizeBase } from "../kube/render.js";
import { readWorkload } from "../kube/workloads.js";
import { UsageError } from "../usage-error.js";
import { GATEWAY_DEFAULT_PORT, GATEWAY_DEFAULT_PROBE_PORT } from "./proxy-gateway.js";

interface KubeArgs {
  workload?: string[];
  namespace?: string;
  image?: string;
  "workload-image"?: string;
  "gateway-name"?: string;
  "gateway-port"?: number;
  "probe-port"?: number;
  "local-proxy-port"?: number;
  replicas?: number;
  "private-range"?: string[];
  patch?: string;
  kustomize?: string;
  credentials?: boolean;
  "--"?: (string | number)[];
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DEFAULT_IMAGE = "cordon:latest";

function port(flag: string, value: number | undefined, fallback: number): number {
  const p = value ?? fallback;
  if (!Number.isInteger(p) || p < 1 || p > 65535) throw new UsageError(`--${flag} must be a port number (1-65535), got ${value}`);
  return p;
}

function name(flag: string, value: string): string {
  if (!DNS_LABEL.test(value)) throw new UsageError(`--${flag} ${value}: not a valid Kubernetes name (a DNS label: lowercase a-z, 0-9 and '-')`);
  return value;
}

export const kubeCommand: CommandModule<object, KubeArgs> = {
  command: "kube [options] [-- command...]",
  describe: "Write Kubernetes manifests from cordon policies: an egress gateway, and workloads that may only reach it",
  builder: (y) =>
    y
      .option("workload", { type: "string", array: true, describe: "A workload and its cordon policy: NAME=POLICY (repeatable; NAME defaults to the file's base name)" })
      .option("namespace", { type: "string", describe: "Namespace of every object (default: kubectl's current one)" })
      .option("image", { type: "string", describe: `The cordon image (deploy/Dockerfile) the gateway runs (default ${DEFAULT_IMAGE})` })
      .option("workload-image", { type: "string", describe: "The image the workload runs; it must contain cordon (default: --image)" })
      .option("gateway-name", { type: "string", describe: "Name of the gateway's Deployment and Service (default cordon-gateway)" })
      .option("gateway-port", { type: "number", describe: `The gateway's proxy port (default ${GATEWAY_DEFAULT_PORT})` })
      .option("probe-port", { type: "number", describe: `The gateway's probes and metrics port (default ${GATEWAY_DEFAULT_PROBE_PORT})` })
      .option("local-proxy-port", { type: "number", describe: "The workload's own cordon proxy port; never the gateway's (default 3128)" })
      .option("replicas", { type: "number", describe: "Gateway replicas (default 2)" })
      .option("private-range", { type: "string", array: true, describe: "A CIDR the gateway must never reach, beyond the private ranges (e.g. a cluster using public addresses for pods)" })
      .option("patch", { type: "string", describe: "Print only a strategic-merge patch putting an existing Deployment's container under cordon: DEPLOYMENT[/CONTAINER] (one workload; the command after -- replaces the container's)" })
      .option("kustomize", { type: "string", describe: "Write a kustomize base into this new directory instead of printing YAML" })
      .option("credentials", { type: "boolean", default: true, describe: "Write each workload's credentials Secret with a fresh token (--no-credentials: create them yourself)" })
      .example("cordon kube --workload agent=agent.yaml -- node agent.js | kubectl apply -f -", "A gateway and one workload running `node agent.js` under cordon")
      .example("cordon kube --workload agent=agent.yaml --patch agent -- node agent.js > patch.yaml", "A patch for an existing Deployment 'agent' (kubectl patch deployment agent --patch-file patch.yaml)")
      .example("cordon kube --workload a=a.yaml --workload b=b.yaml --kustomize deploy/cordon", "A kustomize base for two workloads") as never,
  handler: (argv) => {
    const args = (argv["--"] ?? []).map(String);
    if (!argv.workload?.length) throw new UsageError("name at least one workload: --workload NAME=POLICY (a cordon policy file)");
    const workloads = argv.workload.map(readWorkload);
    const seen = new Set<string>();
    for (const w of workloads) {
      if (seen.has(w.name)) throw new UsageError(`--workload ${w.name} is given twice`);
      seen.add(w.name);
    }
    const privateRanges = (argv["private-range"] ?? []).map((c) => {
      if (!ipaddr.isValidCIDR(c)) throw new UsageError(`--private-range ${c}: not a CIDR (e.g. 203.0.113.0/24)`);
      return c;
    });
    const gatewayPort = port("gateway-port", argv["gateway-port"], GATEWAY_DEFAULT_PORT);
    const probePort = port("probe-port", argv["probe-port"], GATEWAY_DEFAULT_PROBE_PORT);
    const localProxyPort = port("local-proxy-port", argv["local-proxy-port"], 3128);
    if (localProxyPort === gatewayPort) {
      throw new UsageError(`--local-proxy-port must differ from --gateway-port (${gatewayPort}): in Landlock-only mode the kernel's port rule is address-blind, so the workload could reach the gateway directly`);
    }
    if (probePort === gatewayPort) throw new UsageError("--probe-port must differ from --gateway-port");
    const replicas = argv.replicas ?? 2;
    if (!Number.isInteger(replicas) || replicas < 1) throw new UsageError(`--replicas must be a positive integer, got ${argv.replicas}`);
    const image = argv.image ?? DEFAULT_IMAGE;
    const layout: KubeLayout = {
      namespace: argv.namespace !== undefined ? name("namespace", argv.namespace) : undefined,
      gateway: name("gateway-name", argv["gateway-name"] ?? "cordon-gateway"),
      image,
      workloadImage: argv["workload-image"] ?? image,
      gatewayPort,
      probePort,
      localProxyPort,
      replicas,
      privateRanges,
    };
    let patch: { deployment: string; container: string } | undefined;
    if (argv.patch !== undefined) {
      const [deployment = "", container = deployment, extra] = argv.patch.split("/");
      if (extra !== undefined) throw new UsageError(`--patch ${argv.patch}: expected DEPLOYMENT or DEPLOYMENT/CONTAINER`);
      patch = { deployment: name("patch", deployment), container: name("patch", container) };
      if (workloads.length !== 1) throw new UsageError("--patch puts one workload under cordon: give exactly one --workload");
      if (args.length === 0) throw new UsageError("--patch needs the container's command after '--' (cordon run wraps it; a patch cannot read the current one)");
    }
    const manifests = buildManifests({ layout, workloads, command: args, ...(patch && { patch }), withCredentials: argv.credentials !== false });
    const notes: string[] = [];
    if (args.length === 0 && !patch) notes.push("no command after '--': no workload Deployment written (NetworkPolicies, credentials and the gateway only)");
    if (argv.kustomize !== undefined) {
      let written: string[];
      try {
        written = writeKustomizeBase(argv.kustomize, manifests, layout.namespace);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      process.stderr.write(`cordon: wrote a kustomize base in ${argv.kustomize}: ${written.join(", ")}\n`);
      if (patch) notes.push(`add the patch to the kustomization holding Deployment ${patch.deployment}: patches: [{path: patch-${patch.deployment}.yaml}]`);
    } else {
      const { resources, patches } = renderStream(manifests);
      // A patch is applied on its own (kubectl patch); the resources come from a run without --patch.
      process.stdout.write(patch ? patches : resources);
      if (patch) {
        notes.push(
          `this is the patch only: kubectl patch deployment ${patch.deployment} --patch-file FILE; the gateway, policies, credentials and NetworkPolicies come from the same command without --patch`,
        );
      }
    }
    if (argv.credentials === false) {
      notes.push(
        `create each workload's credentials yourself, e.g. kubectl create secret generic cordon-${workloads[0]!.name}-credentials --from-literal=proxy-auth=${workloads[0]!.name}:$(openssl rand -hex 32)`,
      );
    }
    for (const n of notes) process.stderr.write(`cordon: ${n}\n`);
  },
};
