import { describe, expect, it } from "vitest";
import { defaultPolicy, layerPolicy, parsePolicy, parseUserConfig, widenings, withTrust, type PolicyLayer } from "../src/index.js";

const FACTS = { cwd: "/work/proj", home: "/home/u" };

function layer(yaml: string): PolicyLayer {
  const r = parsePolicy(yaml, { filename: "cordon.yaml" });
  if (!r.ok) throw new Error(r.errors.map(String).join("\n"));
  return { policy: r.policy, keys: r.keys ?? [] };
}
const keysOf = (yaml: string, base = defaultPolicy()) => widenings(base, layer(yaml), FACTS).map((w) => w.key);

describe("widenings: what an untrusted project file may set", () => {
  it("accepts what only tightens", () => {
    expect(
      keysOf(`version: 1
compat: hard
filesystem:
  includeWorkdir: false
  readOnly: [/usr/share, ./docs, /etc/hosts]
  readWrite: [./build]
  protected: [secrets.json]
network:
  mode: none
  isolation: namespace
  deny: [evil.example]
scopes: { abstractUnix: true, signals: true }
`),
    ).toEqual([]);
  });

  it("accepts the starter policy (the defaults spelled out)", () => {
    expect(keysOf("version: 1\ncompat: best-effort\nfilesystem: { includeWorkdir: true }\nnetwork: { mode: platform, proxyPort: 3128 }\n")).toEqual([]);
  });

  it("names every key that widens", () => {
    const w = widenings(
      defaultPolicy(),
      layer(`version: 1
compat: soft
extends: [node]
filesystem:
  readOnly: [~/.ssh]
  readWrite: [~/.config]
  exec: [/opt/tool]
network:
  mode: unrestricted
  isolation: landlock
  proxyPort: 22
  allow: [exfil.example.com]
  localhostPorts: [5432]
  bindPorts: [8080]
  allowUnixSockets: true
scopes: { signals: false }
`),
      FACTS,
    );
    expect(w.map((x) => x.key)).toEqual([
      "compat",
      "extends[0]",
      "filesystem.readOnly[0]",
      "filesystem.exec[0]",
      "filesystem.readWrite[0]",
      "network.mode",
      "network.isolation",
      "network.proxyPort",
      "network.allow[0]",
      "network.localhostPorts[0]",
      "network.bindPorts[0]",
      "network.allowUnixSockets",
      "scopes.signals",
    ]);
    expect(w.find((x) => x.key === "network.allow[0]")?.why).toBe("allow exfil.example.com");
    expect(w.find((x) => x.key === "filesystem.readOnly[0]")?.why).toBe("grant read access to ~/.ssh, a secret (only your own policy can release it)");
  });

  it("lets a project repeat hosts and paths the user's policy already grants, not more", () => {
    const user = layerPolicy(defaultPolicy(), layer("version: 1\nextends: [git]\nnetwork:\n  allow: ['**.example.com', 'api.corp.test:443']\nfilesystem:\n  readWrite: [~/.cache]\n"));
    expect(keysOf("version: 1\nextends: [git]\nnetwork:\n  allow: [a.b.example.com, '*.example.com', 'github.com:443', 'api.corp.test:443']\nfilesystem:\n  readWrite: [~/.cache/tool]\n  readOnly: [~/.cache]\n", user)).toEqual([]);
    expect(keysOf("version: 1\nnetwork:\n  allow: ['api.corp.test:80', example.com]\n", user)).toEqual(["network.allow[0]", "network.allow[1]"]);
    // The home directory is read + execute by default: a writable path outside it is the case.
    const opt = layerPolicy(defaultPolicy(), layer("version: 1\nfilesystem:\n  readWrite: [/opt/cache]\n"));
    expect(keysOf("version: 1\nfilesystem:\n  exec: [/opt/cache/bin]\n", opt)).toEqual(["filesystem.exec[0]"]);
    // A secret inside a readable tree is not granted by the tree: naming it would release it.
    expect(keysOf("version: 1\nfilesystem:\n  readOnly: [~/.ssh/id_rsa, ~/.aws]\n", user)).toEqual(["filesystem.readOnly[0]", "filesystem.readOnly[1]"]);
    const released = layerPolicy(defaultPolicy(), layer("version: 1\nfilesystem:\n  readOnly: [~/.ssh/config]\n"));
    expect(keysOf("version: 1\nfilesystem:\n  readOnly: [~/.ssh/config]\n", released)).toEqual([]);
    expect(keysOf("version: 1\nfilesystem:\n  readOnly: [~/.ssh/id_rsa]\n", released)).toEqual(["filesystem.readOnly[0]"]);
  });

  it("credentials and request rules: a project may not add the one or lift the other", () => {
    const user = layerPolicy(defaultPolicy(), layer("version: 1\nnetwork:\n  allow:\n    - registry.npmjs.org\n    - {host: api.example.com, http: {allow: [{method: GET, path: /v1/**}]}}\n"));
    expect(keysOf("version: 1\nnetwork:\n  allow:\n    - {host: registry.npmjs.org, credentials: [{file: ~/.ssh/id_rsa, header: X-Key}]}\n", user)).toEqual(["network.allow[0]"]);
    expect(keysOf("version: 1\nnetwork:\n  allow: [api.example.com]\n", user)).toEqual(["network.allow[0]"]);
    expect(keysOf("version: 1\nnetwork:\n  allow:\n    - {host: api.example.com, http: {allow: [{method: GET, path: /v1/**}]}}\n", user)).toEqual([]);
  });

  it("fails closed on a key it does not know", () => {
    expect(widenings(defaultPolicy(), { policy: defaultPolicy(), keys: ["network.future"] }, FACTS)).toEqual([
      { key: "network.future", why: "set a key cordon cannot show to only tighten the policy" },
    ]);
  });
});

