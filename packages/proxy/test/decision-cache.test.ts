import { compileHostRules } from "@cordon/policy";
import { describe, expect, it } from "vitest";
import { DECISION_CACHE_MAX, decideCached } from "../src/decision-cache.js";

describe("decideCached", () => {
  const rules = { allow: [{ host: "*.example.com", ports: [443] }], deny: [{ host: "bad.example.com" }] };

  it("answers what the matcher answers, and asks it once per host and port", () => {
    const inner = compileHostRules(rules);
    let calls = 0;
    const matcher = { decide: (h: string, p: number) => (calls++, inner.decide(h, p)) };
    for (const [host, port] of [["a.example.com", 443], ["A.Example.com", 443], ["a.example.com", 80], ["bad.example.com", 443], ["other.org", 443], ["bad host", 443]] as const) {
      expect(decideCached(matcher, host, port)).toEqual(inner.decide(host, port));
      expect(decideCached(matcher, host, port)).toEqual(inner.decide(host, port));
    }
    expect(calls).toBe(6);
  });

  it("starts empty for a new matcher (a policy update)", () => {
    const before = compileHostRules(rules);
    expect(decideCached(before, "a.example.com", 443).allowed).toBe(true);
    const after = compileHostRules({ allow: [], deny: [] });
    expect(decideCached(after, "a.example.com", 443)).toMatchObject({ allowed: false, reason: "host-not-allowed" });
  });

  it("stays bounded when every name is new", () => {
    let calls = 0;
    const matcher = { decide: (h: string) => (calls++, { allowed: false as const, host: h, reason: "host-not-allowed" as const, message: "no" }) };
    for (let i = 0; i <= DECISION_CACHE_MAX; i++) decideCached(matcher, `h${i}.test`, 443);
    calls = 0;
    decideCached(matcher, "h1.test", 443); // evicted when the cache started over
    decideCached(matcher, `h${DECISION_CACHE_MAX}.test`, 443); // kept
    expect(calls).toBe(1);
  });

  it("does not cache a matcher that throws", () => {
    let calls = 0;
    const matcher = { decide: () => { calls++; throw new Error("boom"); } };
    expect(() => decideCached(matcher, "x.test", 443)).toThrow("boom");
    expect(() => decideCached(matcher, "x.test", 443)).toThrow("boom");
    expect(calls).toBe(2);
  });
});
