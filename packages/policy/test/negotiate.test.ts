import { describe, expect, it } from "vitest";
import { FS_ACCESS, NET_ACCESS, negotiate, type Compat, type NetworkMode } from "../src/index.js";
import { kernel, resolved, run } from "./helpers.js";

const HANDLED_FS = [0, 0x1fff, 0x3fff, 0x7fff, 0x7fff, 0xffff, 0xffff, 0xffff, 0xffff, 0x1ffff, 0x1ffff, 0x1ffff];
const HANDLED_NET: Record<NetworkMode, number[]> = {
  platform: [0, 0, 0, 0, 0x2, 0x2, 0x2, 0x2, 0x2, 0x2, 0xa, 0xa],
  none: [0, 0, 0, 0, 0x3, 0x3, 0x3, 0x3, 0x3, 0x3, 0xf, 0xf],
  proxy: Array(12).fill(0),
  unrestricted: Array(12).fill(0),
};
const MODES: NetworkMode[] = ["platform", "proxy", "none", "unrestricted"];
const COMPATS: Compat[] = ["best-effort", "soft", "hard"];

// With scopes on, every requested kernel feature is present from ABI 6 on. The matrix runs with the
// user's statement that a cluster NetworkPolicy fences the pod (network-fence.test.ts covers without).
function expectedStatus(abi: number, mode: NetworkMode, compat: Compat) {
  if (abi === 0) return "not";
  if (abi < 6) return compat === "soft" ? "not" : "partially";
  return mode === "proxy" ? "partially" : "fully";
}

const table = MODES.flatMap((mode) => COMPATS.flatMap((compat) => HANDLED_FS.map((_, abi) => ({ abi, mode, compat }))));

describe("negotiate: every ABI × network mode × compat level", () => {
  it.each(table)("ABI $abi, $mode, $compat", ({ abi, mode, compat }) => {
    const policy = resolved(`version: 1\ncompat: ${compat}\nnetwork: {mode: ${mode}, localhostPorts: [5432]}\n`);
    const { plan, report, decision } = negotiate(policy, { ...kernel(abi, policy), networkFence: "networkpolicy" });

    const softDrop = compat === "soft" && abi < 6;
    if (abi === 0 || softDrop) {
      expect(plan.landlock).toBeNull();
    } else {
      expect(plan.landlock).toMatchObject({
        abi,
        handledFs: HANDLED_FS[abi],
        handledNet: HANDLED_NET[mode][abi],
        scoped: abi >= 6 ? 3 : 0,
        restrictFlags: 0,
      });
      const ports = mode === "platform" && abi >= 4
        ? [{ port: 3128, access: NET_ACCESS.CONNECT_TCP, why: "proxy" }, { port: 5432, access: NET_ACCESS.CONNECT_TCP, why: "localhostPorts" }]
        : [];
      expect(plan.landlock!.ports).toEqual(ports);
    }
    expect(plan.network).toEqual({ mode, proxyPort: 3128 });
    expect(report.status).toBe(expectedStatus(abi, mode, compat));
    expect(report.landlockAbi).toEqual({ kernel: abi, used: abi });

    if (compat === "hard" && abi < 6) {
      expect(decision.run).toBe(false);
      const errors = (decision.run ? [] : decision.errors).map(({ code, id }) => ({ code, id }));
      if (abi === 0) expect(errors[0]).toEqual({ code: "landlock-unavailable", id: "fs.landlock" });
      if (abi < 3) expect(errors).toContainEqual({ code: "feature-missing", id: "fs.truncate" });
      if (abi < 4 && (mode === "platform" || mode === "none")) expect(errors).toContainEqual({ code: "feature-missing", id: "net.tcp-connect" });
      if (abi < 4 && mode === "none") expect(errors).toContainEqual({ code: "feature-missing", id: "net.tcp-bind" });
      expect(errors).toContainEqual({ code: "feature-missing", id: "scope.signals" });
    } else {
      expect(decision).toEqual({ run: true });
    }
  });
});

