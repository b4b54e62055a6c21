import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The built CLI, run as a black box. */
export const CORDON_BIN = fileURLToPath(new URL("../../../apps/cli/dist/bin.js", import.meta.url));

export interface Result {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CordonOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
}

export function cordon(args: string[], o: CordonOptions = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CORDON_BIN, ...args], {
      cwd: o.cwd,
      env: { ...process.env, NO_COLOR: "1", ...o.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), o.timeoutMs ?? 25_000);
    child.on("error", reject);
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
    child.stdin.end(o.input ?? "");
  });
}
