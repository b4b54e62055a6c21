import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Names the demo's proxy resolves to the local server: one the policy allows, one it does not. */
export const REGISTRY = "registry.demo.test";
export const COLLECTOR = "collect.evil.test";

/**
 * A throwaway world for the demo: a fake home with an SSH key, a project with a .env and a .git,
 * and one local server standing in for the internet (the allowed registry and the attacker's
 * collector). Never the user's own home or project.
 */
export interface Scenario {
  root: string;
  home: string;
  project: string;
  port: number;
  /** Bytes the collector received, per path. */
  received: Map<string, number>;
  close(): Promise<void>;
}

export async function createScenario(): Promise<Scenario> {
  const root = mkdtempSync(join(tmpdir(), "cordon-demo-"));
  const home = join(root, "home");
  const project = join(root, "project");
  mkdirSync(join(home, ".ssh"), { recursive: true, mode: 0o700 });
  writeFileSync(join(home, ".ssh", "id_ed25519"), "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA-this-is-the-demo's-fake-key-not-yours\n-----END OPENSSH PRIVATE KEY-----\n", { mode: 0o600 });
  mkdirSync(join(project, ".git", "hooks"), { recursive: true });
  writeFileSync(join(project, ".env"), "DATABASE_URL=postgres://app:demo-password@db.internal/app\nSTRIPE_KEY=sk_live_demo_not_real\n");
  writeFileSync(join(project, "package.json"), '{ "name": "my-app", "version": "1.0.0" }\n');
  const received = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    let n = 0;
    req.on("data", (d: Buffer) => (n += d.length));
    req.on("end", () => {
      received.set(req.url ?? "/", (received.get(req.url ?? "/") ?? 0) + n);
      res.end("ok\n");
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return {
    root,
    home,
    project,
    port: (server.address() as AddressInfo).port,
    received,
    close: async () => {
      await new Promise((r) => server.close(r));
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** The script's environment variables for this scenario. */
export function scriptEnv(s: Scenario): Record<string, string> {
  return {
    HOME: s.home,
    EXFIL: `http://${COLLECTOR}:${s.port}/upload`,
    EXFIL_RESOLVE: `${COLLECTOR}:${s.port}:127.0.0.1`,
    DIRECT: `http://127.0.0.1:${s.port}/direct`,
    REGISTRY: `http://${REGISTRY}:${s.port}/my-dependency-1.0.0.tgz`,
    REGISTRY_RESOLVE: `${REGISTRY}:${s.port}:127.0.0.1`,
  };
}