describe("layerPolicy", () => {
  it("unions lists and takes only the scalars a file sets", () => {
    const user = layerPolicy(defaultPolicy(), layer("version: 1\ncompat: hard\nnetwork: { allow: [a.example] }\n"));
    const merged = layerPolicy(user, layer("version: 1\nnetwork: { allow: [b.example], mode: none }\n"));
    expect(merged.compat).toBe("hard");
    expect(merged.network.mode).toBe("none");
    expect(merged.network.allow.map((r) => r.host)).toEqual(["a.example", "b.example"]);
  });
});

it("layerPolicy keeps keys it does not know (a newer format), replaced where the file sets them", () => {
  const base = { ...defaultPolicy(), network: { ...defaultPolicy().network, future: 1 } } as never;
  const kept = layerPolicy(base, layer("version: 1\n")) as unknown as { network: { future: number } };
  expect(kept.network.future).toBe(1);
  const over = { policy: { ...defaultPolicy(), network: { ...defaultPolicy().network, future: 2 } } as never, keys: ["network.future"] };
  expect((layerPolicy(base, over) as unknown as { network: { future: number } }).network.future).toBe(2);
});

describe("user configuration", () => {
  const SHA = "a".repeat(64);
  it("reads a policy, trusted files and networkFence", () => {
    const r = parseUserConfig(`version: 1\nnetwork: { allow: [x.example] }\nnetworkFence: networkpolicy\ntrusted:\n  - { file: /p/cordon.yaml, sha256: ${SHA} }\n`, "config.yaml");
    expect(r.ok && r.config.policy?.network.allow[0]?.host).toBe("x.example");
    expect(r.ok && r.config.trusted).toEqual([{ file: "/p/cordon.yaml", sha256: SHA }]);
    expect(r.ok && r.config.networkFence).toBe("networkpolicy");
  });
  it("networkFence is networkpolicy or none", () => {
    const r = parseUserConfig("networkFence: yes-please\n", "config.yaml");
    expect(r.ok ? "" : String(r.errors[0])).toMatch(/^config\.yaml:1:\d+: networkFence: expected networkpolicy or none/);
  });
  it("positions errors", () => {
    const r = parseUserConfig("trusted:\n  - { file: relative, sha256: x }\n", "config.yaml");
    expect(r.ok ? "" : r.errors.map(String)[0]).toMatch(/^config\.yaml:2:5: trusted\[0\]: expected/);
  });
  it("withTrust adds or replaces an entry and keeps comments", () => {
    const once = withTrust("# mine\nversion: 1\n", { file: "/p/cordon.yaml", sha256: SHA });
    const twice = withTrust(once, { file: "/p/cordon.yaml", sha256: "b".repeat(64) });
    expect(twice).toContain("# mine");
    const r = parseUserConfig(twice);
    expect(r.ok && r.config.trusted).toEqual([{ file: "/p/cordon.yaml", sha256: "b".repeat(64) }]);
    expect(parseUserConfig(withTrust("", { file: "/q", sha256: SHA })).ok).toBe(true);
  });
});

describe("isCloudMetadataHost", () => {
  it("knows the metadata endpoints in any spelling", async () => {
    const { isCloudMetadataHost } = await import("../src/index.js");
    for (const h of ["169.254.169.254", "2852039166", "0xa9.0xfe.0xa9.0xfe", "[fd00:ec2::254]", "fd00:ec2::254", "Metadata.Google.Internal.", "100.100.100.200", "::ffff:169.254.169.254", "169.254.1.1"]) {
      expect([h, isCloudMetadataHost(h)]).toEqual([h, true]);
    }
    for (const h of ["registry.npmjs.org", "10.0.0.1", "2001:db8::1", "metadata.example.com"]) expect([h, isCloudMetadataHost(h)]).toEqual([h, false]);
  });
});
