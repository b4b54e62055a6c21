import { closeSync, constants, openSync, readSync } from "node:fs";

/**
 * Kernel log records written since `since` (process.hrtime.bigint(), CLOCK_MONOTONIC like the
 * log's own stamps). Landlock's audit records land here when no auditd listens. Read only after
 * a run, so a run that succeeds pays nothing.
 */
export function kernelLogSince(since: bigint): { text: string } | { why: string } {
  let fd: number;
  try {
    fd = openSync("/dev/kmsg", constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    return { why: `the kernel log cannot be read here (${(e as NodeJS.ErrnoException).code}; it needs root)` };
  }
  const sinceUs = since / 1000n;
  const buf = Buffer.alloc(8192);
  const out: string[] = [];
  try {
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        // EPIPE: records were overwritten while reading; the next read goes on. EAGAIN: the end.
        if ((e as NodeJS.ErrnoException).code === "EPIPE") continue;
        break;
      }
      if (n <= 0) break;
      // "PRIORITY,SEQ,MICROSECONDS,FLAGS;message"
      const record = buf.toString("utf8", 0, n);
      const stamp = record.split(",", 4)[2];
      if (stamp !== undefined && /^\d+$/.test(stamp) && BigInt(stamp) >= sinceUs) out.push(record.slice(record.indexOf(";") + 1));
    }
  } finally {
    closeSync(fd);
  }
  return { text: out.join("") };
}
