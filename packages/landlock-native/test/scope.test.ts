// Scopes (ABI 6): abstract UNIX sockets and signals across the domain boundary.
import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCOPE, abi } from "../src/index.js";
import { baseRuleset, closeServer, probe } from "./helpers.js";

const name = `cordon-scope-test-${process.pid}`;
let server: Server;

beforeAll(async () => {
  server = createServer((s) => s.destroy());
  await new Promise<void>((resolve) => server.listen(`\0${name}`, resolve));
});

afterAll(async () => {
  await closeServer(server);
});

describe.skipIf(abi() < 6)("scopes", () => {
  it("an abstract UNIX socket created outside the domain is unreachable (EPERM)", async () => {
    const rs = baseRuleset({ fs: 0, scoped: SCOPE.ABSTRACT_UNIX_SOCKET });
    try {
      expect(await probe(rs, "unix-connect", name)).toBe("EPERM");
    } finally {
      rs.close();
    }
    const unscoped = baseRuleset({ fs: 0, scoped: SCOPE.SIGNAL });
    try {
      expect(await probe(unscoped, "unix-connect", name)).toBe("OK");
    } finally {
      unscoped.close();
    }
  });

  it("a signal to a process outside the domain fails with EPERM", async () => {
    const rs = baseRuleset({ fs: 0, scoped: SCOPE.SIGNAL });
    try {
      expect(await probe(rs, "kill", String(process.pid))).toBe("EPERM");
    } finally {
      rs.close();
    }
    const unscoped = baseRuleset({ fs: 0, scoped: SCOPE.ABSTRACT_UNIX_SOCKET });
    try {
      expect(await probe(unscoped, "kill", String(process.pid))).toBe("OK");
    } finally {
      unscoped.close();
    }
  });
});
