// The gateway (built package) in its own process: one workload "bench" whose policy allows the
// bench upstreams, its credentials, the splice relay as the CLI asks for it, and the audit
// log on stdout (the parent sends it to /dev/null; in a cluster it goes to the log pipeline).
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createGateway } from "../../packages/proxy/dist/index.js";

const { allowPorts, token, relay = "native" } = JSON.parse(process.argv[2]);
const dir = mkdtempSync(join(tmpdir(), "cordon-bench-gw-"));
mkdirSync(join(dir, "policies"));
mkdirSync(join(dir, "credentials"));
writeFileSync(join(dir, "policies", "bench.yaml"), `version: 1\nnetwork:\n  allow:\n    - host: 127.0.0.1\n      ports: [${allowPorts.join(", ")}]\n`);
writeFileSync(join(dir, "credentials", "bench"), `bench:${token}\n`);
const gateway = await createGateway({
  host: "127.0.0.1",
  port: 0,
  probePort: 0,
  policiesDir: join(dir, "policies"),
  credentialsDir: join(dir, "credentials"),
  log: process.stdout,
  limits: { maxConnections: 20_000 },
  ...(relay === "native" && { tunnelRelay: "splice" }),
});
process.send({ port: gateway.proxy.address.port });
process.on("disconnect", () => void gateway.drain(0).then(() => { rmSync(dir, { recursive: true, force: true }); process.exit(0); }));
