// The egress gateway: one proxy shared by many workloads (pods), each with its own
// credentials and its own policy, reloaded when their files change; probes and metrics on
// a second port; a drain on shutdown. Built on createProxy through its `tenants` hook.
import type { Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { createProxy, type CordonProxy, type ProxyOptions } from "../server.js";
import { GatewayMetrics } from "./metrics.js";
import { startProbes } from "./probes.js";
import { TenantTable, type TenantEvent } from "./tenants.js";

export interface GatewayOptions extends Pick<ProxyOptions, "limits" | "tunnelRelay" | "resolver" | "hosts" | "upstreamProxy"> {
  /** Address and port the workloads connect to (a pod address or 0.0.0.0). */
  host: string;
  port: number;
  /** `<workload>.yaml` (or .yml, .json): each workload's cordon policy. */
  policiesDir: string;
  /** `<workload>`: each workload's token, or `<workload>:<token>`. */
  credentialsDir: string;
  /** Probes and metrics: /healthz, /readyz, /metrics. */
  probeHost?: string;
  probePort: number;
  /** Every decision, tunnel and reload as one JSON line (stdout for a cluster's log pipeline). */
  log: Writable;
}

export type GatewayLogEvent = TenantEvent | { type: "gateway-draining"; upstreamsOpen: number } | { type: "gateway-stopped"; drained: boolean };

export interface CordonGateway {
  readonly proxy: CordonProxy;
  readonly probePort: number;
  readonly workloads: string[];
  /** Reads the directories now (the watcher does this on its own). */
  reload(): void;
  /**
   * Not ready, stops accepting, lets open tunnels finish for up to `graceMs`, then closes what is
   * left. Resolves with whether every tunnel finished on its own.
   */
  drain(graceMs: number): Promise<boolean>;
}

export async function createGateway(options: GatewayOptions): Promise<CordonGateway> {
  const metrics = new GatewayMetrics();
  const now = () => new Date().toISOString();
  const log = (event: GatewayLogEvent) => {
    if (!options.log.writableEnded) options.log.write(JSON.stringify({ ...event, time: now() }) + "\n");
  };
  const tenants = new TenantTable({
    policiesDir: options.policiesDir,
    credentialsDir: options.credentialsDir,
    onEvent: (e) => {
      if (e.type === "workload-error") metrics.policyError(e.workload);
      log(e);
    },
  });
  const reload = () => {
    tenants.reload();
    metrics.loaded(tenants.size, tenants.reloadCount);
  };
  reload();

  const { host, port, policiesDir: _p, credentialsDir: _c, probeHost, probePort, log: logStream, ...passThrough } = options;
  const proxy = await createProxy({ ...passThrough, host, port, tenants, auditLog: logStream });
  proxy.on("decision", (e) => metrics.decision(e));
  proxy.on("tunnel-closed", (e) => metrics.tunnelClosed(e));

  let draining = false;
  let probes;
  try {
    probes = await startProbes(probeHost ?? host, probePort, {
      ready: () => {
        if (draining) return { ok: false, why: "draining" };
        if (tenants.size === 0) return { ok: false, why: "no workload loaded (policies or credentials missing: see the log)" };
        return { ok: true, why: `ready: ${tenants.size} workload(s)` };
      },
      metrics: () => metrics.render(),
    });
  } catch (e) {
    await proxy.close();
    throw e;
  }
  tenants.watch(reload);

  let drained: Promise<boolean> | undefined;
  return {
    proxy,
    probePort: probes.port,
    get workloads() {
      return tenants.names;
    },
    reload,
    drain(graceMs: number) {
      drained ??= (async () => {
        draining = true;
        tenants.close();
        const open = (await proxy.openSockets()).upstreams;
        log({ type: "gateway-draining", upstreamsOpen: open });
        const timer = new AbortController();
        const finished = await Promise.race([proxy.drain().then(() => true), sleep(graceMs, false, { signal: timer.signal }).catch(() => false)]);
        timer.abort();
        await proxy.close();
        await probes.close();
        log({ type: "gateway-stopped", drained: finished });
        return finished;
      })();
      return drained;
    },
  };
}
