// The Kubernetes "restricted" Pod Security Standard, which OpenShift's restricted-v2 SCC also
// admits: non-root, no privilege escalation, every capability dropped, the runtime's default
// seccomp profile. No runAsUser: restricted-v2 assigns one from the namespace's range, and the
// image's numeric USER satisfies runAsNonRoot elsewhere.
export const POD_SECURITY = {
  runAsNonRoot: true,
  seccompProfile: { type: "RuntimeDefault" },
};

export const CONTAINER_SECURITY = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  seccompProfile: { type: "RuntimeDefault" },
};
