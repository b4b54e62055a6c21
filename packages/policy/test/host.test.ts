import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalizeHost, compileHostRules, parseHostEntry } from "../src/index.js";

describe("canonicalizeHost", () => {
  it.each([
    ["Example.COM", "domain", "example.com"],
    ["example.com.", "domain", "example.com"],
    ["Bücher.de", "domain", "xn--bcher-kva.de"],
    ["127.1", "ipv4", "127.0.0.1"],
    ["0x7f.0.0.1", "ipv4", "127.0.0.1"],
    ["2130706433", "ipv4", "127.0.0.1"],
    ["017700000001", "ipv4", "127.0.0.1"],
    ["[::1]", "ipv6", "::1"],
    ["0:0:0:0:0:0:0:1", "ipv6", "::1"],
    ["2001:DB8:0:0:0:0:0:1", "ipv6", "2001:db8::1"],
    ["::ffff:127.0.0.1", "ipv4", "127.0.0.1"],
    ["[::ffff:7f00:1]", "ipv4", "127.0.0.1"],
  ])("%s → %s %s", (input, kind, value) => {
    expect(canonicalizeHost(input)).toEqual({ kind, value });
  });

  it.each([
    ["", "empty"],
    ["a..b", "empty label"],
    ["exa\nmple.com", "control"],
    ["fe80::1%eth0", "%"],
    ["ex ample.com", "whitespace"],
    ["1.2.3.4.5", "not a valid"],
    ["999.1.1.1", "not a valid"],
    [`${"a".repeat(64)}.com`, "longer than 63"],
    [`${"abcdefghi.".repeat(26)}com`, "longer than 253"],
    ["[example.com]", "brackets"],
    ["-bad.com", "label"],
  ])("rejects %j (%s)", (input, reason) => {
    const result = canonicalizeHost(input);
    expect(result.kind).toBe("invalid");
    expect(result.kind === "invalid" && result.reason).toContain(reason);
  });

  const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255));
  const spellings = ([a, b, c, d]: [number, number, number, number]): string[] => {
    const n = ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
    return [
      `${a}.${b}.${c}.${d}`,
      `0x${a.toString(16)}.0x${b.toString(16)}.0x${c.toString(16)}.0x${d.toString(16)}`,
      `0${a.toString(8)}.0${b.toString(8)}.0${c.toString(8)}.0${d.toString(8)}`,
      String(n),
      `0x${n.toString(16)}`,
      `0${n.toString(8)}`,
      `${a}.${(b << 16) + (c << 8) + d}`,
      `${a}.${b}.${(c << 8) + d}`,
      `::ffff:${a}.${b}.${c}.${d}`,
      `[::ffff:${a}.${b}.${c}.${d}]`,
      `${a}.${b}.${c}.${d}.`,
    ];
  };

  it("canonicalises every IPv4 spelling of one address to the dotted quad", () => {
    fc.assert(
      fc.property(ipv4, (octets) => {
        const expected = octets.join(".");
        for (const spelling of spellings(octets)) expect(canonicalizeHost(spelling)).toEqual({ kind: "ipv4", value: expected });
      }),
    );
  });

  const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,8}[a-z0-9])?$/);
  const domain = fc.array(label, { minLength: 1, maxLength: 5 }).map((labels) => [...labels, "example"].join("."));
  const anyHost = fc.oneof(domain, ipv4.map((o) => o.join(".")), fc.ipV6(), fc.string(), fc.domain());

  it("is idempotent", () => {
    fc.assert(
      fc.property(anyHost, (host) => {
        const once = canonicalizeHost(host);
        if (once.kind === "invalid") return;
        expect(canonicalizeHost(once.value)).toEqual(once);
      }),
    );
  });

  it("is case- and trailing-dot-insensitive for names", () => {
    fc.assert(
      fc.property(domain, (name) => {
        expect(canonicalizeHost(`${name.toUpperCase()}.`)).toEqual(canonicalizeHost(name));
      }),
    );
  });
});

describe("parseHostEntry", () => {
  it.each([
    ["github.com", { host: "github.com" }],
    ["github.com:443", { host: "github.com", ports: [443] }],
    ["*.example.com:443", { host: "*.example.com", ports: [443] }],
    ["[::1]:8080", { host: "::1", ports: [8080] }],
    ["::1", { host: "::1" }],
    ["10.0.0.0/8", { host: "10.0.0.0/8" }],
    ["10.0.0.0/8:5432", { host: "10.0.0.0/8", ports: [5432] }],
    ["[2001:db8::]/32:443", { host: "2001:db8::/32", ports: [443] }],
    ["example.com:443,8443", { host: "example.com", ports: [443, 8443] }],
  ])("%s", (text, rule) => {
    expect(parseHostEntry(text)).toEqual({ ok: true, rule });
  });

  it.each([
    ["example.com:https", 'expected a port 1-65535 after ":", got "https"'],
    ["example.com:0", "expected a port"],
    ["example.com:65536", "expected a port"],
    ["*", "bare"],
    ["**", "bare"],
    ["*.com", "top-level domain"],
    ["**.com:443", "top-level domain"],
    ["foo.*.com", "first label"],
    ["*foo.com", "first label"],
    ["*.10.0.0.1", "IP address"],
    ["10.0.0.0/33", "prefix length"],
  ])("rejects %s", (text, reason) => {
    const result = parseHostEntry(text);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain(reason);
  });
});

