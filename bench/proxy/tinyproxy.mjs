// Starts tinyproxy on a free loopback port with a throwaway config, if it is installed.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

async function freePort() {
  const server = createServer();
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

export function tinyproxyVersion() {
  const run = spawnSync("tinyproxy", ["-v"], { encoding: "utf8" });
  return run.status === 0 ? (run.stdout || run.stderr).trim() : null;
}

export async function startTinyproxy() {
  if (!tinyproxyVersion()) return null;
  const dir = mkdtempSync(join(tmpdir(), "cordon-bench-tinyproxy-"));
  chmodSync(dir, 0o777);
  const port = await freePort();
  const conf = join(dir, "tinyproxy.conf");
  // No ConnectPort lines: CONNECT to any port, like cordon's bench policy.
  writeFileSync(
    conf,
    [`Port ${port}`, "Listen 127.0.0.1", "Timeout 600", "MaxClients 6000", "Allow 127.0.0.1", "LogLevel Critical", `LogFile "${join(dir, "tinyproxy.log")}"`, "DisableViaHeader Yes", ...(process.getuid?.() === 0 ? ["User nobody", "Group nogroup"] : [])].join("\n") + "\n",
  );
  const child = spawn("tinyproxy", ["-d", "-c", conf], { stdio: "ignore" });
  // Ready when the port accepts.
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise((resolve) => {
      const s = createServer().listen(port, "127.0.0.1");
      s.once("listening", () => s.close(() => resolve(false)));
      s.once("error", () => resolve(true));
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    pid: child.pid,
    stop: () => {
      child.kill("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
