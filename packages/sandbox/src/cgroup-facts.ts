// Which cgroup v2 controllers a sub-cgroup of this process could use (the
// pids and memory limits need them), and whether cordon may create one there
// to kill a whole run with cgroup.kill. Read once per process.
import { existsSync, mkdirSync, readFileSync, rmdirSync } from "node:fs";
import { join } from "node:path";
import type { KernelFacts } from "@cordon/policy";

type CgroupFacts = NonNullable<KernelFacts["cgroup"]> & { dir?: string };
let cached: CgroupFacts | undefined;

export function probeCgroup(): CgroupFacts {
  return (cached ??= probe());
}

/** This process's cgroup v2 directory when a sub-cgroup with cgroup.kill can be made there (writable). */
export function killableCgroupDir(): string | undefined {
  const facts = probeCgroup();
  return facts.killable ? facts.dir : undefined;
}

function probe(): CgroupFacts {
  let mountinfo: string;
  let own: string;
  try {
    mountinfo = readFileSync("/proc/self/mountinfo", "utf8");
    own = readFileSync("/proc/self/cgroup", "utf8");
  } catch (e) {
    return { controllers: [], reason: `cannot read /proc/self: ${(e as Error).message}` };
  }
  // mountinfo: "... mountpoint ... - cgroup2 source options"
  const line = mountinfo.split("\n").find((l) => / - cgroup2 /.test(l));
  const v1 = [...new Set(mountinfo.split("\n").filter((l) => / - cgroup /.test(l)).flatMap((l) => (l.split(" - ")[1]?.split(" ")[2] ?? "").split(",")).filter((o) => o === "pids" || o === "memory"))];
  const onV1 = v1.length > 0 ? `; ${v1.join(" and ")} ${v1.length > 1 ? "are" : "is"} on cgroup v1` : "";
  if (!line) return { controllers: [], reason: `no cgroup v2 hierarchy is mounted${onV1}` };
  const [, , , mountRoot, mountPoint] = line.split(" ");
  const path = /^0::(.*)$/m.exec(own)?.[1];
  if (path === undefined || !mountPoint) return { controllers: [], reason: `this process has no cgroup v2 entry${onV1}` };
  // The hierarchy may be mounted from below its root (a container): the path is relative to that.
  const dir = join(mountPoint, mountRoot && mountRoot !== "/" && path.startsWith(mountRoot) ? path.slice(mountRoot.length) : path);
  try {
    const controllers = readFileSync(join(dir, "cgroup.controllers"), "utf8").trim().split(/\s+/).filter(Boolean);
    // A real child, not access(): Landlock or a read-only cgroupfs can refuse what the mode bits allow.
    const killable = childHasKill(dir);
    return { controllers, killable, dir, reason: `cgroup v2 offers ${controllers.length ? controllers.join(", ") : "no controller"} here${onV1}` };
  } catch (e) {
    return { controllers: [], reason: `cannot read this process's cgroup v2 controllers: ${(e as Error).message}${onV1}` };
  }
}

/** Whether a child cgroup can be made here and has cgroup.kill (Linux 5.14+; the root cgroup has none of its own). */
function childHasKill(dir: string): boolean {
  const probe = join(dir, `cordon-${process.pid}-probe0000`);
  try {
    mkdirSync(probe);
  } catch {
    return false;
  }
  try {
    return existsSync(join(probe, "cgroup.kill"));
  } finally {
    try {
      rmdirSync(probe);
    } catch {
      // a later run's sweep removes it
    }
  }
}
