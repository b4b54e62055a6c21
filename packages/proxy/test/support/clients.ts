// Real clients: curl, raw sockets, and CONNECT by hand for byte-level tunnel tests.
import { execFile } from "node:child_process";
import { connect, type Socket } from "node:net";

export interface CurlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function curl(args: string[]): Promise<CurlResult> {
  return new Promise((resolve) => {
    execFile("curl", ["-sS", "--max-time", "20", ...args], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Sends bytes, returns everything the server sent until it closed the connection. */
export function rawExchange(port: number, payload: string | Buffer, host = "127.0.0.1"): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, host);
    const chunks: Buffer[] = [];
    socket.on("data", (c) => chunks.push(c));
    socket.on("error", (e) => ((e as NodeJS.ErrnoException).code === "ECONNRESET" ? resolve(Buffer.concat(chunks).toString("latin1")) : reject(e)));
    socket.on("close", () => resolve(Buffer.concat(chunks).toString("latin1")));
    socket.write(payload);
  });
}

/** Opens a CONNECT tunnel; resolves with the socket once "200" arrived (and any bytes after it). */
export function openTunnel(proxyPort: number, target: string, extraHead = "", proxyHost = "127.0.0.1"): Promise<{ socket: Socket; status: number; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port: proxyPort, host: proxyHost, allowHalfOpen: true });
    let buf = Buffer.alloc(0);
    const onData = (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      const end = buf.indexOf("\r\n\r\n");
      if (end === -1) return;
      socket.off("data", onData);
      socket.pause();
      const status = Number(buf.subarray(9, 12).toString());
      resolve({ socket, status, rest: buf.subarray(end + 4) });
    };
    socket.on("data", onData);
    socket.once("error", reject);
    socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${extraHead}\r\n`);
  });
}

export function statusOf(response: string): number {
  return Number(response.slice(9, 12));
}

export function bodyOf(response: string): Record<string, unknown> {
  return JSON.parse(response.slice(response.indexOf("\r\n\r\n") + 4)) as Record<string, unknown>;
}

/** Waits until check() is true, polling (no timing assertion: vitest's timeout bounds it). */
export async function until(check: () => boolean | Promise<boolean>, stepMs = 20): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, stepMs));
}
