// Secret paths: left out of the Landlock rules entry by entry, masked in a
// mount namespace, released only by an explicit grant, and reported.
import { describe, expect, it } from "vitest";
import { FS_ACCESS, FS_FILE_RIGHTS, leaveOutSecrets, negotiate, parsePolicy, resolvePolicy, secretCandidates, type KernelFacts, type ResolvedPolicy } from "../src/index.js";
import { FACTS, kernel, policyFrom, resolved } from "./helpers.js";

const R = FS_ACCESS.READ_FILE | FS_ACCESS.READ_DIR;
const RX = R | FS_ACCESS.EXECUTE;

/** Facts for a machine with /etc/shadow, ~/.ssh and ~/.config/gh, and the listings around them. */
function facts(policy: ResolvedPolicy, extra: Partial<KernelFacts> = {}): KernelFacts {
  const secretPaths: Record<string, string[]> = {};
  const exist = ["/etc/shadow", "/home/u/.ssh", "/home/u/.config/gh", "/home/u/.bash_history", "/etc/ssh/ssh_host_ed25519_key", ...(policy.filesystem.secrets.includes("/etc/passwd") ? ["/etc/passwd"] : [])];
  for (const { pattern } of secretCandidates(policy)) {
    const re = new RegExp(`^${pattern.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join("[^/]*")}$`);
    secretPaths[pattern] = exist.filter((p) => re.test(p));
  }
  return {
    ...kernel(7, policy),
    secretPaths,
    listings: {
      "/etc": [{ name: "passwd", kind: "file" }, { name: "shadow", kind: "file" }, { name: "ssh", kind: "directory" }, { name: "mtab", kind: "symlink" }, { name: "apt", kind: "directory" }],
      "/etc/ssh": [{ name: "ssh_config", kind: "file" }, { name: "ssh_host_ed25519_key", kind: "file" }],
      "/home/u": [{ name: ".gitconfig", kind: "file" }, { name: ".ssh", kind: "directory" }, { name: ".config", kind: "directory" }, { name: ".bash_history", kind: "file" }, { name: ".pyenv", kind: "directory" }],
      "/home/u/.config": [{ name: "gh", kind: "directory" }, { name: "git", kind: "directory" }],
    },
    ...extra,
  };
}

const rule = (n: ReturnType<typeof negotiate>, path: string) => n.plan.landlock!.paths.find((p) => p.path === path);

describe("secret paths in Landlock-only mode (entry by entry)", () => {
  const policy = resolved();
  const n = negotiate(policy, facts(policy));

  it("grants /etc and the home directory entry by entry, without the secrets", () => {
    expect(rule(n, "/etc")!.access).toBe(FS_ACCESS.READ_DIR);
    expect(rule(n, "/etc/passwd")!.access).toBe(R & FS_FILE_RIGHTS);
    expect(rule(n, "/etc/apt")!.access).toBe(R);
    expect(rule(n, "/etc/ssh")!.access).toBe(FS_ACCESS.READ_DIR);
    expect(rule(n, "/etc/ssh/ssh_config")).toBeDefined();
    for (const secret of ["/etc/shadow", "/etc/ssh/ssh_host_ed25519_key", "/home/u/.ssh", "/home/u/.config/gh", "/home/u/.bash_history"]) expect(rule(n, secret)).toBeUndefined();
    expect(rule(n, "/home/u")!.access).toBe(FS_ACCESS.READ_DIR);
    expect(rule(n, "/home/u/.gitconfig")!.access).toBe(RX & FS_FILE_RIGHTS);
    expect(rule(n, "/home/u/.pyenv")!.access).toBe(RX);
    expect(rule(n, "/home/u/.config/git")!.access).toBe(RX);
  });

  it("leaves symlinks out: the kernel checks their target, which keeps its own rules", () => {
    expect(rule(n, "/etc/mtab")).toBeUndefined();
    // Entries are marked: the sandbox skips one that has become a link since it was listed.
    expect(rule(n, "/etc/passwd")!.entry).toBe(true);
    expect(rule(n, "/etc")!.entry).toBeUndefined();
  });

  it("reports fs.secrets as enforced by the kernel, and the entry-by-entry limitation", () => {
    expect(n.report.items.find((i) => i.id === "fs.secrets")).toMatchObject({ enforcedBy: "kernel", level: "full", kind: "requested" });
    expect(n.report.items.find((i) => i.id === "fs.secrets-entries")).toMatchObject({ kind: "limitation" });
    expect(n.decision.run).toBe(true);
  });

  it("drops a preset's grant of a secret (the node preset's ~/.npmrc)", () => {
    const p = resolvePolicy({ base: policyFrom("version: 1\n"), presets: ["node"] }, FACTS);
    if (!p.ok) throw new Error("resolve");
    const f = facts(p.policy);
    f.secretPaths![`${FACTS.home}/.npmrc`] = [`${FACTS.home}/.npmrc`];
    f.paths[`${FACTS.home}/.npmrc`] = "file";
    f.listings![FACTS.home]!.push({ name: ".npmrc", kind: "file" });
    expect(rule(negotiate(p.policy, f), `${FACTS.home}/.npmrc`)).toBeUndefined();
  });

  it("an explicit grant of a secret releases it, and the report says so", () => {
    const p = resolved("version: 1\n", { readOnly: ["~/.ssh"] });
    const m = negotiate(p, facts(p));
    expect(rule(m, "/home/u/.ssh")!.access & FS_ACCESS.READ_FILE).toBe(FS_ACCESS.READ_FILE);
    expect(m.report.items.find((i) => i.id === "fs.secrets-released")!.why).toContain("/home/u/.ssh (--ro)");
  });

  it("a secret inside a writable directory cannot be left out: reported, refused under hard", () => {
    const p = resolved("version: 1\n", { readWrite: ["~/.config"] });
    const m = negotiate(p, facts(p));
    expect(m.report.items.find((i) => i.id === "fs.secrets")).toMatchObject({ level: "partial", kind: "requested" });
    expect(m.report.warnings.join("\n")).toMatch(/secret files stay readable: \/home\/u\/.config\/gh/);
    const hard = resolved("version: 1\ncompat: hard\nnetwork: {mode: none}\n", { readWrite: ["~/.config"] });
    expect(negotiate(hard, facts(hard)).decision).toEqual({ run: false, errors: [expect.objectContaining({ code: "not-enforced", id: "fs.secrets" })] });
  });

  it("policy secrets add to the built-in list", () => {
    const p = resolved("version: 1\nfilesystem:\n  secrets: [/etc/passwd]\n");
    expect(rule(negotiate(p, facts(p)), "/etc/passwd")).toBeUndefined();
  });
});