describe("negotiate: paths", () => {
  const policy = resolved("version: 1\nfilesystem: {readOnly: [/srv/data, /etc/hosts], readWrite: [./out], exec: [/opt/tool]}\n");

  it("masks rights to the ABI and gives files only file rights", () => {
    const paths = run(7, policy).plan.landlock!.paths;
    const byPath = Object.fromEntries(paths.map((p) => [p.path, p]));
    expect(byPath["/usr"]).toEqual({ path: "/usr", access: FS_ACCESS.EXECUTE | FS_ACCESS.READ_FILE | FS_ACCESS.READ_DIR, source: "default" });
    expect(byPath["/srv/data"]).toEqual({ path: "/srv/data", access: FS_ACCESS.READ_FILE | FS_ACCESS.READ_DIR, source: "readOnly" });
    expect(byPath["/work/proj/out"]).toEqual({ path: "/work/proj/out", access: 0xfffe, source: "readWrite" });
    // The project and the private TMPDIR are executable too (EXECUTE is bit 0).
    expect(byPath["/work/proj"]).toMatchObject({ access: 0xffff, source: "workdir" });
    expect(byPath["/tmp/cordon-1"]).toMatchObject({ access: 0xffff, source: "tmpdir" });
    // /dev/null is a file: WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV
    expect(byPath["/dev/null"]!.access).toBe(0xc006);
    expect(run(1, policy).plan.landlock!.paths.find((p) => p.path === "/dev/null")!.access).toBe(0x6);
    expect(run(9, policy).plan.landlock!.paths.find((p) => p.path === "/work/proj")!.access).toBe(0x1ffff);
  });

  it("reads a file given in a directory list with file rights only", () => {
    const facts = kernel(7, policy);
    facts.paths["/etc/hosts"] = "file";
    expect(negotiate(policy, facts).plan.landlock!.paths.find((p) => p.path === "/etc/hosts")!.access).toBe(FS_ACCESS.READ_FILE);
  });

  it("drops a missing explicit path with a warning, and refuses under hard", () => {
    const best = run(7, policy, ["/srv/data"]);
    expect(best.plan.landlock!.paths.map((p) => p.path)).not.toContain("/srv/data");
    expect(best.report.warnings).toContain("path /srv/data (filesystem.readOnly[0]) does not exist: skipped");
    expect(best.decision).toEqual({ run: true });
    const hardPolicy = resolved("version: 1\ncompat: hard\nfilesystem: {readOnly: [/srv/data]}\n");
    const hard = negotiate(hardPolicy, { ...kernel(7, hardPolicy, ["/srv/data"]), networkFence: "networkpolicy" });
    expect(hard.decision).toEqual({ run: false, errors: [expect.objectContaining({ code: "path-missing" })] });
  });

  it("drops missing default and preset paths quietly, even under hard", () => {
    const hard = resolved("version: 1\ncompat: hard\nextends: [node]\n");
    const result = negotiate(hard, { ...kernel(7, hard, ["/lib64", "/home/u/.npm"]), networkFence: "networkpolicy" });
    expect(result.decision).toEqual({ run: true });
    expect(result.report.warnings).toEqual([]);
    expect(result.report.items[0]!.why).toContain("2 optional");
  });

  it("treats a path the CLI did not stat as missing", () => {
    const facts = kernel(7, policy);
    delete facts.paths["/opt/tool"];
    expect(negotiate(policy, facts).report.warnings).toContain("path /opt/tool (filesystem.exec[0]) was not checked: skipped");
  });
});

