// Runs inside the worker thread: one proxy, driven by messages from the parent.
import { parentPort, workerData } from "node:worker_threads";
import type { TunnelRelay } from "./relay.js";
import { createProxy } from "./server.js";
import type { WorkerProxyOptions } from "./worker.js";
import type { ParentToWorker, WorkerToParent } from "./worker-protocol.js";

const port = parentPort;
if (!port) throw new Error("worker-entry must run in a worker thread");
const send = (message: WorkerToParent) => port.postMessage(message);

/** Functions cannot cross into a worker: the relay is named by module and loaded here. */
async function loadTunnelRelay(specifier: string): Promise<TunnelRelay> {
  const mod = (await import(specifier)) as { tunnelRelay?: unknown };
  if (typeof mod.tunnelRelay !== "function") throw new Error(`${specifier} does not export a tunnelRelay function`);
  return mod.tunnelRelay as TunnelRelay;
}

try {
  const { tunnelRelayModule, ...options } = workerData as WorkerProxyOptions;
  const tunnelRelay = tunnelRelayModule !== undefined ? await loadTunnelRelay(tunnelRelayModule) : undefined;
  const proxy = await createProxy({ ...options, ...(tunnelRelay && { tunnelRelay }) });
  proxy.on("decision", (event) => send({ type: "event", event }));
  proxy.on("tunnel-closed", (event) => send({ type: "event", event }));
  port.on("message", async (message: ParentToWorker) => {
    try {
      if (message.type === "stats") send({ type: "reply", id: message.id, stats: proxy.stats() });
      else if (message.type === "update") {
        proxy.update(message.network);
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