describe("secret paths in namespace mode", () => {
  it("masks them (and still leaves them out of the Landlock rules)", () => {
    const policy = resolved();
    const n = negotiate(policy, facts(policy, { namespaces: { available: true, how: "root" }, protectedPaths: {} }));
    expect(n.plan.isolation!.mask).toEqual(["/etc/shadow", "/etc/ssh/ssh_host_ed25519_key", "/home/u/.bash_history", "/home/u/.config/gh", "/home/u/.ssh"]);
    expect(rule(n, "/etc/shadow")).toBeUndefined();
    expect(n.report.items.find((i) => i.id === "fs.secrets")!.mechanism).toMatch(/mount namespace/);
  });

  it("masks a secret inside a writable directory, where Landlock alone cannot", () => {
    const p = resolved("version: 1\n", { readWrite: ["~/.config"] });
    const n = negotiate(p, facts(p, { namespaces: { available: true, how: "root" }, protectedPaths: {} }));
    expect(n.plan.isolation!.mask).toContain("/home/u/.config/gh");
    expect(n.report.items.find((i) => i.id === "fs.secrets")).toMatchObject({ level: "full" });
  });

  it("a launcher without --mask: no mask, so a secret in a writable directory is reported readable", () => {
    const p = resolved("version: 1\n", { readWrite: ["~/.config"] });
    const n = negotiate(p, facts(p, { namespaces: { available: true, how: "root" }, protectedPaths: {}, maskable: false }));
    expect(n.plan.isolation!.mask).toEqual([]);
    expect(n.report.items.find((i) => i.id === "fs.secrets")).toMatchObject({ level: "partial" });
  });

  it("--isolation landlock: no mask", () => {
    const p = resolved("version: 1\n", { isolation: "landlock" });
    expect(negotiate(p, facts(p, { namespaces: { available: true, how: "root" }, protectedPaths: {} })).plan.isolation!.mask).toEqual([]);
  });
});

describe("leaveOutSecrets", () => {
  it("keeps a rule without read rights on files whole (it reveals nothing)", () => {
    const r = leaveOutSecrets([{ path: "/a", access: FS_ACCESS.READ_DIR, source: "default" }], ["/a/s"], { "/a": [{ name: "s", kind: "file" }] });
    expect(r.paths).toEqual([{ path: "/a", access: FS_ACCESS.READ_DIR, source: "default" }]);
  });

  it("grants nothing below a directory it could not list", () => {
    const r = leaveOutSecrets([{ path: "/a", access: R, source: "default" }], ["/a/b/s"], {});
    expect(r.paths).toEqual([{ path: "/a", access: FS_ACCESS.READ_DIR, source: "default" }]);
  });
});

