// Runs inside the worker thread: one proxy, driven by messages from the parent.
import { parentPort, workerData } from "node:worker_threads";
import type { AuditSink } from "./audit-log.js";
import { createProxyWith } from "./server.js";
import type { WorkerProxyOptions } from "./worker.js";
import type { ProxyEvent } from "./events.js";
import type { ParentToWorker, WorkerToParent } from "./worker-protocol.js";

const port = parentPort;
if (!port) throw new Error("worker-entry must run in a worker thread");
const send = (message: WorkerToParent) => port.postMessage(message);

/**
 * The audit stream lives in the parent thread, which writes the events this thread
 * sends; it tells this side when the stream is congested or failed, so new
 * requests wait (or are refused) here as they would beside a local stream.
 */
class RemoteAuditSink implements AuditSink {
  congested = false;
  failure: Error | undefined;
  private waiters: (() => void)[] = [];

  write(): boolean {
    return this.failure === undefined; // the record travels with the event message
  }

  ready(): Promise<void> {
    if (!this.congested) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  set(state: "congested" | "drained" | "failed", message?: string): void {
    if (state === "failed") this.failure ??= new Error(message ?? "the audit log failed");
    this.congested = state === "congested" && this.failure === undefined;
    if (!this.congested) for (const wake of this.waiters.splice(0)) wake();
  }
}

try {
  // A relay crosses by name ("splice"): createProxyWith loads it in this thread.
  const { remoteAuditLog, ...options } = workerData as WorkerProxyOptions & { remoteAuditLog?: boolean };
  const remoteAudit = remoteAuditLog ? new RemoteAuditSink() : undefined;
  const proxy = await createProxyWith(options, remoteAudit);
  const relayEvent = (event: ProxyEvent) => send({ type: "event", event });
  proxy.on("decision", relayEvent);
  proxy.on("tunnel-closed", relayEvent);
  proxy.on("request-closed", relayEvent);
  proxy.on("audit-error", (err) => send({ type: "audit-error", message: err.message }));
  port.on("message", async (message: ParentToWorker) => {
    if (message.type === "audit") return remoteAudit?.set(message.state, message.message);
    try {
      if (message.type === "stats") send({ type: "reply", id: message.id, stats: await proxy.stats() });
      else if (message.type === "open-sockets") send({ type: "reply", id: message.id, sockets: await proxy.openSockets() });
      else if (message.type === "update") {
        const cut = await proxy.update(message.network, { closeTunnels: message.closeTunnels === true });
        send({ type: "reply", id: message.id, cut });
      } else if (message.type === "drain") {
        await proxy.drain();
        send({ type: "reply", id: message.id });
      } else if (message.type === "close") {
        await proxy.close();
        send({ type: "reply", id: message.id });
        // Nothing else holds this thread's loop open: it exits on its own.
        port.close();
      }
    } catch (err) {
      send({ type: "reply", id: message.id, error: (err as Error).message });
    }
  });
  send({ type: "ready", address: proxy.address, ...(proxy.caCertificate !== undefined && { caCertificate: proxy.caCertificate }) });
} catch (err) {
  // The errno code crosses too: a caller falls back to another port on EADDRINUSE.
  const code = (err as NodeJS.ErrnoException).code;
  send({ type: "failed", message: (err as Error).message, ...(code !== undefined && { code }) });
  port.close();
}
