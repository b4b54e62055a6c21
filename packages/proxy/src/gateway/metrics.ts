// Prometheus metrics in the text exposition format (0.0.4), counted from the proxy's own
// events. Written by hand rather than with prom-client: five metric families with bounded
// labels (workload names come from the gateway's configuration, reasons from REASONS) do not
// justify three more packages and a global registry with process metrics nobody asked for.
import type { DecisionEvent, TunnelClosedEvent } from "../events.js";

const UNKNOWN = "";

type Labels = Record<string, string>;

class Family {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly type: "counter" | "gauge",
    readonly help: string,
  ) {}

  add(labels: Labels, delta: number): void {
    const key = JSON.stringify(labels);
    const slot = this.values.get(key) ?? { labels, value: 0 };
    slot.value += delta;
    this.values.set(key, slot);
  }

  set(labels: Labels, value: number): void {
    this.values.set(JSON.stringify(labels), { labels, value });
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    for (const { labels, value } of this.values.values()) {
      const l = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",");
      lines.push(`${this.name}${l ? `{${l}}` : ""} ${value}`);
    }
    return lines.join("\n");
  }
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

export class GatewayMetrics {
  private readonly decisions = new Family("cordon_gateway_decisions_total", "counter", "Requests decided, by workload, decision and refusal reason.");
  private readonly tunnelsOpen = new Family("cordon_gateway_tunnels_open", "gauge", "CONNECT tunnels open now, by workload.");
  private readonly tunnelBytes = new Family(
    "cordon_gateway_tunnel_bytes_total",
    "counter",
    "Bytes carried by closed CONNECT tunnels, by workload and direction (up: workload to internet).",
  );
  private readonly workloads = new Family("cordon_gateway_workloads", "gauge", "Workloads with a loaded policy and credentials.");
  private readonly reloads = new Family("cordon_gateway_policy_reloads_total", "counter", "Times the policy and credentials directories were read.");
  private readonly reloadErrors = new Family("cordon_gateway_policy_errors_total", "counter", "Policy or credentials files that could not be loaded, by workload.");

  decision(e: DecisionEvent): void {
    const workload = e.tenant ?? UNKNOWN;
    this.decisions.add({ workload, decision: e.decision, reason: e.reason ?? "" }, 1);
    if (e.decision === "allow" && e.method === "CONNECT") this.tunnelsOpen.add({ workload }, 1);
  }

  tunnelClosed(e: TunnelClosedEvent): void {
    const workload = e.tenant ?? UNKNOWN;
    this.tunnelsOpen.add({ workload }, -1);
    this.tunnelBytes.add({ workload, direction: "up" }, e.bytesUp);
    this.tunnelBytes.add({ workload, direction: "down" }, e.bytesDown);
  }

  loaded(workloads: number, reloads: number): void {
    this.workloads.set({}, workloads);
    this.reloads.set({}, reloads);
  }

  policyError(workload: string): void {
    this.reloadErrors.add({ workload }, 1);
  }

  render(): string {
    return [this.decisions, this.tunnelsOpen, this.tunnelBytes, this.workloads, this.reloads, this.reloadErrors].map((f) => f.render()).join("\n") + "\n";
  }
}