describe("the policy key", () => {
  it.each([
    ["secrets: [relative]", /a secret is an absolute path or one under ~\//],
    ["secrets: [/a/*/b]", /only supported in the last segment/],
    ["secrets: [/]", /root directory cannot be a secret/],
    ["terminals: some", /expected one of own, all/],
  ])("%s is refused", (line, message) => {
    const r = parsePolicy(`version: 1\nfilesystem:\n  ${line}\n`);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map(String).join("\n")).toMatch(message);
  });
});

describe("the home baseline", () => {
  it("is read + execute, and says so in the report", () => {
    const policy = resolved();
    expect(policy.filesystem.paths.find((p) => p.path === FACTS.home)).toMatchObject({ access: "exec", optional: true });
    expect(negotiate(policy, facts(policy)).report.items.find((i) => i.id === "fs.home")).toMatchObject({ level: "full", enforcedBy: "kernel" });
  });

  it("stays optional when the default policy is the base (a missing HOME is no refusal under hard)", async () => {
    const { defaultPolicy } = await import("../src/index.js");
    const r = resolvePolicy({ base: { ...defaultPolicy(), compat: "hard" } }, FACTS);
    expect(r.ok && r.policy.filesystem.paths.find((p) => p.path === FACTS.home)).toMatchObject({ optional: true, access: "exec" });
  });

  it.each(["/", "/tmp"])("a shared HOME (%s) gets no baseline, also when the default policy is the base", async (home) => {
    const { defaultPolicy } = await import("../src/index.js");
    for (const base of [policyFrom("version: 1\n"), defaultPolicy()]) {
      const r = resolvePolicy({ base }, { ...FACTS, home });
      expect(r.ok && r.policy.filesystem.paths.some((p) => p.path === home)).toBe(false);
    }
  });
});

describe("terminals and metadata", () => {
  it("opens the inherited terminal's own node, not /dev/pts", () => {
    const policy = resolved();
    const n = negotiate(policy, facts(policy, { terminals: ["/dev/pts/4"] }));
    expect(rule(n, "/dev/pts/4")).toBeDefined();
    expect(rule(n, "/dev/pts")).toBeUndefined();
    expect(n.report.items.find((i) => i.id === "fs.terminals")).toMatchObject({ level: "full", enforcedBy: "kernel" });
  });

  it("terminals: all opens /dev/pts and /dev/ptmx and reports the gap", () => {
    const policy = resolved("version: 1\nfilesystem:\n  terminals: all\n");
    const n = negotiate(policy, facts(policy, { terminals: ["/dev/pts/4"] }));
    expect(rule(n, "/dev/pts")).toBeDefined();
    expect(n.report.items.find((i) => i.id === "fs.terminals")).toMatchObject({ level: "none", kind: "limitation" });
  });

  it("root without a mount namespace: metadata is a gap, refused under hard", () => {
    const policy = resolved();
    const n = negotiate(policy, facts(policy, { uid: 0 }));
    expect(n.report.items.find((i) => i.id === "fs.metadata")).toMatchObject({ level: "none", kind: "requested" });
    expect(n.report.status).toBe("partially");
    // network mode none: Landlock-only platform mode has a refusal of its own (address-blind ports).
    const hard = resolved("version: 1\ncompat: hard\nnetwork: {mode: none}\n");
    expect(negotiate(hard, facts(hard, { uid: 0 })).decision.run).toBe(false);
    expect(negotiate(hard, facts(hard, { uid: 1000 })).decision.run).toBe(true);
    expect(negotiate(policy, facts(policy, { uid: 0, namespaces: { available: true }, protectedPaths: {} })).report.items.find((i) => i.id === "fs.metadata")).toBeUndefined();
  });
});

describe("beside the launcher's containment (merge-order proof)", () => {
  it("a fresh devpts (isolation.process namespace) is opened whole; a containment fs.read-only item replaces fs.metadata", async () => {
    const { planTerminals } = await import("../src/terminals.js");
    const policy = resolved();
    const t = planTerminals(policy, facts(policy, { terminals: ["/dev/pts/4"] }), FS_ACCESS.READ_FILE | FS_ACCESS.WRITE_FILE | FS_ACCESS.READ_DIR, true);
    expect(t.paths.map((p) => p.path)).toEqual(["/dev/pts"]);
    expect(t.item).toBeUndefined();
  });
});
