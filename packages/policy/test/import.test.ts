import { describe, expect, it } from "vitest";
import { compileHostRules, importOpenShell, importSrt, resolvePolicy } from "../src/index.js";
import { FACTS } from "./helpers.js";

const OPENSHELL = `version: 1
filesystem_policy:
  include_workdir: true
  read_only: [/usr, /lib, /etc, /proc, /dev/urandom]
  read_write: [/sandbox, /dev/null]
landlock: { compatibility: hard_requirement }
process: { run_as_user: sandbox, run_as_group: sandbox }
network_policies:
  registry:
    endpoints:
      - { host: registry.npmjs.org, port: 443 }
      - { host: "*.githubusercontent.com", ports: [443, 8443] }
    binaries: [ { path: /usr/bin/node } ]
  internal_api:
    endpoints:
      - host: api.corp.example
        port: 8080
        allowed_ips: ["10.20.0.0/16"]
        protocol: rest
        enforcement: enforce
        rules: [ { allow: { method: GET, path: "/v1/**" } } ]
    binaries: [ { path: /usr/bin/curl } ]
  lan:
    endpoints: [ { ports: [80, 443], allowed_ips: ["192.168.10.0/24"] } ]
    binaries: [ { path: /usr/bin/python3.11 } ]
`;

describe("importOpenShell", () => {
  it("carries over paths, compatibility and L4 endpoints", () => {
    const result = importOpenShell(OPENSHELL);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.policy.compat).toBe("hard");
    expect(result.policy.filesystem).toEqual({
      includeWorkdir: true,
      readOnly: ["/usr", "/lib", "/etc", "/proc", "/dev/urandom"],
      readWrite: ["/sandbox", "/dev/null"],
      exec: [],
    });
    expect(result.policy.network.mode).toBe("platform");
    expect(result.policy.network.allow).toEqual([
      { host: "registry.npmjs.org", ports: [443] },
      { host: "*.githubusercontent.com", ports: [443, 8443] },
      { host: "api.corp.example", ports: [8080], allowedIps: ["10.20.0.0/16"] },
      { host: "192.168.10.0/24", ports: [80, 443] },
    ]);
    const notes = result.notes.join("\n");
    expect(notes).toContain("process (run_as_user/run_as_group) not carried over");
    expect(notes).toContain("network_policies.registry.binaries: cordon does not match by binary");
    expect(notes).toContain("network_policies.internal_api.endpoints[0]: protocol, enforcement, rules not carried over");
    expect(notes).toContain("network_policies.lan.endpoints[0] has no host");
  });

  it("produces a policy that resolves and matches like the original at L4", () => {
    const result = importOpenShell(OPENSHELL);
    if (!result.ok) throw new Error("import failed");
    const resolved = resolvePolicy({ base: result.policy }, FACTS);
    expect(resolved.ok).toBe(true);
    const matcher = compileHostRules(result.policy.network);
    expect(matcher.decide("objects.githubusercontent.com", 8443).allowed).toBe(true);
    expect(matcher.decide("githubusercontent.com", 443).allowed).toBe(false);
    expect(matcher.decide("api.corp.example", 8080)).toMatchObject({ allowed: true, allowedIps: ["10.20.0.0/16"] });
  });

  it("positions errors in OpenShell's own keys", () => {
    const result = importOpenShell("version: 1\nfilesystem_policy:\n  read_write: [/]\nnetwork_policies:\n  x:\n    endpoints:\n      - { host: '*.com', port: 99999 }\nsandbox: {}\n", { filename: "os.yaml" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map(String)).toEqual([
      "os.yaml:8:1: sandbox: unknown OpenShell key \"sandbox\" (expected one of version, filesystem_policy, landlock, process, network_policies)",
      "os.yaml:3:16: filesystem_policy.read_write[0]: the root directory cannot be writable",
      "os.yaml:7:32: network_policies.x.endpoints[0].port: expected an integer 1-65535, got 99999",
      'os.yaml:7:17: network_policies.x.endpoints[0].host: wildcard over a top-level domain ("*.com") is not allowed (name the domain, e.g. "*.example.com")',
    ]);
  });

  it("requires version 1", () => {
    const result = importOpenShell("version: 2\n");
    expect(!result.ok && String(result.errors[0])).toBe("1:10: version: expected version: 1, got 2");
  });
});

const SRT = `{
  "network": {
    "allowedDomains": ["github.com", "*.npmjs.org", "api.example.com:8443"],
    "deniedDomains": ["evil.example.com", "*"],
    "allowLocalBinding": true,
    "httpProxyPort": 8888
  },
  "filesystem": {
    "denyRead": ["~/.ssh", "secrets.txt"],
    "allowWrite": [".", "src", "/tmp", "~/.cache/**"],
    "denyWrite": [".env"],
    "allowGitConfig": true
  },
  "credentials": { "envVars": [] }
}`;

describe("importSrt", () => {
  it("carries over domains and writable paths, and notes the rest", () => {
    const result = importSrt(SRT);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.policy.network.allow).toEqual([{ host: "github.com" }, { host: "*.npmjs.org" }, { host: "api.example.com", ports: [8443] }]);
    expect(result.policy.network.deny).toEqual([{ host: "evil.example.com" }]);
    expect(result.policy.filesystem.readWrite).toEqual([".", "./src", "/tmp"]);
    expect(result.policy.filesystem.readOnly).toEqual(["~/.gitconfig"]);
    expect(result.policy.filesystem.secrets).toEqual(["~/.ssh"]);
    const notes = result.notes.join("\n");
    for (const expected of [
      "credentials: not carried over",
      "network.allowLocalBinding: not carried over",
      "network.httpProxyPort: not carried over",
      'network.deniedDomains[1] "*"',
      'network.allowedDomains[0] "github.com": srt allows every port',
      "globs are not supported",
      'filesystem.denyRead[1] "secrets.txt" not carried over',
      "filesystem.denyWrite (1 entries) not carried over",
      "srt lets the command read everything",
    ]) expect(notes).toContain(expected);
    expect(resolvePolicy({ base: result.policy }, FACTS).ok).toBe(true);
  });

  it("positions errors in the JSON", () => {
    const result = importSrt('{\n  "network": {"allowedDomains": ["*.com", 5]}\n}', { filename: "srt.json" });
    expect(!result.ok && result.errors.map(String)).toEqual([
      'srt.json:2:34: network.allowedDomains[0]: wildcard over a top-level domain ("*.com") is not allowed (name the domain, e.g. "*.example.com")',
      "srt.json:2:43: network.allowedDomains[1]: expected a domain string, got 5",
    ]);
  });

  it("reports JSON syntax errors", () => {
    const result = importSrt('{"network": ');
    expect(!result.ok && result.errors[0]!.message).toMatch(/^JSON syntax error/);
  });
});
