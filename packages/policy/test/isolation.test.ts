// network.isolation and protected paths: parsing, resolution, candidates and
// what negotiate() plans and reports for each namespace fact.
import { describe, expect, it } from "vitest";
import { DEFAULT_PROTECTED, defaultPolicy, negotiate, resolvePolicy, parsePolicy, protectedCandidates, type KernelFacts, type ResolvedPolicy } from "../src/index.js";
import { globMatcher } from "../src/protected.js";
import { FACTS, kernel, resolved } from "./helpers.js";

const AVAILABLE = { available: true, how: "root" };
const UNAVAILABLE = { available: false, reason: "user.max_user_namespaces is 0" };

function facts(policy: ResolvedPolicy, namespaces: KernelFacts["namespaces"], found: Record<string, string[]> = {}, abi = 7): KernelFacts {
  const protectedPaths: Record<string, string[]> = {};
  for (const c of protectedCandidates(policy)) protectedPaths[c.pattern] = found[c.pattern] ?? [];
  return { ...kernel(abi, policy), ...(namespaces ? { namespaces } : {}), protectedPaths };
}

const item = (n: ReturnType<typeof negotiate>, id: string) => n.report.items.find((i) => i.id === id);

describe("file format", () => {
  it("reads network.isolation and filesystem.protected, leaving them absent when unset", () => {
    const p = parsePolicy("version: 1\nnetwork: {isolation: namespace}\nfilesystem: {protected: ['.terraformrc', '~/.ssh/config', '/etc/x', '.env*']}\n");
    expect(p.ok && p.policy.network.isolation).toBe("namespace");
    expect(p.ok && p.policy.filesystem.protected).toEqual([".terraformrc", "~/.ssh/config", "/etc/x", ".env*"]);
    const plain = parsePolicy("version: 1\n");
    expect(plain.ok && "isolation" in plain.policy.network).toBe(false);
    expect(plain.ok && "protected" in plain.policy.filesystem).toBe(false);
  });

  it.each([
    ["network: {isolation: netns}", "network.isolation", /expected one of auto, namespace, landlock/],
    ["filesystem: {protected: ['../x']}", "filesystem.protected[0]", /plain relative name/],
    ["filesystem: {protected: ['./x']}", "filesystem.protected[0]", /without "\.\/"/],
    ["filesystem: {protected: ['a/*/b']}", "filesystem.protected[0]", /only supported in the last segment/],
    ["filesystem: {protected: ['~bob/x']}", "filesystem.protected[0]", /only "~"/],
  ])("rejects %s", (yaml, path, message) => {
    const p = parsePolicy(`version: 1\n${yaml}\n`);
    expect(p.ok).toBe(false);
    expect(!p.ok && p.errors[0]).toMatchObject({ path });
    expect(!p.ok && p.errors[0]!.message).toMatch(message);
  });
});

describe("resolvePolicy", () => {
  it("defaults to auto; the file sets it; --isolation wins", () => {
    expect(resolved().network.isolation).toBe("auto");
    expect(resolved("version: 1\nnetwork: {isolation: landlock}\n").network.isolation).toBe("landlock");
    expect(resolved("version: 1\nnetwork: {isolation: landlock}\n", { isolation: "namespace" }).network.isolation).toBe("namespace");
  });

  it("rejects a bad --isolation with the flag as the path", () => {
    expect(() => resolved("version: 1\n", { isolation: "bogus" })).toThrow(/--isolation.*expected one of auto, namespace, landlock/);
  });
});

