// A workload's objects: its credentials Secret, its NetworkPolicy (egress to the gateway's port
// only) and either a Deployment running its command under `cordon run`, or a strategic-merge
// patch that puts an existing Deployment's container under cordon.
import { randomBytes } from "node:crypto";
import {
  CREDENTIALS_DIR,
  CREDENTIALS_KEY,
  POLICIES_CONFIGMAP,
  POLICY_DIR,
  WORKLOAD_LABEL,
  credentialsSecret,
  gatewayLabels,
  metadata,
  serviceEnvPrefix,
  workloadLabels,
  type KubeLayout,
} from "./layout.js";
import { CONTAINER_SECURITY, POD_SECURITY } from "./security.js";
import type { Workload } from "./workloads.js";

type Obj = Record<string, unknown>;

export function credentials(layout: KubeLayout, w: Workload): Obj {
  const token = randomBytes(32).toString("hex");
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: metadata(layout, credentialsSecret(w.name), workloadLabels(w.name)),
    type: "Opaque",
    // The form `cordon run --upstream-proxy-auth-file` reads and the gateway's credentials file accepts.
    stringData: { [CREDENTIALS_KEY]: `${w.name}:${token}` },
  };
}

export function workloadNetworkPolicy(layout: KubeLayout, w: Workload): Obj {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: metadata(layout, `cordon-${w.name}-egress`, workloadLabels(w.name)),
    spec: {
      podSelector: { matchLabels: { [WORKLOAD_LABEL]: w.name } },
      policyTypes: ["Egress"],
      // The gateway's port and nothing else: no DNS, no other pod, no Service, no metadata endpoint.
      egress: [{ to: [{ podSelector: { matchLabels: gatewayLabels(layout) } }], ports: [{ protocol: "TCP", port: layout.gatewayPort }] }],
    },
  };
}

/** The container fields that put a command under cordon, chained to the gateway. */
function cordonContainer(layout: KubeLayout, w: Workload, name: string, command: string[]): Obj {
  const svc = serviceEnvPrefix(layout.gateway);
  return {
    name,
    command: [
      "cordon", "run",
      "--policy", `${POLICY_DIR}/policy.yaml`,
      "--proxy-port", String(layout.localProxyPort),
      "--upstream-proxy-auth-file", `${CREDENTIALS_DIR}/${CREDENTIALS_KEY}`,
      "--",
      ...command,
    ],
    env: [
      // From the gateway Service's environment variables (kubelet sets them): no DNS needed.
      { name: "CORDON_UPSTREAM_PROXY", value: `http://$(${svc}_SERVICE_HOST):$(${svc}_SERVICE_PORT_PROXY)` },
      // The NetworkPolicy below fences egress: Landlock-only mode is then fully enforced.
      { name: "CORDON_NETWORK_FENCE", value: "networkpolicy" },
      { name: "TMPDIR", value: "/tmp" },
      { name: "HOME", value: "/home/cordon" },
    ],
    securityContext: CONTAINER_SECURITY,
    volumeMounts: [
      { name: "cordon-policy", mountPath: POLICY_DIR, readOnly: true },
      { name: "cordon-credentials", mountPath: CREDENTIALS_DIR, readOnly: true },
      // A read-only root filesystem: cordon's private TMPDIR and the home directory live here.
      { name: "tmp", mountPath: "/tmp" },
      { name: "home", mountPath: "/home/cordon" },
    ],
  };
}

function cordonVolumes(w: Workload): Obj[] {
  return [
    { name: "cordon-policy", configMap: { name: POLICIES_CONFIGMAP, items: [{ key: `${w.name}.yaml`, path: "policy.yaml" }] } },
    // Readable by the container's user (no fsGroup: restricted-v2 assigns its own). The command
    // runs as that same user, so a file mode could not keep it out anyway: Landlock does (the
    // directory is outside every path the policy opens); cordon reads the file before exec.
    { name: "cordon-credentials", secret: { secretName: credentialsSecret(w.name), defaultMode: 0o444 } },
    { name: "tmp", emptyDir: {} },
    { name: "home", emptyDir: {} },
  ];
}

export function workloadDeployment(layout: KubeLayout, w: Workload, command: string[]): Obj {
  const labels = workloadLabels(w.name);
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: metadata(layout, w.name, labels),
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          // The command never needs the Kubernetes API; no token to steal.
          automountServiceAccountToken: false,
          securityContext: POD_SECURITY,
          containers: [
            {
              ...cordonContainer(layout, w, w.name, command),
              image: layout.workloadImage,
              workingDir: "/work",
              volumeMounts: [...(cordonContainer(layout, w, w.name, command).volumeMounts as Obj[]), { name: "work", mountPath: "/work" }],
            },
          ],
          volumes: [...cordonVolumes(w), { name: "work", emptyDir: {} }],
        },
      },
    },
  };
}

/** `kubectl patch deployment NAME --patch-file …` (strategic merge): containers and volumes merge by name. */
export function workloadPatch(layout: KubeLayout, w: Workload, deployment: string, container: string, command: string[]): Obj {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: metadata(layout, deployment),
    spec: {
      template: {
        metadata: { labels: { [WORKLOAD_LABEL]: w.name } },
        spec: {
          automountServiceAccountToken: false,
          securityContext: POD_SECURITY,
          // args: null deletes the container's own args: the command after -- is the whole command.
          containers: [{ ...cordonContainer(layout, w, container, command), args: null }],
          volumes: cordonVolumes(w),
        },
      },
    },
  };
}
