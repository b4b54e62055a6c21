// Health, readiness and metrics on their own port, so kubelet and Prometheus never go
// through the proxy listener (nor need a workload's credentials).
import { createServer, type Server } from "node:http";

export interface ProbeState {
  /** Ready: listening, workloads loaded, not draining. */
  ready(): { ok: boolean; why: string };
  metrics(): string;
}

export async function startProbes(host: string, port: number, state: ProbeState): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    if (path === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
    } else if (path === "/readyz") {
      const { ok, why } = state.ready();
      res.writeHead(ok ? 200 : 503, { "content-type": "text/plain" }).end(`${why}\n`);
    } else if (path === "/metrics") {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" }).end(state.metrics());
    } else {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found: /healthz, /readyz, /metrics\n");
    }
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host, port }, () => resolve());
  });
  const bound = server.address();
  const boundPort = typeof bound === "object" && bound ? bound.port : port;
  return {
    server,
    port: boundPort,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
