import { describe, expect, it } from "vitest";
import { DecisionLog } from "../src/decision-log.js";
import { exitStatus } from "../src/exit-status.js";

const ev = (host: string, decision: "allow" | "deny", reason?: string) =>
  ({ id: 1, time: 0, method: "CONNECT", host, port: 443, decision, ...(reason ? { reason } : {}), status: decision === "allow" ? 200 : 403 }) as never;

describe("DecisionLog", () => {
  it("counts and groups refusals by host, port and reason, most frequent first", () => {
    const log = new DecisionLog();
    log.add(ev("a.test", "allow"));
    log.add(ev("b.test", "deny", "host-not-allowed"));
    log.add(ev("c.test", "deny", "host-denied"));
    log.add(ev("c.test", "deny", "host-denied"));
    expect(log.summary()).toEqual({
      allowed: 1,
      denied: 3,
      deniedHosts: [
        { host: "c.test", port: 443, reason: "host-denied", count: 2 },
        { host: "b.test", port: 443, reason: "host-not-allowed", count: 1 },
      ],
    });
  });
});

describe("exitStatus", () => {
  it("follows the shell convention", () => {
    expect(exitStatus(3, null)).toBe(3);
    expect(exitStatus(null, "SIGKILL")).toBe(137);
    expect(exitStatus(null, "SIGTERM")).toBe(143);
  });
});
