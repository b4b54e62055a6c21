// How the command's whole process tree is contained, and what that mode
// leaves open: the PID/IPC/mount namespaces when they can be had, else a
// supervisor outside the sandbox. Pure: the facts come from the sandbox.
import { abiCapabilities, SCOPES } from "./abi.js";
import { formatSize } from "./limits.js";
import type { ResolvedPolicy } from "./model.js";
import type { DecisionError, IsolationPlan, KernelFacts, ReportItem } from "./report.js";

export interface ContainmentOutcome {
  plan: Pick<IsolationPlan, "process" | "writable" | "mask" | "tmpdirTmpfs" | "cgroup">;
  items: ReportItem[];
  warnings: string[];
  errors: DecisionError[];
}

const NS_HINT = "run where user namespaces are available (or as root), without --isolation landlock";

/** namespace: whether the launcher may create namespaces for this run (available and not opted out). */
export function planContainment(policy: ResolvedPolicy, facts: KernelFacts, namespace: boolean, unavailable: string): ContainmentOutcome {
  const hard = policy.compat === "hard";
  const out: ContainmentOutcome = { plan: { process: namespace ? "namespace" : "supervisor", writable: [], mask: [] }, items: [], warnings: [], errors: [] };
  const gap = (item: Omit<ReportItem, "kind" | "enforcedBy" | "level"> & { level?: ReportItem["level"] }, warn: boolean) => {
    out.items.push({ enforcedBy: "nothing", level: "none", kind: "requested", ...item });
    const what = `${item.protection}: ${item.why}`;
    if (hard) out.errors.push({ code: "not-enforced", ...(item.id !== undefined && { id: item.id }), message: `compat hard: ${what}` });
    else if (warn) out.warnings.push(`NOT ENFORCED: ${what}`);
  };
  const limits = policy.limits;

  if (namespace) {
    out.plan.writable = [
      ...new Set(policy.filesystem.paths.filter((p) => p.access === "readWrite" && (facts.paths[p.path] === "directory" || facts.paths[p.path] === "file")).map((p) => p.path)),
    ].sort();
    out.plan.tmpdirTmpfs = { path: policy.facts.tmpdir, size: limits.tmpdirSize ?? 0 };
    const full = (id: string, protection: string, requested: string, mechanism: string, why: string) =>
      out.items.push({ id, protection, requested, enforcedBy: "kernel", mechanism, level: "full", why, kind: "requested" });
    full("process.tree", "process tree", "nothing the command starts outlives it", "PID namespace; the launcher's init reaps every process", "when the command exits its init exits and the kernel SIGKILLs everything left in the namespace (setsid and double forks included); a SIGKILLed cordon takes the supervisor, the init and so the namespace with it (PR_SET_PDEATHSIG)");
    full("process.proc", "other processes in /proc", "host processes invisible", "a fresh procfs of the PID namespace", "only the sandbox's own processes are listed: host command lines (cordon's included) cannot be read");
    full("process.ipc", "IPC with processes outside", "no shared memory, semaphores or message queues of the host", "IPC namespace and a private /dev/shm tmpfs", "SysV IPC objects and POSIX shared memory outside the sandbox cannot be named");
    full("process.devpts", "other terminals", "only the command's own terminal", "a new devpts instance on /dev/pts", "other terminals' /dev/pts/N do not exist inside; new terminals (script, tmux) work; the command's own terminal is passed through as its stdio (ttyname() of it fails: its node is not in the new instance; /dev/tty works)");
    full("fs.read-only", "metadata outside the writable paths", "chmod, chown, utime, xattrs and ACLs fail outside the writable paths, root included", "mount namespace: every mount read-only except the writable paths", `EROFS for every change outside the ${out.plan.writable.length} writable path(s), whatever the file's owner`);
    full("fs.tmpdir", "private TMPDIR", policy.facts.tmpdir, `a private tmpfs on the TMPDIR (${limits.tmpdirSize ? formatSize(limits.tmpdirSize) : "the kernel's default size: half of RAM"})`, "nothing the command writes there reaches the host's disk, and nothing on the host needs removing afterwards");
  } else {
    const scoped = policy.scopes.signals && (abiCapabilities(facts.landlock.abi).scoped & SCOPES.SIGNAL) !== 0;
    const cgroup = facts.cgroup?.killable === true;
    if (cgroup) out.plan.cgroup = true;
    const backstop = cgroup ? "; each command also runs in a cgroup v2 of its own, which cordon kills (cgroup.kill) once the supervisor has exited" : "";
    out.items.push({
      id: "process.tree",
      protection: "process tree",
      requested: "nothing the command starts outlives it",
      enforcedBy: "kernel",
      mechanism: `a supervisor outside the sandbox (PR_SET_CHILD_SUBREAPER) SIGKILLs every descendant when the command ends and when cordon dies (its parent-death signal)${backstop}`,
      level: scoped || cgroup ? "full" : "partial",
      why: scoped
        ? "orphans (setsid, double forks) are reparented to the supervisor; Landlock's signal scope keeps the command from killing it"
        : cgroup
          ? "without Landlock's signal scope the command could kill its supervisor, but not leave its cgroup (cgroupfs is outside every policy path)"
          : "the supervisor runs as the command's user, and without Landlock's signal scope (ABI 6, scopes.signals) the command can SIGKILL it first: its orphans then outlive the run",
      ...(scoped || cgroup ? {} : { hint: "a kernel with Landlock ABI 6, a writable cgroup v2, or namespaces" }),
      kind: "requested",
    });
    if (!scoped && !cgroup && hard) out.errors.push({ code: "not-enforced", id: "process.tree", message: "compat hard: process tree: without Landlock's signal scope the command can kill its supervisor and leave orphans behind" });
    // In a pod (the user stated the cluster fence) the container runtime's own PID, IPC and mount
    // namespaces bound what /proc and metadata reach: reported, not refused.
    const pod = facts.networkFence === "networkpolicy";
    const modeGap = (item: Omit<ReportItem, "kind" | "enforcedBy" | "level">) => {
      if (!pod) return gap(item, false);
      out.items.push({ ...item, enforcedBy: "nothing", level: "none", kind: "limitation", why: `${item.why}; in the pod you stated (cluster fence), the container's own namespaces bound it to the pod` });
    };
    modeGap({ id: "process.proc", protection: "other processes in /proc", requested: "host processes invisible", why: `without a PID namespace /proc is the host's: every process of the same user (every process, for root) is listed with its command line; ${unavailable}`, hint: `${NS_HINT}; pass secrets through the environment or a file, never argv` });
    out.items.push({
      id: "process.ipc",
      protection: "IPC with processes outside",
      requested: "no shared memory, semaphores or message queues of the host",
      enforcedBy: "nothing",
      level: "partial",
      why: "no IPC namespace: POSIX shared memory under /dev/shm is a path Landlock governs; SysV IPC is left to the seccomp layer (see its item)",
      hint: NS_HINT,
      kind: "limitation",
    });
    modeGap({ id: "fs.read-only", protection: "metadata outside the writable paths", requested: "chmod, chown, utime, xattrs and ACLs fail outside the writable paths, root included", why: `Landlock does not govern metadata: with capabilities dropped, a file the command's user owns (for root: every root-owned file it can name) can still change mode, times, xattrs and ACLs; ${unavailable}`, hint: NS_HINT });
    out.items.push({ id: "fs.tmpdir", protection: "private TMPDIR", requested: policy.facts.tmpdir, enforcedBy: "kernel", mechanism: "a host directory, removed once every process is dead, relative to directory fds without following symlinks", level: "full", why: "a subdirectory swapped for a symlink is unlinked, never followed", kind: "requested" });
    if (limits.tmpdirSize !== undefined) {
      gap({ id: "limits.tmpdir-size", protection: "TMPDIR size", requested: formatSize(limits.tmpdirSize), why: "the TMPDIR is a host directory: a size limit needs the private tmpfs of namespace isolation", hint: NS_HINT }, true);
    }
  }
  if (namespace && limits.tmpdirSize !== undefined) {
    out.items.push({ id: "limits.tmpdir-size", protection: "TMPDIR size", requested: formatSize(limits.tmpdirSize), enforcedBy: "kernel", mechanism: "tmpfs size", level: "full", why: "writes beyond it fail with ENOSPC (/dev/shm has the same limit)", kind: "requested" });
  }
  for (const [key, controller, id] of [["processes", "pids", "limits.processes"], ["memory", "memory", "limits.memory"]] as const) {
    const value = limits[key];
    if (value === undefined) continue;
    const has = facts.cgroup?.controllers.includes(controller);
    const why = facts.cgroup === undefined
      ? "cgroups were not probed"
      : has
        ? `cordon does not create a cgroup for the run yet, although the ${controller} controller is available`
        : `the ${controller} controller is not available to a cgroup v2 subtree here${facts.cgroup.reason ? ` (${facts.cgroup.reason})` : ""}; per-user rlimits (RLIMIT_NPROC counts every process of the user, RLIMIT_AS breaks WebAssembly) are no substitute`;
    gap({ id, protection: key === "processes" ? "number of processes" : "memory", requested: key === "processes" ? String(value) : formatSize(value), why, hint: "a cgroup v2 hierarchy with the pids and memory controllers delegated (systemd: Delegate=yes), or a container limit" }, true);
  }
  return out;
}
