// cordon's real seccomp specs, from @cordon/policy, which decides them. A
// test-only (dev) dependency: this package itself never depends on policy.
import { ALWAYS_DENIED, seccompSpecFor } from "@cordon/policy";
import type { SeccompSpec } from "../src/index.js";

export const ALWAYS_DENIED_SYSCALLS = ALWAYS_DENIED;

type Mode = "platform" | "proxy" | "none" | "unrestricted";

export function cordonSpec(network: Mode, o: { landlockHandlesUdp?: boolean; allowUserNamespaces?: boolean } = {}): SeccompSpec {
  const spec: SeccompSpec = seccompSpecFor(network, o.landlockHandlesUdp ? 10 : 7);
  if (o.allowUserNamespaces) spec.denyNewUserNamespaces = false;
  return spec;
}
