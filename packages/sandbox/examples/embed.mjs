#!/usr/bin/env node
// A runnable example of cordon's embeddable API (run from the repository after `pnpm build`):
//
//   node packages/sandbox/examples/embed.mjs
//
// Two sandboxes side by side in one process, each with its own allowlist, proxy and report.
// A local server stands in for the internet; both names resolve to it for the proxies only.
import { createServer } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSandbox, defaultPolicy } from "../dist/index.js";

const upstream = createServer((req, res) => res.end(`hello, ${req.headers.host}\n`));
await new Promise((resolve) => upstream.listen(0, "127.0.0.1", resolve));
const port = upstream.address().port;
const project = mkdtempSync(join(tmpdir(), "cordon-example-"));

// An allow rule for a name that resolves to loopback must say so (allowedIps): the proxy's SSRF guard.
const base = defaultPolicy();
const allowing = (host) => ({
  cwd: project,
  hosts: { "docs.example.test": ["127.0.0.1"], "api.example.test": ["127.0.0.1"] },
  policy: { ...base, network: { ...base.network, proxyPort: 0, allow: [{ host, ports: [port], allowedIps: ["127.0.0.1/32"] }] } },
});

const docs = await createSandbox(allowing("docs.example.test"));
const api = await createSandbox(allowing("api.example.test"));
try {
  docs.on("decision", (e) => console.log(`  [docs sandbox] ${e.decision} ${e.host}:${e.port}${e.reason ? ` (${e.reason})` : ""}`));
  console.log(`enforcement here: ${docs.report.status}`);
  for (const host of ["docs.example.test", "api.example.test"]) {
    const r = await docs.run("curl", ["-sS", "-o", "/dev/null", "-w", `${host}: HTTP %{http_code}\n`, `http://${host}:${port}/`], { timeout: 10_000 });
    console.log(`  curl exited ${r.status}`);
  }
  const r = await api.run("curl", ["-sS", `http://api.example.test:${port}/`], { timeout: 10_000 });
  console.log(`api sandbox: exit ${r.status}; its report: ${JSON.stringify(r.network)}`);
  console.log(`docs sandbox report: ${JSON.stringify(docs.networkSummary())}`);
} finally {
  await Promise.all([docs.close(), api.close()]);
  upstream.close();
  rmSync(project, { recursive: true, force: true });
}
