import { describe, expect, it } from "vitest";
import { parsePolicy, policySchema, type PolicyError } from "../src/index.js";

function errorsOf(text: string, filename = "policy.yaml"): PolicyError[] {
  const result = parsePolicy(text, { filename });
  if (result.ok) throw new Error("expected errors");
  return result.errors;
}

describe("parsePolicy", () => {
  it("defaults everything but version", () => {
    expect(parsePolicy("version: 1\n")).toEqual({
      ok: true,
      policy: {
        version: 1,
        compat: "best-effort",
        filesystem: { includeWorkdir: true, readOnly: [], readWrite: [], exec: [] },
        network: { mode: "platform", proxyPort: 3128, allow: [], deny: [], localhostPorts: [], bindPorts: [] },
        scopes: { abstractUnix: true, signals: true },
      },
      keys: ["version"],
    });
  });

  it("reads every key and both entry forms", () => {
    const text = `version: 1
compat: hard
extends: [node, git]
filesystem:
  includeWorkdir: false
  readOnly: [/opt/data, ~/.config/tool]
  readWrite: [./build, /var/tmp/x]
  exec: [~/.local/bin]
network:
  mode: platform
  proxyPort: 0
  allow:
    - registry.npmjs.org
    - "*.example.com:443"
    - "[::1]:8080"
    - 10.0.0.0/8
    - host: api.corp.example
      ports: [8443]
      allowedIps: [10.20.0.0/16]
  deny: ["evil.example.com"]
  localhostPorts: [5432]
  bindPorts: [3000]
scopes: { abstractUnix: false, signals: true }
`;
    const result = parsePolicy(text);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.policy.compat).toBe("hard");
    expect(result.policy.extends).toEqual(["node", "git"]);
    expect(result.policy.filesystem).toEqual({
      includeWorkdir: false,
      readOnly: ["/opt/data", "~/.config/tool"],
      readWrite: ["./build", "/var/tmp/x"],
      exec: ["~/.local/bin"],
    });
    expect(result.policy.network.allow).toEqual([
      { host: "registry.npmjs.org" },
      { host: "*.example.com", ports: [443] },
      { host: "::1", ports: [8080] },
      { host: "10.0.0.0/8" },
      { host: "api.corp.example", ports: [8443], allowedIps: ["10.20.0.0/16"] },
    ]);
    expect(result.policy.network).toMatchObject({ proxyPort: 0, deny: [{ host: "evil.example.com" }], localhostPorts: [5432], bindPorts: [3000] });
    expect(result.policy.scopes).toEqual({ abstractUnix: false, signals: true });
  });

  it("reads JSON with the same keys", () => {
    const result = parsePolicy('{"version": 1, "network": {"mode": "none"}}', { filename: "p.json" });
    expect(result.ok && result.policy.network.mode).toBe("none");
  });

  it("positions each error with line:column and names field and expectation", () => {
    const errors = errorsOf(`version: 1
filesystem:
  readwrite: [./build]
  readOnly: [src, /a/../b]
network:
  allow:
    - github.com
    - "*.com"
    - host: x.org
      ports: [https]
    - 5
  mode: platfrom
`);
    expect(errors.map(String)).toEqual([
      "policy.yaml:3:3: filesystem.readwrite: unknown key \"readwrite\" (did you mean readWrite?)",
      'policy.yaml:4:14: filesystem.readOnly[0]: relative path "src" is ambiguous (write "./src" for a path in the working directory, or an absolute path)',
      'policy.yaml:4:19: filesystem.readOnly[1]: "/a/../b" contains a ".." segment (write the path without ..)',
      'policy.yaml:8:7: network.allow[1]: wildcard over a top-level domain ("*.com") is not allowed (name the domain, e.g. "*.example.com")',
      'policy.yaml:10:15: network.allow[2].ports[0]: expected an integer 1-65535, got "https"',
      'policy.yaml:11:7: network.allow[3]: expected a host string ("host", "host:port", "*.example.com:443", "[::1]:8080", "10.0.0.0/8") or a mapping {host, ports}, got 5',
      'policy.yaml:12:9: network.mode: expected one of platform, proxy, none, unrestricted, got "platfrom"',
    ]);
    expect(errors[4]).toMatchObject({ path: "network.allow[2].ports[0]", line: 10, column: 15 });
    expect(errors[0]!.hint).toBe("did you mean readWrite?");
  });

  it.each([
    ["verison: 1\nversion: 1\n", "verison", "did you mean version?"],
    ["version: 1\nnetwork: {proxyport: 1}\n", "network.proxyport", "did you mean proxyPort?"],
    ["version: 1\nnetwork: {allow: [{host: a.com, port: [1]}]}\n", "network.allow[0].port", "did you mean ports?"],
    ["version: 1\nscopes: {signal: true}\n", "scopes.signal", "did you mean signals?"],
    ["version: 1\nfilesystem: {read_only: []}\n", "filesystem.read_only", "did you mean readOnly?"],
  ])("suggests the nearest key for %j", (text, path, hint) => {
    expect(errorsOf(text)[0]).toMatchObject({ path, hint });
  });

  it("reports a missing version at the top", () => {
    expect(errorsOf("compat: hard\n").map(String)).toEqual(["policy.yaml:1:1: version: missing; expected version: 1"]);
  });

  it("rejects version 2 in JSON at its position", () => {
    expect(errorsOf('{\n  "version": 2\n}', "p.json").map(String)).toEqual(["p.json:2:14: version: expected version: 1, got 2"]);
  });

  it("positions YAML syntax errors", () => {
    const [error] = errorsOf("version: 1\nnetwork:\n  allow: [a, b\n");
    expect(error!.message).toMatch(/^YAML syntax error: /);
    expect(error!.line).toBe(4);
  });

  it("rejects duplicate keys", () => {
    expect(errorsOf("version: 1\nversion: 1\n")[0]).toMatchObject({ line: 2, column: 1 });
  });

  it.each([
    ["filesystem: {readWrite: [/]}", "filesystem.readWrite[0]", "the root directory cannot be writable"],
    ['filesystem: {readWrite: ["~"]}', "filesystem.readWrite[0]", "your whole home directory cannot be writable"],
    ["filesystem: {readOnly: [~]}", "filesystem.readOnly[0]", "expected a path string, got null"],
    ["filesystem: {readWrite: ['~/']}", "filesystem.readWrite[0]", "your whole home directory cannot be writable"],
    ["filesystem: {exec: [~bob/bin]}", "filesystem.exec[0]", "only \"~\" and \"~/...\""],
    ['filesystem: {readOnly: ["/a\\0b"]}', "filesystem.readOnly[0]", "NUL"],
    ["network: {proxyPort: 70000}", "network.proxyPort", "expected an integer 0-65535 (0 = pick a free port), got 70000"],
    ["network: {localhostPorts: [0]}", "network.localhostPorts[0]", "expected an integer 1-65535, got 0"],
    ["network: {allow: [{host: a.com, ports: []}]}", "network.allow[0].ports", "expected at least one port"],
    ["network: {allow: [{host: a.com, allowedIps: [10.0.0.0/40]}]}", "network.allow[0].allowedIps[0]", "prefix length"],
    ["network: {deny: [{host: a.com, allowedIps: []}]}", "network.deny[0].allowedIps", 'unknown key "allowedIps"'],
    ["extends: [ruby]", "extends[0]", "valid presets: node, python, git"],
    ["compat: strict", "compat", "expected one of best-effort, soft, hard"],
  ])("rejects %s", (body, path, message) => {
    const [error] = errorsOf(`version: 1\n${body}\n`);
    expect(error!.path).toBe(path);
    expect(error!.message).toContain(message);
    expect(error!.line).toBe(2);
  });

  it("explains that a bare ~ is YAML's null", () => {
    expect(errorsOf("version: 1\nfilesystem: {readOnly: [~]}\n")[0]!.hint).toContain("quote it");
  });

  it("rejects an empty document and non-mappings", () => {
    expect(errorsOf("")[0]!.message).toContain("empty");
    expect(errorsOf("- 1\n")[0]!.message).toContain("expected a mapping");
  });
});

describe("policySchema", () => {
  it("describes the file format as JSON Schema", () => {
    const schema = policySchema() as { properties: Record<string, { properties?: Record<string, unknown> }>; required: string[]; additionalProperties: boolean };
    expect(schema.required).toEqual(["version"]);
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual(["version", "compat", "extends", "filesystem", "network", "scopes", "limits"]);
    expect(Object.keys(schema.properties["network"]!.properties!)).toEqual(["mode", "proxyPort", "allow", "deny", "localhostPorts", "bindPorts", "isolation", "allowUnixSockets"]);
  });
});
