// The declarative seccomp spec and the constants its rules name are kernel facts shared with
// @cordon/policy, which builds the spec: both live in @cordon/landlock-abi. Only the mechanism
// (compileSeccomp) lives here.
export { AF, SOCK, IPPROTO, NETLINK_ROUTE, CLONE_NEWUSER, type SeccompSpec, type SeccompSocketRules, type SeccompArgRule } from "@cordon/landlock-abi";