describe("compileHostRules", () => {
  const matcher = compileHostRules({
    allow: [
      { host: "github.com" },
      { host: "*.example.com" },
      { host: "**.corp.io", ports: [8443] },
      { host: "10.0.0.0/8", ports: [5432] },
      { host: "::1", ports: [8080] },
      { host: "api.corp.io", ports: [8443], allowedIps: ["10.20.0.0/16"] },
    ],
    deny: [{ host: "evil.example.com" }, { host: "github.com", ports: [80] }],
  });

  it.each([
    ["github.com", 443, "github.com"],
    ["GITHUB.com.", 443, "github.com"],
    ["a.example.com", 80, "*.example.com"],
    ["x.corp.io", 8443, "**.corp.io:8443"],
    ["a.b.c.corp.io", 8443, "**.corp.io:8443"],
    ["10.200.3.4", 5432, "10.0.0.0/8:5432"],
    ["012.1.2.3", 5432, "10.0.0.0/8:5432"],
    ["[0:0::1]", 8080, "[::1]:8080"],
  ])("allows %s:%d by %s", (host, port, rule) => {
    const decision = matcher.decide(host, port);
    expect(decision).toMatchObject({ allowed: true, rule });
  });

  it.each([
    ["example.com", 443, "host-not-allowed"], // the apex never matches a wildcard
    ["a.b.example.com", 443, "host-not-allowed"], // * is exactly one label
    ["corp.io", 8443, "host-not-allowed"],
    ["evil.example.com", 443, "host-denied"],
    ["github.com", 80, "host-denied"],
    ["github.com", 22, "port-not-allowed"],
    ["x.corp.io", 443, "port-not-allowed"],
    ["10.1.1.1", 443, "port-not-allowed"],
    ["11.1.1.1", 5432, "host-not-allowed"],
    ["bad host", 443, "invalid-host"],
    ["github.com", 0, "port-not-allowed"],
  ])("refuses %s:%d (%s)", (host, port, reason) => {
    expect(matcher.decide(host, port)).toMatchObject({ allowed: false, reason });
  });

  it("gives the SSRF exemptions of every rule that allows the request", () => {
    const d = matcher.decide("api.corp.io", 8443);
    expect(d).toMatchObject({ allowed: true, rule: "api.corp.io:8443", isIpLiteral: false });
    expect(d.allowed && d.allowedIps).toEqual(["10.20.0.0/16"]);
    const ip = matcher.decide("10.9.9.9", 5432);
    expect(ip.allowed && ip.allowedIps).toEqual(["10.0.0.0/8"]);
    expect(ip.allowed && ip.isIpLiteral).toBe(true);
  });

  it("names the matched rule and allowed ports when the port is wrong", () => {
    const d = matcher.decide("x.corp.io", 443);
    expect(d).toMatchObject({ rule: "**.corp.io:8443" });
    expect(!d.allowed && d.message).toContain("allowed: 8443");
  });

  it("throws on an invalid rule", () => {
    expect(() => compileHostRules({ allow: [{ host: "*.com" }], deny: [] })).toThrow(/network\.allow\[0\]\.host/);
  });

  const label = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/);
  const suffix = fc.array(label, { minLength: 2, maxLength: 3 }).map((l) => l.join("."));

  it("property: *.x matches exactly one extra label, **.x one or more, never the apex", () => {
    fc.assert(
      fc.property(suffix, fc.array(label, { minLength: 0, maxLength: 4 }), (base, extra) => {
        const host = [...extra, base].join(".");
        const one = compileHostRules({ allow: [{ host: `*.${base}` }], deny: [] }).decide(host, 443);
        const many = compileHostRules({ allow: [{ host: `**.${base}` }], deny: [] }).decide(host, 443);
        expect(one.allowed).toBe(extra.length === 1);
        expect(many.allowed).toBe(extra.length >= 1);
      }),
    );
  });

  it("property: IP literals never match name patterns", () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), suffix, (ip, base) => {
        const m = compileHostRules({ allow: [{ host: `**.${base}` }, { host: `*.${base}` }, { host: base }], deny: [] });
        expect(m.decide(ip.includes(":") ? `[${ip}]` : ip, 443)).toMatchObject({ allowed: false, reason: "host-not-allowed" });
      }),
    );
  });

  it("property: deny wins over any allow", () => {
    fc.assert(
      fc.property(suffix, label, fc.constantFrom("exact", "one", "many"), fc.constantFrom("exact", "one", "many"), (base, sub, a, d) => {
        const host = `${sub}.${base}`;
        const pattern = (kind: string) => (kind === "exact" ? host : kind === "one" ? `*.${base}` : `**.${base}`);
        const m = compileHostRules({ allow: [{ host: pattern(a) }], deny: [{ host: pattern(d) }] });
        expect(m.decide(host, 443)).toMatchObject({ allowed: false, reason: "host-denied" });
      }),
    );
  });

  it("costs index lookups that do not grow with the number of rules", () => {
    const probes = (count: number) => {
      const allow = Array.from({ length: count }, (_, i) => ({ host: i % 2 ? `h${i}.example.com` : `*.s${i}.example.org` }));
      allow.push({ host: "10.0.0.0/8" }, { host: "192.168.1.0/24" });
      const m = compileHostRules({ allow, deny: [{ host: "x.example.net" }] });
      const before = m.lookups;
      for (const host of ["h7.example.com", "a.s8.example.org", "nope.example.com", "a.b.c.d.example.io", "10.1.2.3"]) m.decide(host, 443);
      return m.lookups - before;
    };
    expect(probes(100_000)).toBe(probes(10));
  });
});
