import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { homedir } from "node:os";
import { join } from "node:path";
import { rmSync } from "node:fs";
import type { CommandModule } from "yargs";
import { defaultPolicy } from "@cordon/policy";
import { createSandbox, type Sandbox } from "@cordon/sandbox";
import { formatNetworkSummary, formatWarnings } from "../report/format.js";

interface Step {
  title: string;
  command: string[];
  expect: string;
  check: (out: string, status: number) => boolean;
}

const ALLOWED = "api.demo.test";
const DENIED = "exfil.demo.test";

export const demoCommand: CommandModule = {
  command: "demo",
  describe: "Show cordon at work on the built-in policy, self-contained (no internet needed)",
  builder: (y) => y.example("cordon demo", "An allowed request, a refused host, a direct connection and a write refused by the kernel"),
  handler: async () => {
    process.exitCode = await runDemo();
  },
};

/**
 * Local upstream servers stand in for the internet: the sandbox may reach
 * api.demo.test through the proxy, not exfil.demo.test, and nothing directly.
 * Both names resolve to 127.0.0.1 for the proxy only, and the allow rule opts
 * that address into the SSRF guard.
 */
export async function runDemo(): Promise<number> {
  const upstream = await listen(createServer((_req, res) => res.end("hello from the allowed upstream\n")));
  const port = (upstream.address() as AddressInfo).port;
  const probe = join(homedir(), `.cordon-demo-${process.pid}`);
  const out = (s: string) => process.stdout.write(`${s}\n`);
  let sandbox: Sandbox | undefined;
  try {
    const base = defaultPolicy();
    sandbox = await createSandbox({
      policy: {
        ...base,
        network: { ...base.network, proxyPort: 0, allow: [{ host: ALLOWED, ports: [port], allowedIps: ["127.0.0.1/32"] }] },
      },
      hosts: { [ALLOWED]: ["127.0.0.1"], [DENIED]: ["127.0.0.1"] },
      proxyThread: "main",
    });
    out("cordon demo — the built-in default policy, platform network mode");
    for (const w of formatWarnings(sandbox.report)) out(w);
    const steps: Step[] = [
      {
        title: "A real command runs inside the sandbox",
        command: ["sh", "-c", 'echo "pid $$, TMPDIR=$TMPDIR"; echo "$(ls /usr/bin | wc -l) programs in /usr/bin"; touch "$TMPDIR/scratch" && echo "TMPDIR is writable"'],
        expect: "it runs, reads the system directories and writes its private TMPDIR",
        check: (o, s) => s === 0 && o.includes("programs in /usr/bin") && o.includes("TMPDIR is writable"),
      },
      {
        title: `An allowed host through the proxy: curl http://${ALLOWED}:${port}/`,
        command: ["curl", "-sS", "--max-time", "10", `http://${ALLOWED}:${port}/`],
        expect: "200 from the upstream",
        check: (o, s) => s === 0 && o.includes("hello from the allowed upstream"),
      },
      {
        title: `A host outside the allowlist: curl http://${DENIED}:${port}/`,
        command: ["curl", "-sS", "--max-time", "10", "-w", "\\nHTTP %{http_code}\\n", `http://${DENIED}:${port}/`],
        expect: "403 from the proxy, reason host-not-allowed",
        check: (o) => o.includes("HTTP 403") && o.includes("host-not-allowed"),
      },
      {
        title: `A program that ignores the proxy connects directly to 127.0.0.1:${port}`,
        command: ["node", "-e", `require("net").connect(${port}, "127.0.0.1").on("connect", () => { console.log("CONNECTED"); process.exit(0) }).on("error", (e) => { console.log(e.code + ": " + e.message); process.exit(1) })`],
        expect: "EACCES from the kernel (Landlock TCP connect rule)",
        check: (o) => o.includes("EACCES"),
      },
      {
        title: `A write outside the writable paths: ${probe}`,
        command: ["sh", "-c", `echo stolen > '${probe}' && echo WROTE`],
        expect: "Permission denied from the kernel (Landlock filesystem rule)",
        check: (o, s) => s !== 0 && !o.includes("WROTE"),
      },
    ];
    let good = 0;
    for (const [i, step] of steps.entries()) {
      out(`\n${i + 1}. ${step.title}`);
      out(`   expected: ${step.expect}`);
      const [cmd, ...args] = step.command;
      const proc = sandbox.spawn(cmd!, args, { stdio: ["ignore", "pipe", "pipe"], timeout: 20_000 });
      let text = "";
      proc.child.stdout?.on("data", (d: Buffer) => (text += d.toString()));
      proc.child.stderr?.on("data", (d: Buffer) => (text += d.toString()));
      const exit = await proc.exited;
      for (const line of text.trimEnd().split("\n")) out(`   │ ${line}`);
      const ok = step.check(text, exit.status);
      if (ok) good++;
      out(`   ${ok ? "✔ as expected" : "✘ NOT as expected"} (exit ${exit.status})`);
    }
    out("");
    for (const l of formatNetworkSummary(sandbox.networkSummary())) out(l);
    out(`\n${good}/${steps.length} behaved as expected (enforcement: ${sandbox.report.status}).`);
    if (good !== steps.length) out("Run 'cordon doctor' to see what this kernel supports.");
    return good === steps.length ? 0 : 1;
  } finally {
    await sandbox?.close();
    rmSync(probe, { force: true });
    await new Promise((r) => upstream.close(r));
  }
}

function listen(server: Server): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}
