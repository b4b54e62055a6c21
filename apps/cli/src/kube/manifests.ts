// Every object for a set of workloads and their gateway, in apply order.
import { gatewayDeployment, gatewayNetworkPolicy, gatewayService, policiesConfigMap } from "./gateway-objects.js";
import type { KubeLayout } from "./layout.js";
import { credentials, workloadDeployment, workloadNetworkPolicy, workloadPatch } from "./workload-objects.js";
import type { Workload } from "./workloads.js";

export interface ManifestRequest {
  layout: KubeLayout;
  workloads: Workload[];
  /** The command each workload runs under cordon; none: no workload Deployment. */
  command: string[];
  /** Patch this existing Deployment's container instead of writing a Deployment (one workload). */
  patch?: { deployment: string; container: string };
  /** Write each workload's credentials Secret (fresh random tokens). */
  withCredentials: boolean;
}

export interface Manifest {
  /** File name in a kustomize base. */
  file: string;
  object: Record<string, unknown>;
  /** A strategic-merge patch rather than a resource. */
  isPatch?: boolean;
  /** Holds a secret (a kustomize base keeps it out of git). */
  secret?: boolean;
}

export function buildManifests(req: ManifestRequest): Manifest[] {
  const { layout, workloads, command } = req;
  const out: Manifest[] = [];
  if (req.withCredentials) {
    for (const w of workloads) out.push({ file: `secret-${w.name}.yaml`, object: credentials(layout, w), secret: true });
  }
  out.push(
    { file: "configmap-policies.yaml", object: policiesConfigMap(layout, workloads) },
    // The Service before the pods: kubelet only sets its environment variables in pods started after it.
    { file: "service-gateway.yaml", object: gatewayService(layout) },
    { file: "networkpolicy-gateway.yaml", object: gatewayNetworkPolicy(layout, workloads) },
    { file: "deployment-gateway.yaml", object: gatewayDeployment(layout, workloads) },
  );
  for (const w of workloads) out.push({ file: `networkpolicy-${w.name}.yaml`, object: workloadNetworkPolicy(layout, w) });
  if (command.length > 0) {
    for (const w of workloads) {
      if (req.patch) out.push({ file: `patch-${req.patch.deployment}.yaml`, object: workloadPatch(layout, w, req.patch.deployment, req.patch.container, command), isPatch: true });
      else out.push({ file: `deployment-${w.name}.yaml`, object: workloadDeployment(layout, w, command) });
    }
  }
  return out;
}
