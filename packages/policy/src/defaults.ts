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
      // The home directory: tools the user installed there (pyenv, nvm, rustup, ~/.local/bin) and
      // their configuration (~/.gitconfig) are found; its secrets (~/.ssh, ~/.aws, ... see
      // secrets.ts) stay unreadable, and nothing in it is writable.
      exec: ["/usr", "/bin", "/sbin", "/lib", "/lib64", "~"],
      readOnly: ["/etc", "/dev/urandom", "/dev/random", "/proc"],
      // Shells need /dev/null read-write. Terminals: /dev/tty (the controlling one) here, and the
      // inherited terminal's own /dev/pts node from the kernel facts, not all of /dev/pts.
      readWrite: ["/dev/null", "/dev/zero", "/dev/full", "/dev/tty"],
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
