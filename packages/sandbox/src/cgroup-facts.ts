// Which cgroup v2 controllers a sub-cgroup of this process could use: the
// pids and memory limits need them. Read once per process.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { KernelFacts } from "@cordon/policy";

type CgroupFacts = NonNullable<KernelFacts["cgroup"]>;
let cached: CgroupFacts | undefined;

export function probeCgroup(): CgroupFacts {
  return (cached ??= probe());
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
  const mountPoint = line.split(" ")[4]!;
  const path = /^0::(.*)$/m.exec(own)?.[1];
  if (path === undefined) return { controllers: [], reason: `this process has no cgroup v2 entry${onV1}` };
  try {
    const controllers = readFileSync(join(mountPoint, path, "cgroup.controllers"), "utf8").trim().split(/\s+/).filter(Boolean);
    return { controllers, reason: `cgroup v2 offers ${controllers.length ? controllers.join(", ") : "no controller"} here${onV1}` };
  } catch (e) {
    return { controllers: [], reason: `cannot read this process's cgroup v2 controllers: ${(e as Error).message}${onV1}` };
  }
}
