// The filesystem layer: which kernel features the path rules need, the exact path rules for
// the kernel's ABI, and the filesystem's report items.
import { describeAbi, FS_ACCESS, FS_FILE_RIGHTS, type AbiCapabilities } from "../abi.js";
import type { Feature } from "../compat.js";
import type { ResolvedPolicy } from "../model.js";
import type { DecisionError, KernelFacts, PlannedPath, ReportItem } from "../report.js";
import { ACCESS_RIGHTS } from "../rights.js";
import type { LandlockView } from "./landlock-view.js";

export function filesystemFeatures(policy: ResolvedPolicy): Feature[] {
  return [
    { id: "fs.landlock", name: "filesystem access control (Landlock)", abi: 1 },
    { id: "fs.truncate", name: "file truncation control", abi: 3 },
    // Said in the report, not worth a warning, when the policy opens no device it could misuse.
    { id: "fs.ioctl-dev", name: "device ioctl control", abi: 5, ...(!opensOtherDevices(policy) && { quiet: true }) },
  ];
}

const READ_ONLY_DEVICES = ["/dev/random", "/dev/urandom"];

/**
 * Whether the policy can open a device beyond the defaults' read-write ones and the two random
 * devices: then, below ABI 5, ioctls on it are not governed and that is worth a warning.
 */
function opensOtherDevices(policy: ResolvedPolicy): boolean {
  return policy.filesystem.paths.some(
    (p) => p.access !== "readWrite" && !READ_ONLY_DEVICES.includes(p.path) && (p.path === "/" || p.path === "/dev" || p.path.startsWith("/dev/")),
  );
}

export interface PathsPlan {
  paths: PlannedPath[];
  byPath: Map<string, PlannedPath>;
  /** Optional (default/preset) paths that do not exist: skipped quietly. */
  optionalMissing: string[];
  warnings: string[];
  errors: DecisionError[];
}

/** Paths: merge per path, mask to the ABI, file rights only on files, drop missing ones. */
export function planPaths(policy: ResolvedPolicy, facts: KernelFacts, caps: AbiCapabilities): PathsPlan {
  const out: PathsPlan = { paths: [], byPath: new Map(), optionalMissing: [], warnings: [], errors: [] };
  for (const entry of policy.filesystem.paths) {
    const kind = facts.paths[entry.path];
    if (kind !== "directory" && kind !== "file") {
      const state = kind === undefined ? "was not checked" : "does not exist";
      if (entry.optional) out.optionalMissing.push(entry.path);
      else {
        out.warnings.push(`path ${entry.path} (${entry.origin}) ${state}: skipped`);
        if (policy.compat === "hard") out.errors.push({ code: "path-missing", message: `compat hard: path ${entry.path} (${entry.origin}) ${state}` });
      }
      continue;
    }
    let access = ACCESS_RIGHTS[entry.access] & caps.fs;
    if (kind === "file") access &= FS_FILE_RIGHTS;
    if (access === 0) continue;
    const existing = out.byPath.get(entry.path);
    if (existing) {
      existing.access |= access;
      if (existing.source === "default") existing.source = entry.source;
    } else {
      const planned: PlannedPath = { path: entry.path, access, source: entry.source };
      out.byPath.set(entry.path, planned);
      out.paths.push(planned);
    }
  }
  return out;
}

export function filesystemItems(policy: ResolvedPolicy, view: LandlockView, optionalMissing: readonly string[]): ReportItem[] {
  const { kernelItem, has, plan, abi } = view;
  const items: ReportItem[] = [];
  const fs = policy.filesystem;
  const skipped = optionalMissing.length > 0 ? `; ${optionalMissing.length} optional default/preset path(s) not present` : "";
  items.push({
    ...kernelItem(
      "fs.landlock",
      "filesystem",
      `read-only ${fs.readOnly.length}, read-write ${fs.readWrite.length}, exec ${fs.exec.length} paths; everything else denied`,
      true,
      "path rules",
      1,
      "use a kernel with Landlock enabled (Linux 5.13+, lsm=landlock)",
    ),
  });
  if (items[0]!.level === "full") items[0]!.why = `handled by the kernel${skipped}`;
  items.push(kernelItem("fs.truncate", "file truncation", "truncate only in read-write paths", has("handledFs", FS_ACCESS.TRUNCATE), "TRUNCATE right", 3));
  items.push(kernelItem("fs.ioctl-dev", "device ioctl", "ioctl on devices only in read-write paths", has("handledFs", FS_ACCESS.IOCTL_DEV), "IOCTL_DEV right", 5));
  if (plan !== null && !has("handledFs", FS_ACCESS.IOCTL_DEV) && !opensOtherDevices(policy)) {
    Object.assign(items[items.length - 1]!, {
      level: "partial",
      why: `needs Landlock ${describeAbi(5)} (this kernel: ABI ${abi}); the devices this policy opens are read-write ones, which get the right anyway, and ${READ_ONLY_DEVICES.join(", ")}, whose privileged ioctls need capabilities the command does not have`,
    });
  }
  return items;
}
