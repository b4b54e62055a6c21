import { describe, expect, it } from "vitest";
import { policyPaths, resolvePolicy } from "../src/index.js";
import { FACTS, policyFrom, resolved } from "./helpers.js";

describe("resolvePolicy", () => {
  it("starts from the default policy and adds workdir and tmpdir as writable", () => {
    const policy = resolved();
    // The home directory is the read-and-execute baseline (its secrets are left out at negotiation).
    expect(policy.filesystem.exec).toEqual(["/usr", "/bin", "/sbin", "/lib", "/lib64", "/home/u", "/work/proj", "/tmp/cordon-1"]);
    // Not /dev/pts: only the inherited terminal's own node (a kernel fact) is opened.
    expect(policy.filesystem.readWrite).toEqual(["/dev/null", "/dev/zero", "/dev/full", "/dev/tty", "/work/proj", "/tmp/cordon-1"]);
    expect(policy.filesystem.paths.filter((p) => p.source === "workdir" || p.source === "tmpdir")).toEqual([
      { path: "/work/proj", access: "readWrite", source: "workdir", origin: "workdir", optional: false },
      { path: "/tmp/cordon-1", access: "readWrite", source: "tmpdir", origin: "tmpdir", optional: false },
      { path: "/work/proj", access: "exec", source: "workdir", origin: "workdir", optional: false },
      { path: "/tmp/cordon-1", access: "exec", source: "tmpdir", origin: "tmpdir", optional: false },
    ]);
    expect(policy.network).toMatchObject({ mode: "platform", proxyPort: 3128, allow: [] });
    expect(policy.facts).toEqual(FACTS);
  });

  it("makes the project root (not the cwd) writable and executable, and cordon's runtime files readable", () => {
    const r = resolvePolicy({}, { ...FACTS, cwd: "/work/mono/packages/a", project: "/work/mono", runtime: ["/opt/cordon/preload"] });
    if (!r.ok) throw new Error(r.errors.join("\n"));
    expect(r.policy.filesystem.readWrite).toContain("/work/mono");
    expect(r.policy.filesystem.exec).toContain("/work/mono");
    expect(r.policy.filesystem.readWrite).not.toContain("/work/mono/packages/a");
    expect(r.policy.filesystem.paths).toContainEqual({ path: "/opt/cordon/preload", access: "readOnly", source: "default", origin: "cordon runtime", optional: true });
    expect(r.policy.facts.project).toBe("/work/mono");
    const home = resolvePolicy({}, { ...FACTS, project: FACTS.home });
    expect(home.ok).toBe(false);
  });

  it("--allow-localhost and --publish set the local ports; --allow-host on loopback says which flag to use", () => {
    const r = resolvePolicy({ inline: { localhostPorts: [5432], bindPorts: [3000, 3000] } }, FACTS);
    if (!r.ok) throw new Error(r.errors.join("\n"));
    expect(r.policy.network).toMatchObject({ localhostPorts: [5432], bindPorts: [3000] });
    const bad = resolvePolicy({ inline: { localhostPorts: [0] } }, FACTS);
    expect(!bad.ok && String(bad.errors[0])).toMatch(/--allow-localhost.*expected a port 1-65535/);
    for (const host of ["127.0.0.1:8000", "localhost:8000", "[::1]:8000"]) {
      const lo = resolvePolicy({ inline: { allowHosts: [host] } }, FACTS);
      expect(!lo.ok && String(lo.errors[0])).toMatch(/--allow-localhost 8000/);
    }
    // A name pinned to loopback on purpose (a local registry stand-in) is not a local port.
    expect(resolvePolicy({ inline: { allowHosts: ["registry.test:4873=127.0.0.1"] } }, FACTS).ok).toBe(true);
  });

  it("expands ~ and ./, normalises and deduplicates", () => {
    const policy = resolved("version: 1\nfilesystem:\n  readOnly: [~/.config//tool/, ./src/./lib, /etc/]\n  readWrite: [./build, ./build/]\n");
    expect(policy.filesystem.readOnly).toEqual(["/etc", "/dev/urandom", "/dev/random", "/proc", "/home/u/.config/tool", "/work/proj/src/lib"]);
    expect(policy.filesystem.readWrite.filter((p) => p.includes("build"))).toEqual(["/work/proj/build"]);
    // /etc from the file replaces the optional default entry: now a missing /etc would matter.
    expect(policy.filesystem.paths.find((p) => p.path === "/etc")).toMatchObject({ source: "readOnly", optional: false });
  });

  it("applies default ← presets ← file ← inline: lists union, scalars later-wins", () => {
    const base = policyFrom("version: 1\ncompat: soft\nextends: [python]\nnetwork: {mode: proxy, proxyPort: 8000, allow: [example.org]}\n");
    const result = resolvePolicy(
      { base, presets: ["node", "python"], inline: { allowHosts: ["x.io:8443"], network: "platform", compat: "hard", readWrite: ["./dist"] } },
      FACTS,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const p = result.policy;
    expect(p.compat).toBe("hard");
    expect(p.network.mode).toBe("platform");
    expect(p.network.proxyPort).toBe(8000);
    expect(p.extends).toEqual(["python", "node"]);
    expect(p.network.allow.map((r) => r.host)).toEqual([
      "pypi.org", "files.pythonhosted.org", "registry.npmjs.org", "registry.yarnpkg.com", "nodejs.org", "example.org", "x.io",
    ]);
    // The shared npm cache is read-only even with the preset (npm caches in the private TMPDIR).
    expect(p.filesystem.readOnly).toContain("/home/u/.npm");
    expect(p.filesystem.readWrite).not.toContain("/home/u/.npm");
    expect(p.filesystem.paths.find((e) => e.path === "/home/u/.npm")).toMatchObject({ optional: true, origin: "preset node", source: "default" });
    expect(p.filesystem.paths.find((e) => e.path === "/work/proj/dist")).toMatchObject({ optional: false, origin: "--rw", source: "readWrite" });
  });

  it("reports bad inline values with the flag as the path", () => {
    const result = resolvePolicy(
      { inline: { allowHosts: ["*.com"], denyHosts: ["a.io:https"], readOnly: ["src"], readWrite: ["/"], network: "off" as never, proxyPort: 70000, compat: "strict" as never } },
      FACTS,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.path)).toEqual(["--allow-host", "--deny-host", "--ro", "--rw", "--network", "--proxy-port", "--compat"]);
    expect(String(result.errors[0])).toContain('--allow-host: "*.com": wildcard over a top-level domain');
  });

  it("lists the valid presets for an unknown one", () => {
    const result = resolvePolicy({ presets: ["ruby"] }, FACTS);
    expect(!result.ok && String(result.errors[0])).toBe('--preset: unknown preset "ruby"; valid presets: node, python, git, go, rust');
  });

  it("refuses the home directory or / as writable, including as the workdir", () => {
    const home = resolvePolicy({ inline: { readWrite: ["/home/u/"] } }, FACTS);
    expect(!home.ok && home.errors.map(String)).toEqual(["--rw: your whole home directory (/home/u) cannot be writable"]);
    const inHome = resolvePolicy({}, { ...FACTS, cwd: "/home/u" });
    expect(!inHome.ok && inHome.errors[0]).toMatchObject({ path: "workdir", hint: "run from a project directory, or set filesystem.includeWorkdir: false" });
    const noWorkdir = resolvePolicy({ base: policyFrom("version: 1\nfilesystem: {includeWorkdir: false}\n") }, { ...FACTS, cwd: "/" });
    expect(noWorkdir.ok).toBe(true);
  });

  it("rejects relative facts", () => {
    const result = resolvePolicy({}, { ...FACTS, tmpdir: "tmp" });
    expect(!result.ok && result.errors[0]!.path).toBe("facts.tmpdir");
  });

  it("checks a hand-built base policy too", () => {
    const base = policyFrom("version: 1\n");
    base.network.allow.push({ host: "**" });
    const result = resolvePolicy({ base }, FACTS);
    expect(!result.ok && result.errors[0]!.path).toBe("network.allow[0].host");
  });

  it("deduplicates host rules and unions ports lists", () => {
    const p = resolved("version: 1\nnetwork: {allow: [a.io, a.io, 'b.io:443'], localhostPorts: [5432, 5432], bindPorts: [3000]}\n", { allowHosts: ["b.io:443"] });
    expect(p.network.allow).toEqual([{ host: "a.io" }, { host: "b.io", ports: [443] }]);
    expect(p.network.localhostPorts).toEqual([5432]);
  });
});

describe("policyPaths", () => {
  it("lists each absolute path once", () => {
    const paths = policyPaths(resolved("version: 1\nfilesystem: {readOnly: [/usr], exec: [/usr]}\n"));
    expect(paths.filter((p) => p === "/usr")).toHaveLength(1);
    expect(paths).toContain("/work/proj");
    expect(paths.every((p) => p.startsWith("/"))).toBe(true);
  });
});

describe("--allow-host HOST[:PORTS]=CIDR,...", () => {
  it("gives the inline rule allowedIps for the proxy's SSRF guard", () => {
    const r = resolvePolicy({ inline: { allowHosts: ["registry.npmjs.org:443=203.0.113.0/24,10.1.2.3"] } }, FACTS);
    expect(r.ok && r.policy.network.allow).toEqual([{ host: "registry.npmjs.org", ports: [443], allowedIps: ["203.0.113.0/24", "10.1.2.3"] }]);
  });

  it("names a bad address", () => {
    const r = resolvePolicy({ inline: { allowHosts: ["a.example=not-an-ip"] } }, FACTS);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(String(r.errors[0])).toMatch(/--allow-host.*not-an-ip.*is not an IP address/);
  });
});
