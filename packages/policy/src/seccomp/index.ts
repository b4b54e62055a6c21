/** The seccomp part of negotiation: spec data for @cordon/landlock-native's compileSeccomp, and report items. */
export { seccompPlan, seccompSpecFor, type SeccompFacts, type SeccompPlan, type SeccompPolicy } from "./plan.js";
export { ALWAYS_DENIED, SECCOMP_ARCHES, TIOCSTI, TIOCLINUX, AF_UNIX, AF_INET, AF_INET6, AF_NETLINK, type SeccompSpecData } from "./spec.js";
