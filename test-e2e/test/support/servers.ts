import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttp, type Server } from "node:http";
import { createServer as createHttps } from "node:https";
import { createServer as createTcp, type AddressInfo, type Server as TcpServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestCa {
  dir: string;
  caFile: string;
  key: string;
  cert: string;
  cleanup(): void;
}

/** A throwaway CA and a leaf for the given names, made with the openssl CLI. */
export function makeTestCa(names: string[]): TestCa {
  const dir = mkdtempSync(join(tmpdir(), "cordon-e2e-ca-"));
  const run = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=cordon e2e test CA"]);
  run(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", `/CN=${names[0]}`]);
  writeFileSync(join(dir, "ext.cnf"), `subjectAltName=${names.map((n) => `DNS:${n}`).join(",")}\n`);
  run(["x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "leaf.pem", "-days", "2", "-extfile", "ext.cnf"]);
  return {
    dir,
    caFile: join(dir, "ca.pem"),
    key: readFileSync(join(dir, "leaf.key"), "utf8"),
    cert: readFileSync(join(dir, "leaf.pem"), "utf8"),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export async function httpsUpstream(ca: TestCa, body: string): Promise<{ server: Server; port: number }> {
  const server = createHttps({ key: ca.key, cert: ca.cert }, (_req, res) => res.end(body));
  return { server, port: await listen(server) };
}

export async function httpUpstream(body: string): Promise<{ server: Server; port: number }> {
  const server = createHttp((_req, res) => res.end(body));
  return { server, port: await listen(server) };
}

/** A raw TCP listener that counts connections (to prove what never arrived). */
export async function tcpListener(host = "127.0.0.1"): Promise<{ server: TcpServer; port: number; connections: () => number }> {
  let n = 0;
  const server = createTcp((s) => {
    n++;
    s.on("error", () => {}); // a probe that exits at once resets the connection
    s.end("hi\n");
  });
  const port = await listen(server, host);
  return { server, port, connections: () => n };
}

function listen(server: Server | TcpServer, host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve((server.address() as AddressInfo).port));
  });
}

export function close(server: Server | TcpServer): Promise<void> {
  return new Promise((r) => server.close(() => r()));
}
