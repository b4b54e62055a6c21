import type { Policy } from "./model.js";

export const DEFAULT_PROXY_PORT = 3128;

/**
 * The built-in baseline every run starts from: the system directories a dynamically linked
 * program needs, the usual character devices, and (added by resolvePolicy) the working directory
 * and cordon's private TMPDIR. Its paths are optional: one missing on this system is a warning.
 */
export function defaultPolicy(): Policy {
  return {
    version: 1,
    compat: "best-effort",
    filesystem: {
      includeWorkdir: true,
      // Binaries and the ELF interpreter need EXECUTE; shared libraries only READ_FILE.
      exec: ["/usr", "/bin", "/sbin", "/lib", "/lib64"],
      readOnly: ["/etc", "/dev/urandom", "/dev/random", "/proc"],
      // Shells need /dev/null read-write; terminals need the tty and pts devices.
      readWrite: ["/dev/null", "/dev/zero", "/dev/full", "/dev/tty", "/dev/pts"],
    },
    network: {
      mode: "platform",
      proxyPort: DEFAULT_PROXY_PORT,
      allow: [],
      deny: [],
      localhostPorts: [],
      bindPorts: [],
    },
    scopes: { abstractUnix: true, signals: true },
  };
}