describe("negotiate: network", () => {
  it("platform with bindPorts handles BIND_TCP with rules for those ports", () => {
    const plan = run(7, resolved("version: 1\nnetwork: {bindPorts: [3000, 3128]}\n")).plan.landlock!;
    expect(plan.handledNet).toBe(NET_ACCESS.CONNECT_TCP | NET_ACCESS.BIND_TCP);
    expect(plan.ports).toEqual([
      { port: 3128, access: NET_ACCESS.CONNECT_TCP | NET_ACCESS.BIND_TCP, why: "proxy, bindPorts" },
      { port: 3000, access: NET_ACCESS.BIND_TCP, why: "bindPorts" },
    ]);
  });

  it("none mode denies connect with no rules and ignores localhostPorts loudly", () => {
    const result = run(7, resolved("version: 1\nnetwork: {mode: none, localhostPorts: [5432], bindPorts: [8080]}\n"));
    expect(result.plan.landlock!.ports).toEqual([{ port: 8080, access: NET_ACCESS.BIND_TCP, why: "bindPorts" }]);
    expect(result.report.warnings.some((w) => w.includes("localhostPorts (5432) ignored"))).toBe(true);
  });

  it("says Landlock port rules are address-blind", () => {
    const item = run(7, resolved()).report.items.find((i) => i.id === "net.address-blind-ports")!;
    expect(item).toMatchObject({ enforcedBy: "nothing", kind: "limitation" });
    expect(item.why).toContain("ANY host on port 3128");
  });

  it("reports UDP as ungoverned below ABI 10 and kernel-enforced from 10", () => {
    const udp = (abi: number) => run(abi, resolved()).report.items.find((i) => i.id === "net.udp")!;
    expect(udp(9)).toMatchObject({ enforcedBy: "nothing", kind: "limitation" });
    expect(udp(10)).toMatchObject({ enforcedBy: "kernel", level: "full", kind: "requested" });
  });

  it("platform below ABI 4 degrades to the cooperative proxy, loudly, with a tier-3 hint", () => {
    const { report } = run(3, resolved());
    const tcp = report.items.find((i) => i.id === "net.tcp-connect")!;
    expect(tcp).toMatchObject({ enforcedBy: "proxy", level: "partial" });
    expect(tcp.hint).toContain("NetworkPolicy");
    expect(report.warnings.some((w) => w.startsWith("NETWORK NOT KERNEL-ENFORCED"))).toBe(true);
    expect(report.warnings).toContain("NOT ENFORCED: network.mode platform: TCP connect restriction needs Landlock ABI 4 (Linux 6.7); this kernel has ABI 3");
  });

  it("soft drops the whole Landlock layer and says so", () => {
    const { plan, report } = run(5, resolved("version: 1\ncompat: soft\n"));
    expect(plan.landlock).toBeNull();
    expect(report.items.find((i) => i.id === "fs.landlock")).toMatchObject({ enforcedBy: "nothing", level: "none" });
    expect(report.warnings[0]).toContain("compat soft");
    expect(report.warnings[0]).toContain("NO Landlock layer");
  });

  it("ABI 0 reports the filesystem as enforced by nothing, with the reason", () => {
    const { report } = run(0, resolved());
    expect(report.items[0]).toMatchObject({ id: "fs.landlock", enforcedBy: "nothing", level: "none" });
    expect(report.items[0]!.why).toContain("ENOSYS");
    expect(report.warnings[0]).toContain("Landlock is unavailable (ENOSYS");
  });

  it("treats an ABI newer than cordon knows as the newest known", () => {
    const policy = resolved();
    const result = negotiate(policy, { ...kernel(7, policy), landlock: { abi: 14, errata: 0 } });
    expect(result.report.landlockAbi).toEqual({ kernel: 14, used: 11 });
    expect(result.plan.landlock!.handledFs).toBe(0x1ffff);
    expect(result.report.warnings[0]).toContain("newer than cordon knows");
  });

  it("refuses a platform plan whose proxy port was never filled in", () => {
    const { decision } = run(7, resolved("version: 1\nnetwork: {proxyPort: 0}\n"));
    expect(decision.run).toBe(false);
    expect(!decision.run && decision.errors).toEqual([expect.objectContaining({ code: "missing-fact" })]);
  });

  it("leaves scopes unhandled when the policy turns them off", () => {
    const { plan, report } = run(7, resolved("version: 1\nscopes: {abstractUnix: false, signals: true}\n"));
    expect(plan.landlock!.scoped).toBe(2);
    expect(report.items.map((i) => i.id)).not.toContain("scope.abstract-unix");
  });
});

describe("ABI 4 with namespaces: only what is really not enforced is warned about", () => {
  it("abstract sockets are the network namespace's; device ioctls are said in the report, not warned", () => {
    const policy = resolved();
    const facts = { ...kernel(4, policy), namespaces: { available: true } };
    const n = negotiate(policy, facts);
    expect(n.report.warnings).toEqual([expect.stringMatching(/^NOT ENFORCED: scopes\.signals/)]);
    const abstract = n.report.items.find((i) => i.id === "scope.abstract-unix");
    expect(abstract).toMatchObject({ level: "full", mechanism: "network namespace" });
    expect(n.report.items.find((i) => i.id === "fs.ioctl-dev")).toMatchObject({ level: "partial" });
    // A policy that can open other devices is warned about; without a namespace, abstract sockets too.
    const devices = resolved("version: 1\nfilesystem: { readOnly: [/dev] }\n");
    const w = negotiate(devices, { ...kernel(4, devices), namespaces: { available: false } }).report.warnings.join("\n");
    expect(w).toMatch(/device ioctl control/);
    expect(w).toMatch(/abstractUnix/);
  });
});
