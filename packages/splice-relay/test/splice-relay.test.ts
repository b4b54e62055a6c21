// The splice relay on real loopback TCP connections:
//   client ──(A)── relay ──(B)── server
// A is the accepted end of the client's connection, B a connection the test
// opens to the server, exactly the two sockets a CONNECT proxy holds.
import { createHash } from "node:crypto";
import { readdirSync, readlinkSync } from "node:fs";
import { connect, createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SpliceRelayError, spliceRelay, spliceRelaysActive, spliceSockets, type SpliceRelay } from "../src/index.js";

/** Open fds of this process by kind ("socket", "pipe", "anon_inode", ...). */
function fdKinds(): Record<string, number> {
  const kinds: Record<string, number> = {};
  for (const fd of readdirSync("/proc/self/fd")) {
    let link: string;
    try {
      link = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue; // readdir's own fd, closed meanwhile
    }
    const kind = /^(\w+):/.exec(link)?.[1] ?? "file";
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
  return kinds;
}
// Sockets must all be closed; pipes are bounded by the relay's pool of empty pipes (64).
const openFds = () => fdKinds().socket ?? 0;
const PIPE_POOL_FDS = 64 * 2;

function pattern(length: number, seed: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) buf[i] = (i * seed + (i >> 13)) & 0xff;
  return buf;
}
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

