/** The seccomp part of negotiation: spec data for @cordon/landlock-native's compileSeccomp, and report items. */
export { seccompPlan, seccompSpecFor, type SeccompFacts, type SeccompPlan, type SeccompPolicy, type SeccompSpecOptions } from "./plan.js";
export {
  ALWAYS_DENIED,
  SECCOMP_ARCHES,
  TIOCSTI,
  TIOCLINUX,
  AF_UNIX,
  AF_INET,
  AF_INET6,
  AF_NETLINK,
  FASTOPEN_RULES,
  SETID_RULES,
  SETID_ENOSYS,
  SYSV_IPC,
  MSG_FASTOPEN,
  S_ISUID,
  S_ISGID,
  O_CREAT,
  O_TMPFILE_BIT,
  type SeccompSpecData,
  type SeccompArgRuleData,
} from "./spec.js";
