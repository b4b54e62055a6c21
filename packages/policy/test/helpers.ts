import { negotiate, parsePolicy, policyPaths, resolvePolicy, type KernelFacts, type Policy, type ResolvedPolicy } from "../src/index.js";

export const FACTS = { cwd: "/work/proj", home: "/home/u", tmpdir: "/tmp/cordon-1" };

export function policyFrom(yaml: string): Policy {
  const parsed = parsePolicy(yaml);
  if (!parsed.ok) throw new Error(parsed.errors.map(String).join("\n"));
  return parsed.policy;
}

export function resolved(yaml = "version: 1\n", inline = {}): ResolvedPolicy {
  const result = resolvePolicy({ base: policyFrom(yaml), inline }, FACTS);
  if (!result.ok) throw new Error(result.errors.map(String).join("\n"));
  return result.policy;
}

/** Every path exists; /dev entries are files; `missing` ones are missing. */
export function kernel(abi: number, policy: ResolvedPolicy, missing: string[] = []): KernelFacts {
  const paths: KernelFacts["paths"] = {};
  for (const path of policyPaths(policy)) {
    paths[path] = missing.includes(path) ? "missing" : path.startsWith("/dev/") && path !== "/dev/pts" ? "file" : "directory";
  }
  return { landlock: abi === 0 ? { abi: 0, errata: 0, reason: "ENOSYS: kernel built without Landlock" } : { abi, errata: 7 }, paths };
}

export function run(abi: number, policy: ResolvedPolicy, missing: string[] = []) {
  return negotiate(policy, kernel(abi, policy, missing));
}