function listen(onSocket: (s: Socket) => void): Promise<Server> {
  const server = createServer({ allowHalfOpen: true }, (s) => {
    everything.push(s);
    onSocket(s);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}
const portOf = (s: Server) => (s.address() as AddressInfo).port;

let front: Server; // accepts the client; hands us A
let back: Server; // the far server; hands us its end of B
const accepted: Socket[] = [];
const served: Socket[] = [];
const everything: Socket[] = []; // destroyed at the end, whatever a failing test left open

beforeAll(async () => {
  front = await listen((s) => accepted.push(s));
  back = await listen((s) => served.push(s));
  // The first relay starts the relay thread, whose epoll fd and eventfd stay for
  // the life of the process: start one here so fd counts below compare like with like.
  const warm = await relayed();
  warm.relay.stop();
  await warm.relay.done;
  warm.client.destroy();
  warm.server.destroy();
});
afterAll(async () => {
  for (const s of everything) s.destroy();
  await new Promise((r) => front.close(r));
  await new Promise((r) => back.close(r));
});

async function next(list: Socket[]): Promise<Socket> {
  while (list.length === 0) await new Promise((r) => setTimeout(r, 5));
  return list.shift()!;
}

/** A connected client, the relay between A and B, and the server's socket. */
async function relayed(bufferedFromClient?: Buffer, idleTimeoutMs = 0): Promise<{ client: Socket; server: Socket; relay: SpliceRelay }> {
  const client = connect({ port: portOf(front), host: "127.0.0.1", allowHalfOpen: true });
  everything.push(client);
  const a = await next(accepted);
  const b = connect({ port: portOf(back), host: "127.0.0.1", allowHalfOpen: true });
  await new Promise((r) => b.once("connect", r));
  const server = await next(served);
  if (bufferedFromClient) {
    // Let JavaScript read the first bytes from A before the hand-over: they must still arrive first.
    client.write(bufferedFromClient);
    await new Promise((r) => a.once("readable", r));
  }
  return { client, server, relay: spliceSockets(a, b, { idleTimeoutMs }) };
}

/** Collects everything `socket` receives until its end; resolves with the hash and length. */
function drain(socket: Socket): Promise<{ sha: string; length: number }> {
  const hash = createHash("sha256");
  let length = 0;
  socket.on("data", (c: Buffer) => {
    hash.update(c);
    length += c.length;
  });
  return new Promise((resolve) => socket.once("end", () => resolve({ sha: hash.digest("hex"), length })));
}

describe("spliceSockets", () => {
  it("moves 20 MiB each way at once, byte-exact, and relays both half-closes", async () => {
    const fdsBefore = openFds();
    const size = 20 * 1024 * 1024;
    const up = pattern(size, 31);
    const down = pattern(size, 17);
    const { client, server, relay } = await relayed();
    const atServer = drain(server);
    const atClient = drain(client);
    client.end(up);
    server.end(down);
    expect(await atServer).toEqual({ sha: sha(up), length: size });
    expect(await atClient).toEqual({ sha: sha(down), length: size });
    expect(await relay.done).toEqual({ bytesAToB: size, bytesBToA: size, how: "eof" });
    client.destroy();
    server.destroy();
    await new Promise((r) => setImmediate(r));
    expect(spliceRelaysActive()).toBe(0);
    expect(openFds()).toBe(fdsBefore);
    expect(fdKinds().pipe ?? 0).toBeLessThanOrEqual(PIPE_POOL_FDS);
  });

  it("keeps the other direction open after one side half-closes", async () => {
    const { client, server, relay } = await relayed();
    const atServer = drain(server);
    client.end("question");
    expect((await atServer).length).toBe("question".length);
    // The client has sent FIN; the server still answers, and only then closes.
    const atClient = drain(client);
    server.write("answer, ");
    server.end("then FIN");
    expect((await atClient).length).toBe("answer, then FIN".length);
    expect(await relay.done).toMatchObject({ bytesAToB: 8, bytesBToA: 16, how: "eof" });
    client.destroy();
    server.destroy();
  });

  it("delivers bytes JavaScript read before the hand-over first, in order", async () => {
    const early = Buffer.from("early bytes|");
    const { client, server, relay } = await relayed(early);
    const atServer = drain(server);
    client.end("later bytes");
    const expected = Buffer.concat([early, Buffer.from("later bytes")]);
    expect(await atServer).toEqual({ sha: sha(expected), length: expected.length });
    server.end();
    await drain(client);
    expect((await relay.done).bytesAToB).toBe(expected.length);
    client.destroy();
    server.destroy();
  });

  it("relays bytes already in the kernel at the hand-over, with no traffic after it", async () => {
    const client = connect({ port: portOf(front), host: "127.0.0.1", allowHalfOpen: true });
    everything.push(client);
    const a = await next(accepted);
    const b = connect({ port: portOf(back), host: "127.0.0.1", allowHalfOpen: true });
    await new Promise((r) => b.once("connect", r));
    const server = await next(served);
    // Loopback delivers a write inline: the greeting sits in B's receive queue,
    // unread by JavaScript, when the relay registers B (no later edge comes).
    server.write("greeting");
    const relay = spliceSockets(a, b);
    const first = await new Promise<Buffer>((r) => client.once("data", r));
    expect(first.toString()).toBe("greeting");
    client.end();
    server.end();
    await Promise.all([drain(client), drain(server)]);
    expect(await relay.done).toEqual({ bytesAToB: 0, bytesBToA: 8, how: "eof" });
    client.destroy();
    server.destroy();
  });

  it("waits for a stalled reader and loses nothing (send buffer full, then space again)", async () => {
    const size = 48 * 1024 * 1024;
    const up = pattern(size, 13);
    const { client, server, relay } = await relayed();
    server.pause();
    client.end(up);
    // More than the kernel buffers between the two ends hold: the relay's writes to B stall.
    await new Promise((r) => setTimeout(r, 200));
    const atServer = drain(server);
    server.resume();
    expect(await atServer).toEqual({ sha: sha(up), length: size });
    server.end();
    await drain(client);
    expect(await relay.done).toEqual({ bytesAToB: size, bytesBToA: 0, how: "eof" });
    client.destroy();
    server.destroy();
  });

  it("ends when the client resets mid-transfer, leaking no fd", async () => {
    const fdsBefore = openFds();
    const { client, server, relay } = await relayed();
    server.on("error", () => {});
    server.resume();
    // The far side learns it by FIN (the relay closes B) or reset.
    const serverClosed = new Promise((r) => {
      server.once("end", r);
      server.once("close", r);
    });
    client.write(pattern(256 * 1024, 7));
    client.resetAndDestroy();
    const result = await relay.done;
    expect(["eof", "error"]).toContain(result.how);
    await serverClosed; // the reset (or FIN) reached the far side
    server.destroy();
    await new Promise((r) => setImmediate(r));
    expect(spliceRelaysActive()).toBe(0);
    expect(openFds()).toBe(fdsBefore);
  });

  it("stop() shuts both sides down: each peer sees FIN", async () => {
    const { client, server, relay } = await relayed();
    const ends = [drain(client), drain(server)];
    relay.stop();
    await Promise.all(ends);
    expect(await relay.done).toEqual({ bytesAToB: 0, bytesBToA: 0, how: "stopped" });
    relay.stop(); // idempotent after the end
    client.destroy();
    server.destroy();
  });

  it("finishes an idle relay after idleTimeoutMs", async () => {
    const { client, server, relay } = await relayed(undefined, 1);
    client.on("error", () => {});
    server.on("error", () => {});
    expect((await relay.done).how).toBe("idle");
    client.destroy();
    server.destroy();
  });
});

describe("spliceRelay (fd level)", () => {
  it("rejects fds that are not open with EBADF", () => {
    const err = (() => {
      try {
        spliceRelay(100_000, 100_001);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(SpliceRelayError);
    expect((err as SpliceRelayError).code).toBe("EBADF");
  });
});
