// cordon's proxy in its own process, with one host inspected (rules + a credential) and one blind.
import { createProxy } from "../../packages/proxy/dist/index.js";

const { port, testCa } = JSON.parse(process.argv[2]);
const started = performance.now();
const proxy = await createProxy({
  port: 0,
  network: {
    mode: "platform",
    proxyPort: 0,
    allow: [
      { host: "inspected.test", ports: [port], allowedIps: ["127.0.0.1/32"] },
      { host: "blind.test", ports: [port], allowedIps: ["127.0.0.1/32"] },
    ],
    deny: [],
    localhostPorts: [],
    bindPorts: [],
  },
  hosts: { "inspected.test": ["127.0.0.1"], "blind.test": ["127.0.0.1"] },
  limits: { maxConnections: 20_000 },
  inspect: {
    hosts: [{ host: "inspected.test", http: { allow: ["GET /**"] }, credentials: [{ name: "bench", secret: "bench-secret-value", placeholder: "cordon-placeholder-bench", header: "Authorization", prefix: "Bearer " }] }],
    upstreamCa: [testCa],
  },
});
process.send({ port: proxy.address.port, ca: proxy.caCertificate, startMs: performance.now() - started });
process.on("disconnect", () => void proxy.close().then(() => process.exit(0)));
