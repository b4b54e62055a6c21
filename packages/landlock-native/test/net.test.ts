// TCP connect and bind rules, IPv4 and IPv6, against real loopback listeners.
import type { Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NET, type Ruleset } from "../src/index.js";
import { baseRuleset, closeServer, freePort, listen, portOf, probe } from "./helpers.js";

const families = [
  { name: "IPv4", host: "127.0.0.1", connect: "connect4", bind: "bind4" },
  { name: "IPv6", host: "::1", connect: "connect6", bind: "bind6" },
] as const;

let servers: Server[] = [];
let allowedListening = 0;
let allowedNoListener = 0;
let deniedListening = 0;
let ruleset: Ruleset;

beforeAll(async () => {
  // One allowed and one denied port with listeners on both families.
  const a4 = await listen("127.0.0.1");
  allowedListening = portOf(a4);
  const d4 = await listen("127.0.0.1");
  deniedListening = portOf(d4);
  servers = [a4, d4, await listen("::1", allowedListening), await listen("::1", deniedListening)];
  allowedNoListener = await freePort();

  ruleset = baseRuleset({ fs: 0, net: NET.CONNECT_TCP | NET.BIND_TCP });
  ruleset.addPort(allowedListening, NET.CONNECT_TCP);
  ruleset.addPort(allowedNoListener, NET.CONNECT_TCP | NET.BIND_TCP);
});

afterAll(async () => {
  ruleset.close();
  await Promise.all(servers.map(closeServer));
});

describe.each(families)("TCP over $name", (f) => {
  it("connect to an allowed port with a listener succeeds", async () => {
    expect(await probe(ruleset, f.connect, String(allowedListening))).toBe("OK");
  });

  it("connect to an allowed port without a listener reaches the network stack (ECONNREFUSED)", async () => {
    expect(await probe(ruleset, f.connect, String(allowedNoListener))).toBe("ECONNREFUSED");
  });

  it("connect to a denied port fails with EACCES even though something listens", async () => {
    expect(await probe(ruleset, f.connect, String(deniedListening))).toBe("EACCES");
    expect(await probe(undefined, f.connect, String(deniedListening))).toBe("OK");
  });

  it("bind is allowed only on a BIND_TCP port", async () => {
    expect(await probe(ruleset, f.bind, String(allowedNoListener))).toBe("OK");
    const other = await freePort();
    expect(await probe(ruleset, f.bind, String(other))).toBe("EACCES");
  });
});
