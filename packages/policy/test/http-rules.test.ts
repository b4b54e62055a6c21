import { describe, expect, it } from "vitest";
import { compileHttpRules, parsePolicy, pathForms, resolvePolicy } from "../src/index.js";

describe("compileHttpRules", () => {
  const rules = compileHttpRules({ allow: ["GET /repos/**", "POST /graphql", { method: ["GET", "HEAD"], path: "/user" }], deny: ["* /repos/*/secret/**", "DELETE /**"] });

  it("allows a request an allow rule matches and names the rule", () => {
    expect(rules.decide("GET", "/repos/a/b/issues?page=2")).toEqual({ allowed: true, rule: "allow GET /repos/**" });
    expect(rules.decide("HEAD", "/user")).toEqual({ allowed: true, rule: "allow GET|HEAD /user" });
    expect(rules.decide("GET", "/repos")).toEqual({ allowed: true, rule: "allow GET /repos/**" });
  });

  it("refuses a method or path no allow rule matches", () => {
    expect(rules.decide("POST", "/repos/a")).toMatchObject({ allowed: false, rule: "no allow rule" });
    expect(rules.decide("GET", "/admin")).toMatchObject({ allowed: false, rule: "no allow rule" });
    expect(rules.decide("GET", "/users")).toMatchObject({ allowed: false });
  });

  it("lets deny win over allow, whatever the encoding", () => {
    expect(rules.decide("GET", "/repos/a/secret/x")).toMatchObject({ allowed: false, rule: "deny * /repos/*/secret/**" });
    expect(rules.decide("GET", "/repos/a/%73ecret/x")).toMatchObject({ allowed: false, rule: "deny * /repos/*/secret/**" });
    expect(rules.decide("GET", "/repos/a%2Fsecret/x")).toMatchObject({ allowed: false, rule: "deny * /repos/*/secret/**" });
  });

  it("refuses dot segments, encoded or not", () => {
    expect(rules.decide("GET", "/repos/../admin")).toMatchObject({ allowed: false, rule: "path" });
    expect(rules.decide("GET", "/repos/%2e%2e/admin")).toMatchObject({ allowed: false, rule: "path" });
    expect(rules.decide("GET", "/repos/..%5cadmin")).toMatchObject({ allowed: false, rule: "path" });
    expect(pathForms("http://x/")).toMatchObject({ ok: false });
  });

  it("with only deny rules, allows the rest", () => {
    const denyOnly = compileHttpRules({ deny: ["DELETE /**"] });
    expect(denyOnly.decide("GET", "/anything")).toEqual({ allowed: true, rule: "inspect" });
    expect(denyOnly.decide("DELETE", "/x")).toMatchObject({ allowed: false, rule: "deny DELETE /**" });
  });
});

describe("policy file: http rules and credentials", () => {
  const text = `version: 1
network:
  allow:
    - host: api.example.com
      http:
        allow: ["GET /repos/**"]
        deny: ["DELETE /**"]
      credentials:
        - env: EXAMPLE_TOKEN
          header: Authorization
          prefix: "Bearer "
`;
  it("parses and survives resolution", () => {
    const parsed = parsePolicy(text);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const resolved = resolvePolicy({ base: parsed.policy }, { cwd: "/w", home: "/h", tmpdir: "/t" });
    expect(resolved.ok && resolved.policy.network.allow[0]).toEqual({
      host: "api.example.com",
      http: { allow: ["GET /repos/**"], deny: ["DELETE /**"] },
      credentials: [{ env: "EXAMPLE_TOKEN", header: "Authorization", prefix: "Bearer " }],
    });
  });

  it("positions bad rules and credentials with line:column", () => {
    const bad = parsePolicy(
      `version: 1
network:
  allow:
    - host: api.example.com
      http:
        allow: ["get repos"]
      credentials:
        - env: A
          file: ~/t
          header: X
        - env: B
          header: Host
`,
      { filename: "p.yaml" },
    );
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    const lines = bad.errors.map(String);
    expect(lines[0]).toMatch(/^p\.yaml:6:17: network\.allow\[0\]\.http\.allow\[0\]: expected an upper-case HTTP method/);
    expect(lines[1]).toMatch(/^p\.yaml:8:11: network\.allow\[0\]\.credentials\[0\]: expected exactly one source/);
    expect(lines[2]).toMatch(/^p\.yaml:12:19: network\.allow\[0\]\.credentials\[1\]\.header: Host cannot carry a credential/);
  });

  it("suggests keys inside credentials", () => {
    const bad = parsePolicy(`version: 1\nnetwork:\n  allow:\n    - host: a.example\n      credentials:\n        - env: A\n          headr: X\n`);
    expect(!bad.ok && bad.errors.map(String).join("\n")).toMatch(/7:11: .*unknown key "headr" \(did you mean header\?\)/);
  });
});

describe("enforcement report: inspection items", () => {
  const yaml = `version: 1
network:
  proxyPort: 3128
  allow:
    - host: api.example.com
      http: { allow: ["GET /x"] }
      credentials: [{ env: T, header: Authorization }]
`;
  it("says the credentials are kept out of reach by the Landlock domain", async () => {
    const { resolved, run } = await import("./helpers.js");
    const items = run(7, resolved(yaml)).report.items;
    expect(items.find((i) => i.id === "net.http-rules")).toMatchObject({ enforcedBy: "proxy", mechanism: "TLS inspection (per-run CA, HTTP/1.1)" });
    expect(items.find((i) => i.id === "net.credentials")).toMatchObject({ enforcedBy: "kernel", level: "full" });
  });
  it("says they are not injected without Landlock", async () => {
    const { resolved, run } = await import("./helpers.js");
    const result = run(0, resolved(yaml));
    expect(result.report.items.find((i) => i.id === "net.credentials")).toMatchObject({ enforcedBy: "nothing", level: "none" });
  });
});