describe("protectedCandidates", () => {
  it("puts each name under the workdir, explicit writable dirs and HOME; not under TMPDIR or the devices", () => {
    const p = resolved("version: 1\nfilesystem: {readWrite: [/data/out], protected: ['.terraformrc', '~/.ssh/config']}\n");
    const patterns = protectedCandidates(p).map((c) => c.pattern);
    for (const base of [FACTS.cwd, "/data/out", FACTS.home]) {
      for (const name of [...DEFAULT_PROTECTED, ".terraformrc"]) expect(patterns).toContain(`${base}/${name}`);
    }
    expect(patterns).toContain(`${FACTS.home}/.ssh/config`);
    expect(patterns.some((x) => x.startsWith(FACTS.tmpdir) || x.startsWith("/dev/"))).toBe(false);
  });

  it("skips the built-in devices also when the default policy is passed as the base", () => {
    const r = resolvePolicy({ base: defaultPolicy() }, FACTS);
    expect(r.ok && protectedCandidates(r.policy).some((c) => c.pattern.startsWith("/dev/"))).toBe(false);
  });

  it("globs match in the last segment only, dotfiles included", () => {
    const m = globMatcher(".env*");
    expect([".env", ".env.local", ".envrc", "env", "x.env"].map(m)).toEqual([true, true, true, false, false]);
  });
});

describe("negotiate: network isolation", () => {
  it("auto with namespaces: namespace mode, and the address-blind gap is closed by the kernel", () => {
    const p = resolved();
    const n = negotiate(p, facts(p, AVAILABLE));
    expect(n.plan.isolation).toMatchObject({ network: "namespace", why: "auto: namespaces are available (root)" });
    expect(item(n, "net.address-blind-ports")).toMatchObject({ enforcedBy: "kernel", mechanism: "network namespace", level: "full" });
    expect(item(n, "net.tcp-connect")).toMatchObject({ enforcedBy: "kernel", level: "full" });
    expect(item(n, "net.tcp-connect")!.mechanism).toMatch(/network namespace.*CONNECT_TCP/);
    expect(n.report.status).toBe("fully");
  });

  it("auto without namespaces: Landlock only, the gap stays reported as a limitation", () => {
    const p = resolved();
    const n = negotiate(p, facts(p, UNAVAILABLE));
    expect(n.plan.isolation).toMatchObject({ network: "landlock", why: "namespaces are unavailable here (user.max_user_namespaces is 0)" });
    expect(item(n, "net.address-blind-ports")).toMatchObject({ enforcedBy: "nothing", kind: "limitation" });
    expect(n.decision.run).toBe(true);
  });

  it("namespace required but unavailable: hard refuses, best-effort warns and falls back", () => {
    const hard = resolved("version: 1\ncompat: hard\nnetwork: {isolation: namespace}\n");
    const refused = negotiate(hard, facts(hard, UNAVAILABLE));
    expect(refused.decision).toMatchObject({ run: false, errors: expect.arrayContaining([expect.objectContaining({ code: "feature-missing", id: "net.namespace" })]) });
    const soft = resolved("version: 1\nnetwork: {isolation: namespace}\n");
    const fellBack = negotiate(soft, facts(soft, UNAVAILABLE));
    expect(fellBack.decision.run).toBe(true);
    expect(fellBack.plan.isolation?.network).toBe("landlock");
    expect(fellBack.report.warnings.join("\n")).toMatch(/NOT ENFORCED: network.isolation namespace/);
  });

  it("landlock by choice stays Landlock even where namespaces exist", () => {
    const p = resolved("version: 1\nnetwork: {isolation: landlock}\n");
    const n = negotiate(p, facts(p, AVAILABLE));
    expect(n.plan.isolation).toMatchObject({ network: "landlock", why: "network.isolation: landlock" });
    expect(item(n, "net.address-blind-ports")!.enforcedBy).toBe("nothing");
  });

  it("localhostPorts and bindPorts keep the namespace in platform mode (the launcher relays them); bindPorts contradict it in mode none", () => {
    const p = resolved("version: 1\nnetwork: {localhostPorts: [5432], bindPorts: [8080]}\n");
    expect(negotiate(p, facts(p, AVAILABLE)).plan.isolation?.network).toBe("namespace");
    const q = resolved("version: 1\nnetwork: {mode: none, isolation: namespace, bindPorts: [8080]}\n");
    expect(negotiate(q, facts(q, AVAILABLE)).decision).toEqual({ run: false, errors: [expect.objectContaining({ code: "unsatisfiable", id: "net.namespace" })] });
  });

  it("reports local ports: relayed exactly in the namespace, open on every host with Landlock alone", () => {
    const p = resolved("version: 1\nnetwork: {localhostPorts: [5432], bindPorts: [3000]}\n");
    const ns = negotiate(p, facts(p, AVAILABLE));
    expect(ns.report.items.find((i) => i.id === "net.local-ports")).toMatchObject({ enforcedBy: "kernel", level: "full", requested: expect.stringMatching(/127\.0\.0\.1:5432.*3000/) });
    const q = resolved("version: 1\nnetwork: {isolation: landlock, localhostPorts: [5432]}\n");
    const ll = negotiate(q, facts(q, AVAILABLE));
    expect(ll.report.items.find((i) => i.id === "net.local-ports")).toMatchObject({ level: "partial", why: expect.stringMatching(/EVERY host/) });
  });

  it("below ABI 4 the namespace still fences TCP, so hard does not refuse for it", () => {
    const p = resolved("version: 1\ncompat: hard\nscopes: {abstractUnix: false, signals: false}\n");
    const n = negotiate(p, facts(p, AVAILABLE, {}, 3));
    // (It refuses for the device ioctl control ABI 3 lacks, not for TCP.)
    expect(!n.decision.run && n.decision.errors.map((e) => e.id)).not.toContain("net.tcp-connect");
    expect(item(n, "net.tcp-connect")).toMatchObject({ enforcedBy: "kernel", mechanism: "network namespace (only loopback)", level: "full" });
    expect(n.report.warnings.join("\n")).not.toMatch(/NETWORK NOT KERNEL-ENFORCED/);
  });

  it("mode none gets a namespace without relay; proxy and unrestricted get none", () => {
    const none = resolved("version: 1\nnetwork: {mode: none}\n");
    expect(negotiate(none, facts(none, AVAILABLE)).plan.isolation?.network).toBe("namespace");
    for (const mode of ["proxy", "unrestricted"]) {
      const p = resolved(`version: 1\nnetwork: {mode: ${mode}}\n`);
      expect(negotiate(p, facts(p, AVAILABLE)).plan.isolation?.network).toBe("landlock");
    }
  });

  it("without namespace facts nothing changes (callers that only probe Landlock)", () => {
    const p = resolved();
    const n = negotiate(p, kernel(7, p));
    expect(n.plan.isolation).toBeUndefined();
    expect(item(n, "net.address-blind-ports")!.enforcedBy).toBe("nothing");
  });
});

