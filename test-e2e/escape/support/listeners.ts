// Receivers outside the sandbox. Each records what actually arrived, so a test
// checks on the receiving side that denied traffic never got there.
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { createServer, type Server } from "node:net";

export interface TcpListener {
  port: number;
  /** Connections accepted so far. */
  accepted: number;
  close(): Promise<void>;
}

export async function tcpListener(host: string, port = 0): Promise<TcpListener> {
  const state = { accepted: 0 };
  const server: Server = createServer((s) => {
    state.accepted++;
    s.on("error", () => {});
    s.resume();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host, port, ipv6Only: host.includes(":") }, resolve);
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return {
    port: address.port,
    get accepted() {
      return state.accepted;
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}

export interface UdpListener {
  port: number;
  received: string[];
  close(): void;
}

export async function udpListener(type: "udp4" | "udp6"): Promise<UdpListener> {
  const received: string[] = [];
  const socket: UdpSocket = createSocket(type);
  socket.on("message", (m) => received.push(m.toString("latin1")));
  await new Promise<void>((r) => socket.bind(0, type === "udp4" ? "127.0.0.1" : "::1", r));
  return { port: socket.address().port, received, close: () => socket.close() };
}

/** Unix socket server (abstract when `name` starts with "\0"). */
export async function unixListener(name: string): Promise<{ accepted: () => number; close(): Promise<void> }> {
  let accepted = 0;
  const server = createServer((s) => {
    accepted++;
    s.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(name, resolve);
  });
  return { accepted: () => accepted, close: () => new Promise((r) => server.close(() => r())) };
}

/** Polls until `cond` holds (the test fails by its own timeout only if it never does). */
export async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
}

/**
 * Sends a marker from outside the sandbox and waits for it: anything the
 * sandboxed attempt had sent earlier over the same path would have arrived first.
 */
export async function flushUdp(l: UdpListener, send: (msg: string) => Promise<void>): Promise<void> {
  const before = l.received.length;
  await send("marker");
  await until(() => l.received.length > before);
}

/** Sends one datagram from outside the sandbox to 127.0.0.1:port. */
export function sendUdp(port: number, msg: string): Promise<void> {
  const s = createSocket("udp4");
  return new Promise((resolve, reject) =>
    s.send(msg, port, "127.0.0.1", (e) => {
      s.close();
      if (e) reject(e);
      else resolve();
    }),
  );
}
