// The names, labels, ports and paths every generated object agrees on.
export interface KubeLayout {
  namespace: string | undefined;
  /** The gateway's Deployment and Service name; its Service env vars are derived from it. */
  gateway: string;
  image: string;
  workloadImage: string;
  gatewayPort: number;
  probePort: number;
  /** The workload's local cordon proxy port: never the gateway's (Landlock-only port rules are address-blind). */
  localProxyPort: number;
  replicas: number;
  /** Extra CIDRs the gateway must never reach (the cluster's own, when outside the private ranges). */
  privateRanges: string[];
}

export const WORKLOAD_LABEL = "cordon.dev/workload";
export const POLICIES_CONFIGMAP = "cordon-policies";
export const POLICY_DIR = "/etc/cordon";
/** Outside every default policy path: the sandboxed command cannot read its own credentials. */
export const CREDENTIALS_DIR = "/var/run/secrets/cordon";
export const CREDENTIALS_KEY = "proxy-auth";
export const GATEWAY_POLICIES_DIR = "/etc/cordon/policies";
export const DRAIN_SECONDS = 20;
export const TERMINATION_GRACE_SECONDS = 30;

export function gatewayLabels(layout: KubeLayout): Record<string, string> {
  return { "app.kubernetes.io/name": layout.gateway, "app.kubernetes.io/component": "egress-gateway", "app.kubernetes.io/part-of": "cordon" };
}

export function workloadLabels(name: string): Record<string, string> {
  return { "app.kubernetes.io/name": name, [WORKLOAD_LABEL]: name };
}

export function credentialsSecret(workload: string): string {
  return `cordon-${workload}-credentials`;
}

/** kubelet's Service environment variables: `<NAME>_SERVICE_HOST`, `<NAME>_SERVICE_PORT_<PORT NAME>`. */
export function serviceEnvPrefix(service: string): string {
  return service.toUpperCase().replace(/-/g, "_");
}

export function metadata(layout: KubeLayout, name: string, labels?: Record<string, string>): Record<string, unknown> {
  return { name, ...(layout.namespace !== undefined && { namespace: layout.namespace }), ...(labels && { labels }) };
}