describe("negotiate: protected paths", () => {
  const hooks = `${FACTS.cwd}/.git/hooks`;
  const env = `${FACTS.cwd}/.env*`;

  it("plans the existing ones inside writable dirs and reports the missing ones as a limitation", () => {
    const p = resolved();
    const n = negotiate(p, facts(p, AVAILABLE, { [hooks]: [hooks], [env]: [`${FACTS.cwd}/.env`, `${FACTS.cwd}/.envrc`], [`${FACTS.home}/.bashrc`]: [`${FACTS.home}/.bashrc`] }));
    // ~/.bashrc is not inside a writable directory: Landlock already keeps it read-only.
    expect(n.plan.isolation?.protect).toEqual([`${FACTS.cwd}/.env`, `${FACTS.cwd}/.envrc`, hooks]);
    // .git cannot be moved aside and replaced by a writable copy.
    expect(n.plan.isolation?.pin).toEqual([`${FACTS.cwd}/.git`]);
    expect(item(n, "fs.protected")).toMatchObject({ enforcedBy: "kernel", mechanism: "mount namespace (read-only bind mounts)", level: "full" });
    const missing = item(n, "fs.protected-missing")!;
    expect(missing).toMatchObject({ kind: "limitation", enforcedBy: "nothing" });
    expect(missing.why).toMatch(new RegExp(`${FACTS.cwd}/\\.git/config`));
    expect(missing.why).toMatch(/never creates stub files/);
  });

  it("never protects a writable root itself (an explicit grant stays writable)", () => {
    const vscode = `${FACTS.home}/.vscode`;
    const p = resolved(`version: 1\nfilesystem: {readWrite: ['${vscode}']}\n`);
    const n = negotiate(p, facts(p, AVAILABLE, { [vscode]: [vscode] }));
    expect(n.plan.isolation?.protect).not.toContain(vscode);
  });

  it("without namespaces: stays writable, says so; hard refuses", () => {
    const p = resolved();
    const n = negotiate(p, facts(p, UNAVAILABLE, { [hooks]: [hooks] }));
    expect(n.plan.isolation?.protect).toEqual([]);
    expect(item(n, "fs.protected")).toMatchObject({ enforcedBy: "nothing", level: "none", kind: "requested" });
    expect(n.report.warnings.join("\n")).toMatch(/NOT ENFORCED: 1 protected path\(s\) stay writable/);
    const hard = resolved("version: 1\ncompat: hard\n");
    expect(negotiate(hard, facts(hard, UNAVAILABLE, { [hooks]: [hooks] })).decision.run).toBe(false);
  });

  it("adds the policy's own entries", () => {
    const p = resolved("version: 1\nfilesystem: {protected: [Makefile]}\n");
    const mk = `${FACTS.cwd}/Makefile`;
    expect(negotiate(p, facts(p, AVAILABLE, { [mk]: [mk] })).plan.isolation?.protect).toEqual([mk]);
  });
});

