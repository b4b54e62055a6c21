// What the report says about containing the command's process tree, /proc,
// IPC, terminals, the read-only tree and the limits, in both modes.
import { describe, expect, it } from "vitest";
import { negotiate, parseSize, resolvePolicy, type KernelFacts, type ResolvedPolicy } from "../src/index.js";
import { parsePolicy } from "../src/parse.js";

function resolved(yaml: string, inline = {}): ResolvedPolicy {
  const parsed = parsePolicy(yaml);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const r = resolvePolicy({ base: parsed.policy, inline }, { cwd: "/work/p", home: "/home/u", tmpdir: "/tmp/cordon-1-abcdef" });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.policy;
}

function facts(policy: ResolvedPolicy, extra: Partial<KernelFacts> = {}): KernelFacts {
  const paths: KernelFacts["paths"] = {};
  for (const p of policy.filesystem.paths) paths[p.path] = p.path.startsWith("/dev/") && p.path !== "/dev/pts" ? "file" : "directory";
  return { landlock: { abi: 7, errata: 0 }, namespaces: { available: true, how: "root" }, protectedPaths: {}, paths, ...extra };
}

const item = (n: ReturnType<typeof negotiate>, id: string) => n.report.items.find((i) => i.id === id);
const NO_NS = { namespaces: { available: false, reason: "user.max_user_namespaces is 0" } };

describe("containment: namespace mode", () => {
  const p = resolved("version: 1\nlimits: {tmpdirSize: 64M}\n");
  const n = negotiate(p, facts(p));

  it("plans PID/IPC/mount namespaces, the read-only tree with the writable paths, and the TMPDIR tmpfs", () => {
    expect(n.plan.isolation?.process).toBe("namespace");
    expect(n.plan.isolation?.writable).toContain("/work/p");
    expect(n.plan.isolation?.writable).toContain("/tmp/cordon-1-abcdef");
    expect(n.plan.isolation?.writable).not.toContain("/etc");
    expect(n.plan.isolation?.mask).toEqual([]);
    expect(n.plan.isolation?.tmpdirTmpfs).toEqual({ path: "/tmp/cordon-1-abcdef", size: 64 * 1024 * 1024 });
  });

  it("reports each protection with a stable id, fully enforced by the kernel", () => {
    for (const id of ["process.tree", "process.proc", "process.ipc", "process.devpts", "fs.read-only", "fs.tmpdir", "limits.tmpdir-size"]) {
      expect(item(n, id), id).toMatchObject({ enforcedBy: "kernel", level: "full", kind: "requested" });
    }
  });
});

describe("containment: Landlock-only mode", () => {
  it("says what is not enforced and why, and compat hard refuses", () => {
    const p = resolved("version: 1\n");
    const n = negotiate(p, facts(p, NO_NS));
    expect(n.plan.isolation?.process).toBe("supervisor");
    expect(n.plan.isolation?.tmpdirTmpfs).toBeUndefined();
    expect(item(n, "process.tree")).toMatchObject({ level: "full", mechanism: expect.stringMatching(/PR_SET_CHILD_SUBREAPER/) });
    expect(item(n, "process.proc")).toMatchObject({ level: "none", why: expect.stringMatching(/command line/) });
    expect(item(n, "fs.read-only")).toMatchObject({ level: "none", why: expect.stringMatching(/metadata/) });
    expect(item(n, "process.ipc")).toMatchObject({ level: "partial", kind: "limitation" });
    expect(n.report.status).toBe("partially");
    const hard = resolved("version: 1\ncompat: hard\n");
    const refused = negotiate(hard, facts(hard, NO_NS));
    expect(refused.decision.run).toBe(false);
    expect(!refused.decision.run && refused.decision.errors).toContainEqual(expect.objectContaining({ code: "not-enforced", id: "process.proc" }));
  });

  it("--isolation landlock opts out even where namespaces exist", () => {
    const p = resolved("version: 1\n", { isolation: "landlock" });
    const n = negotiate(p, facts(p));
    expect(n.plan.isolation?.process).toBe("supervisor");
    expect(item(n, "process.proc")?.why).toMatch(/--isolation landlock/);
  });

  it("the supervisor is only partial without Landlock's signal scope (ABI < 6), unless a cgroup v2 backs it", () => {
    const p = resolved("version: 1\n");
    const n = negotiate(p, facts(p, { ...NO_NS, landlock: { abi: 5, errata: 0 } }));
    expect(item(n, "process.tree")).toMatchObject({ level: "partial", why: expect.stringMatching(/SIGKILL it first/) });
    expect(n.plan.isolation?.cgroup).toBeUndefined();
    const withCgroup = negotiate(p, facts(p, { ...NO_NS, landlock: { abi: 5, errata: 0 }, cgroup: { controllers: [], killable: true } }));
    expect(withCgroup.plan.isolation?.cgroup).toBe(true);
    expect(item(withCgroup, "process.tree")).toMatchObject({ level: "full", mechanism: expect.stringMatching(/cgroup\.kill/) });
  });
});

describe("limits", () => {
  it("parses sizes with binary units and rejects nonsense with the key named", () => {
    expect(parseSize("512M")).toBe(512 * 1024 * 1024);
    expect(parseSize("2G")).toBe(2 * 1024 ** 3);
    expect(parseSize(4096)).toBe(4096);
    expect(parseSize("0")).toBeUndefined();
    expect(parseSize("lots")).toBeUndefined();
    const bad = parsePolicy("version: 1\nlimits: {memory: lots}\n");
    expect(bad.ok).toBe(false);
    expect(JSON.stringify(!bad.ok && bad.errors)).toMatch(/limits\.memory.*512M/);
    const r = resolvePolicy({ inline: { limits: { processes: "many" } } }, { cwd: "/w", home: "/h", tmpdir: "/t" });
    expect(r.ok).toBe(false);
    expect(JSON.stringify(!r.ok && r.errors)).toMatch(/--max-processes/);
  });

  it("processes and memory without the cgroup v2 controllers: not enforced, why, hint; hard refuses", () => {
    const cgroup = { controllers: ["hugetlb"], reason: "cgroup v2 offers hugetlb here; pids and memory are on cgroup v1" };
    const p = resolved("version: 1\nlimits: {processes: 100, memory: 1G}\n");
    const n = negotiate(p, facts(p, { cgroup }));
    expect(item(n, "limits.processes")).toMatchObject({ level: "none", enforcedBy: "nothing", why: expect.stringMatching(/pids controller.*cgroup v1/), hint: expect.stringMatching(/Delegate/) });
    expect(item(n, "limits.memory")).toMatchObject({ level: "none", requested: "1G", why: expect.stringMatching(/RLIMIT_AS/) });
    expect(n.report.warnings.join("\n")).toMatch(/NOT ENFORCED: number of processes/);
    const hard = resolved("version: 1\ncompat: hard\nlimits: {processes: 100}\n");
    expect(negotiate(hard, facts(hard, { cgroup })).decision.run).toBe(false);
  });

  it("the TMPDIR size needs the namespace tmpfs", () => {
    const p = resolved("version: 1\nlimits: {tmpdirSize: 1G}\n");
    expect(item(negotiate(p, facts(p, NO_NS)), "limits.tmpdir-size")).toMatchObject({ level: "none", why: expect.stringMatching(/host directory/) });
  });
});
