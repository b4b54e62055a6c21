// startProxyWorker: the same proxy on its own thread, so an embedder may block its
// event loop (spawnSync of a networked command) without stalling the proxy.
import { EventEmitter } from "node:events";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { AuditLog } from "./audit-log.js";
import type { CordonProxy, ProxyEvents, ProxyUpdate, UpdateOptions } from "./proxy-interface.js";
import type { ProxyOptions } from "./server.js";
import { proxyUrl } from "./url.js";
import type { ParentToWorker, WorkerToParent } from "./worker-protocol.js";

/**
 * Worker options are structured-cloned: no matcher, resolver or relay function. The relay is named
 * instead: `tunnelRelay: "splice"`, which the worker loads itself (@cordon/splice-relay).
 */
export type WorkerProxyOptions = Omit<ProxyOptions, "matcher" | "resolver" | "tunnelRelay"> & { tunnelRelay?: "splice" };

function entryUrl(): URL {
  const beside = new URL("./worker-entry.js", import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside;
  // Running from TypeScript sources (tests): the compiled entry lives in dist/.
  return new URL("../dist/worker-entry.js", import.meta.url);
}

type Pending = { resolve: (m: WorkerToParent & { type: "reply" }) => void; reject: (e: Error) => void };

/** The proxy on a worker thread, behind the same interface as createProxy's (see startProxy). */
export async function startProxyWorker(options: WorkerProxyOptions = {}): Promise<CordonProxy> {
  const { auditLog, ...rest } = options;
  const streamLog = auditLog !== undefined && typeof auditLog !== "string";
  // A file path is written by the worker; a stream belongs to this thread, which
  // tells the worker when it is congested (hold new requests) or failed (refuse them).
  const workerData = typeof auditLog === "string" ? { ...rest, auditLog } : { ...rest, remoteAuditLog: streamLog };
  // Workers inherit execArgv; --input-type (from `node -e`) makes a file entry fail to load.
  const execArgv = process.execArgv.filter((arg) => !arg.startsWith("--input-type"));
  const worker = new Worker(entryUrl(), { workerData, execArgv });
  const emitter = new EventEmitter<ProxyEvents>();
  const tell = (message: ParentToWorker) => {
    if (!exited) worker.postMessage(message);
  };
  const localAudit = streamLog
    ? new AuditLog(auditLog, {
        onCongested: () => tell({ type: "audit", state: "congested" }),
        onDrained: () => tell({ type: "audit", state: "drained" }),
        onFailure: (err) => {
          tell({ type: "audit", state: "failed", message: err.message });
          emitter.emit("audit-error", err);
        },
      })
    : undefined;
  const pending = new Map<number, Pending>();
  let lastId = 0;
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) =>
    worker.once("exit", () => {
      exited = true;
      for (const p of pending.values()) p.reject(new Error("proxy worker exited"));
      pending.clear();
      resolve();
    }),
  );
  let lastError: Error | undefined;
  worker.on("error", (err) => (lastError = err)); // surfaced through exit and the rejected calls

  let caCertificate: string | undefined;
  const address = await new Promise<{ host: string; port: number }>((resolve, reject) => {
    worker.on("message", (m: WorkerToParent) => {
      if (m.type === "ready") {
        caCertificate = m.caCertificate;
        resolve(m.address);
      }
      else if (m.type === "failed") reject(Object.assign(new Error(m.message), m.code !== undefined ? { code: m.code } : {}));
      else if (m.type === "event") {
        localAudit?.write(m.event);
        if (m.event.type === "decision") emitter.emit("decision", m.event);
        else if (m.event.type === "tunnel-closed") emitter.emit("tunnel-closed", m.event);
        else emitter.emit("request-closed", m.event);
      } else if (m.type === "audit-error") emitter.emit("audit-error", new Error(m.message));
      else if (m.type === "reply") {
        pending.get(m.id)?.resolve(m);
        pending.delete(m.id);
      }
    });
    worker.once("exit", (code) => reject(new Error(`proxy worker exited (${code}) before listening${lastError ? `: ${lastError.message}` : ""}`)));
  });

  const call = (message: Omit<ParentToWorker, "id"> & { type: ParentToWorker["type"] }) =>
    new Promise<WorkerToParent & { type: "reply" }>((resolve, reject) => {
      if (exited) return reject(new Error("proxy worker has exited"));
      const id = ++lastId;
      pending.set(id, {
        resolve: (reply) => (reply.error ? reject(new Error(reply.error)) : resolve(reply)),
        reject,
      });
      worker.postMessage({ ...message, id } as ParentToWorker);
    });

  let closing: Promise<void> | undefined;
  return Object.assign(emitter, {
    address,
    unixSocket: options.unixSocket,
    caCertificate,
    url: (token?: string) => proxyUrl(address, token ?? options.token),
    stats: async () => (await call({ type: "stats" })).stats!,
    update: async (next: ProxyUpdate, updateOptions: UpdateOptions = {}) => {
      if ("matcher" in next) throw new Error("a proxy in a worker takes allow/deny lists, not a matcher function");
      const network = { allow: next.allow, deny: next.deny };
      return (await call({ type: "update", network, closeTunnels: updateOptions.closeTunnels === true } as ParentToWorker)).cut ?? 0;
    },
    drain: async () => void (await call({ type: "drain" })),
    openSockets: async () => (await call({ type: "open-sockets" })).sockets!,
    close: () =>
      (closing ??= (async () => {
        if (!exited) await call({ type: "close" }).catch(() => undefined);
        // The worker ends by itself; terminate only if something still holds it.
        const timer = setTimeout(() => void worker.terminate(), 5_000);
        await exitedPromise;
        clearTimeout(timer);
        await localAudit?.close();
      })()),
  });
}