describe("negotiate: git metadata", () => {
  const git = `${FACTS.cwd}/.git`;

  it("protects what git reads to decide what to run, submodules' and linked worktrees' too", () => {
    const p = resolved();
    const found = {
      [`${git}/info`]: [`${git}/info`],
      [`${git}/modules/*/config`]: [`${git}/modules/lib/config`],
      [`${git}/modules/*/hooks`]: [`${git}/modules/lib/hooks`],
      [`${git}/worktrees/*/commondir`]: [`${git}/worktrees/wt/commondir`],
    };
    const n = negotiate(p, facts(p, AVAILABLE, found));
    expect(n.plan.isolation?.protect).toEqual([`${git}/info`, `${git}/modules/lib/config`, `${git}/modules/lib/hooks`, `${git}/worktrees/wt/commondir`]);
    // A pattern with "*" above its last segment is not "missing" where its directories do not exist.
    expect(item(n, "fs.protected-missing")!.why).not.toContain("/modules/*");
  });

  it("an absent commondir of an existing repository (or submodule) is removed after the run if it appears", () => {
    const p = resolved();
    const n = negotiate(p, facts(p, AVAILABLE, { [`${git}/config`]: [`${git}/config`], [`${git}/modules/*/config`]: [`${git}/modules/lib/config`] }));
    expect(n.plan.removeIfCreated).toEqual([`${git}/commondir`, `${git}/modules/lib/commondir`]);
    expect(n.report.items.find((i) => i.id === "fs.git-redirect")).toMatchObject({ kind: "limitation", level: "partial" });
    // An existing one is bound read-only instead.
    const m = negotiate(p, facts(p, AVAILABLE, { [`${git}/config`]: [`${git}/config`], [`${git}/commondir`]: [`${git}/commondir`] }));
    expect(m.plan.removeIfCreated).toBeUndefined();
    expect(m.plan.isolation?.protect).toContain(`${git}/commondir`);
  });
});

describe("a linked worktree's shared git directory", () => {
  it("gets the whole git metadata list, and its absent commondir is swept", () => {
    const r = resolvePolicy({}, { ...FACTS, gitDir: "/repo/.git" });
    if (!r.ok) throw new Error("resolve");
    expect(r.policy.filesystem.protected).toEqual(expect.arrayContaining(["/repo/.git/hooks", "/repo/.git/config", "/repo/.git/commondir", "/repo/.git/info", "/repo/.git/worktrees/*/commondir"]));
    const n = negotiate(r.policy, facts(r.policy, AVAILABLE, { "/repo/.git/config": ["/repo/.git/config"], "/repo/.git/worktrees/*/commondir": ["/repo/.git/worktrees/wt/commondir"] }));
    expect(n.plan.isolation?.protect).toContain("/repo/.git/worktrees/wt/commondir");
    expect(n.plan.removeIfCreated).toEqual(["/repo/.git/commondir"]);
  });
});
