import { closeSync, constants, openSync, readSync } from "node:fs";

/** New kernel log records since open (Landlock's audit records land here when no auditd listens). */
export interface KernelLog {
  read(): string;
  close(): void;
}

/** Opens /dev/kmsg past its current end; or says why the kernel's records cannot be read here. */
export function openKernelLog(): KernelLog | { why: string } {
  let fd: number;
  try {
    fd = openSync("/dev/kmsg", constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    return { why: `the kernel log cannot be read here (${(e as NodeJS.ErrnoException).code}; it needs root)` };
  }
  const drain = () => {
    const buf = Buffer.alloc(8192);
    let out = "";
    for (;;) {
      try {
        const n = readSync(fd, buf, 0, buf.length, null);
        if (n <= 0) break;
        out += buf.toString("utf8", 0, n);
      } catch (e) {
        // EAGAIN: no more records; EPIPE: some were overwritten, the next read goes on.
        if ((e as NodeJS.ErrnoException).code === "EPIPE") continue;
        break;
      }
    }
    return out;
  };
  drain();
  return { read: drain, close: () => closeSync(fd) };
}
