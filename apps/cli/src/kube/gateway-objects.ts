// The gateway's objects: the policies ConfigMap, Deployment, Service and its NetworkPolicy.
import {
  CREDENTIALS_DIR,
  CREDENTIALS_KEY,
  DRAIN_SECONDS,
  GATEWAY_POLICIES_DIR,
  POLICIES_CONFIGMAP,
  TERMINATION_GRACE_SECONDS,
  WORKLOAD_LABEL,
  credentialsSecret,
  gatewayLabels,
  metadata,
  type KubeLayout,
} from "./layout.js";
import { CONTAINER_SECURITY, POD_SECURITY } from "./security.js";
import type { Workload } from "./workloads.js";

type Obj = Record<string, unknown>;

// Never egress targets of the gateway: private, shared (CGNAT, used for pod and service ranges by
// some clusters), loopback, link-local (the metadata endpoint), multicast and reserved ranges.
export const PRIVATE_V4 = ["0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4"];
export const PRIVATE_V6 = ["::1/128", "::ffff:0:0/96", "64:ff9b::/96", "fc00::/7", "fe80::/10", "ff00::/8"];

export function policiesConfigMap(layout: KubeLayout, workloads: Workload[]): Obj {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: metadata(layout, POLICIES_CONFIGMAP, { "app.kubernetes.io/part-of": "cordon" }),
    data: Object.fromEntries(workloads.map((w) => [`${w.name}.yaml`, w.policyText])),
  };
}

export function gatewayDeployment(layout: KubeLayout, workloads: Workload[]): Obj {
  const labels = gatewayLabels(layout);
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: metadata(layout, layout.gateway, labels),
    spec: {
      replicas: layout.replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: {
          labels,
          annotations: { "prometheus.io/scrape": "true", "prometheus.io/port": String(layout.probePort), "prometheus.io/path": "/metrics" },
        },
        spec: {
          automountServiceAccountToken: false,
          securityContext: POD_SECURITY,
          terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
          containers: [
            {
              name: "gateway",
              image: layout.image,
              command: ["cordon"],
              args: [
                "proxy", "--gateway",
                "--policies", GATEWAY_POLICIES_DIR,
                "--credentials", CREDENTIALS_DIR,
                "--port", String(layout.gatewayPort),
                "--probe-port", String(layout.probePort),
                "--drain-seconds", String(DRAIN_SECONDS),
              ],
              ports: [
                { name: "proxy", containerPort: layout.gatewayPort, protocol: "TCP" },
                { name: "metrics", containerPort: layout.probePort, protocol: "TCP" },
              ],
              readinessProbe: { httpGet: { path: "/readyz", port: "metrics" }, periodSeconds: 5 },
              livenessProbe: { httpGet: { path: "/healthz", port: "metrics" }, periodSeconds: 10 },
              resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { memory: "256Mi" } },
              securityContext: CONTAINER_SECURITY,
              volumeMounts: [
                { name: "policies", mountPath: GATEWAY_POLICIES_DIR, readOnly: true },
                { name: "credentials", mountPath: CREDENTIALS_DIR, readOnly: true },
              ],
            },
          ],
          volumes: [
            { name: "policies", configMap: { name: POLICIES_CONFIGMAP } },
            {
              name: "credentials",
              // One file per workload, named for it, from each workload's own Secret.
              projected: {
                defaultMode: 0o444,
                sources: workloads.map((w) => ({ secret: { name: credentialsSecret(w.name), items: [{ key: CREDENTIALS_KEY, path: w.name }] } })),
              },
            },
          ],
        },
      },
    },
  };
}

export function gatewayService(layout: KubeLayout): Obj {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: metadata(layout, layout.gateway, gatewayLabels(layout)),
    spec: {
      type: "ClusterIP",
      selector: gatewayLabels(layout),
      ports: [
        { name: "proxy", port: layout.gatewayPort, targetPort: "proxy", protocol: "TCP" },
        { name: "metrics", port: layout.probePort, targetPort: "metrics", protocol: "TCP" },
      ],
    },
  };
}

export function gatewayNetworkPolicy(layout: KubeLayout, workloads: Workload[]): Obj {
  const ports = [...new Set(workloads.flatMap((w) => w.ports))].sort((a, b) => a - b).map((port) => ({ protocol: "TCP", port }));
  const v4Except = [...PRIVATE_V4, ...layout.privateRanges.filter((c) => !c.includes(":"))];
  const v6Except = [...PRIVATE_V6, ...layout.privateRanges.filter((c) => c.includes(":"))];
  const privateTargets = workloads.flatMap((w) => w.privateTargets);
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: metadata(layout, layout.gateway, gatewayLabels(layout)),
    spec: {
      podSelector: { matchLabels: gatewayLabels(layout) },
      policyTypes: ["Ingress", "Egress"],
      ingress: [
        // The proxy port: only from cordon workloads.
        { from: [{ podSelector: { matchExpressions: [{ key: WORKLOAD_LABEL, operator: "Exists" }] } }], ports: [{ protocol: "TCP", port: layout.gatewayPort }] },
        // Probes and metrics (Prometheus may live in another namespace).
        { from: [{ namespaceSelector: {} }], ports: [{ protocol: "TCP", port: layout.probePort }] },
      ],
      egress: [
        // The gateway resolves names (workloads never do): cluster DNS only.
        {
          to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
          ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }],
        },
        ...(ports.length > 0
          ? [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: v4Except } }, { ipBlock: { cidr: "::/0", except: v6Except } }], ports }]
          : []),
        // Private addresses a policy allows by name (allowedIps), on that rule's ports only.
        ...privateTargets.map((t) => ({ to: [{ ipBlock: { cidr: t.cidr } }], ports: t.ports.map((port) => ({ protocol: "TCP", port })) })),
      ],
    },
  };
}
