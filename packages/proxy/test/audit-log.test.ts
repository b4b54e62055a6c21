// The audit log bounds its memory by backpressure (new requests wait while it
// cannot take more; no record is dropped), and a log that fails stops the proxy
// from doing what it can no longer record. On this thread and in a worker.
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawExchange, statusOf, until } from "./support/clients.js";
import { MODES, startIn } from "./support/modes.js";
import { LOOPBACK_OK, network } from "./support/policy.js";
import { startEchoUpstream, type Upstream } from "./support/upstreams.js";

let echo: Upstream;
beforeAll(async () => {
  echo = await startEchoUpstream();
});
afterAll(async () => {
  await echo.close();
});

const options = () => ({
  port: 0,
  network: network([{ host: "echo.test", ports: [echo.port], allowedIps: LOOPBACK_OK }]),
  hosts: { "echo.test": ["127.0.0.1"] },
});

/** A log reader that takes nothing until release(). */
function stalledReader() {
  const waiting: (() => void)[] = [];
  let flowing = false;
  let text = "";
  const stream = new Writable({
    highWaterMark: 512,
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      if (flowing) done();
      else waiting.push(() => done());
    },
  });
  return {
    stream,
    lines: () => text.split("\n").filter(Boolean),
    release() {
      flowing = true;
      for (const done of waiting.splice(0)) done();
    },
  };
}

describe.each(MODES.filter(([, m]) => m.relay === "js"))("audit log (%s)", (_name, mode) => {
  it("holds new requests while the log cannot take more, and drops no record", async () => {
    const reader = stalledReader();
    const proxy = await startIn(mode, { ...options(), auditLog: reader.stream });
    try {
      const refused = () => rawExchange(proxy.port, "CONNECT nope.test:443 HTTP/1.1\r\nHost: nope.test:443\r\n\r\n").then(statusOf);
      // Fill the log's buffer, one request at a time.
      let filled = 0;
      while (!reader.stream.writableNeedDrain) {
        expect(await refused()).toBe(403);
        filled++;
      }
      // Now every new request waits before its decision.
      const later = 20;
      let answered = 0;
      const requests = Array.from({ length: later }, () => refused().then((status) => (answered++, status)));
      // Give them every chance to be answered if nothing held them.
      await new Promise((r) => setTimeout(r, 300));
      expect(answered).toBe(0);
      reader.release();
      expect(await Promise.all(requests)).toEqual(Array(later).fill(403));
      await until(() => reader.lines().length === filled + later);
      expect(reader.lines().every((l) => JSON.parse(l).reason === "host-not-allowed")).toBe(true);
    } finally {
      reader.release();
      await proxy.close();
    }
  });

  it("refuses every request once the log has failed, and says so", async () => {
    const broken = new Writable({
      write(_chunk, _enc, done) {
        done(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
      },
    });
    broken.on("error", () => {});
    const proxy = await startIn(mode, { ...options(), auditLog: broken });
    const errors: Error[] = [];
    proxy.onAuditError((e) => errors.push(e));
    try {
      // The first record fails to be written.
      await rawExchange(proxy.port, "CONNECT nope.test:443 HTTP/1.1\r\nHost: nope.test:443\r\n\r\n");
      await until(() => errors.length > 0);
      expect(errors[0]!.message).toContain("EPIPE");
      await proxy.update(options().network); // a round trip: the worker has heard of it too
      const before = echo.accepted();
      const raw = await rawExchange(proxy.port, `CONNECT echo.test:${echo.port} HTTP/1.1\r\nHost: echo.test\r\n\r\n`);
      expect(statusOf(raw)).toBe(503);
      expect(raw).toContain("X-Cordon-Reason: audit-unavailable");
      expect(echo.accepted()).toBe(before);
    } finally {
      await proxy.close();
    }
  });
});
