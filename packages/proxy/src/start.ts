// startProxy: the one way to start a proxy, on this thread or on its own worker
// thread (so an embedder may block its event loop, e.g. spawnSync of a networked
// command, without stalling the proxy). Both return the same CordonProxy.
import type { CordonProxy } from "./proxy-interface.js";
import { createProxy, type ProxyOptions } from "./server.js";
import { startProxyWorker, type WorkerProxyOptions } from "./worker.js";

export type StartProxyOptions = ({ thread?: "main" } & ProxyOptions) | ({ thread: "worker" } & WorkerProxyOptions);

export function startProxy(options: StartProxyOptions = {}): Promise<CordonProxy> {
  if (options.thread === "worker") {
    const { thread: _thread, ...rest } = options;
    return startProxyWorker(rest);
  }
  const { thread: _thread, ...rest } = options;
  return createProxy(rest);
}
