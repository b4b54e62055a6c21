// Hands a compiled program to the launcher. Wire format on --seccomp-fd: the
// raw struct sock_filter array in host byte order, nothing else; the launcher
// reads it whole (pread from offset 0 for a file, to EOF for a pipe) and takes
// bytes / 8 as the instruction count.
import { closeSync, constants, mkdtempSync, openSync, rmdirSync, unlinkSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BPF_MAXINSNS, SOCK_FILTER_SIZE } from "./bpf.js";

// __O_TMPFILE is not in fs.constants; the value is the same on x86_64 and aarch64.
const O_TMPFILE_BIT = 0o20000000;

function anonymousFile(): number {
  try {
    // An unnamed file: nothing on disk to clean up or to race with.
    return openSync(tmpdir(), O_TMPFILE_BIT | constants.O_DIRECTORY | constants.O_RDWR, 0o600);
  } catch {
    // Filesystems without O_TMPFILE: create in a private directory, then unlink.
    const dir = mkdtempSync(join(tmpdir(), "cordon-seccomp-"));
    const path = join(dir, "filter");
    const fd = openSync(path, "wx+", 0o600);
    unlinkSync(path);
    rmdirSync(dir);
    return fd;
  }
}

/**
 * An fd holding `program` (a compiled filter) for the launcher's `--seccomp-fd`.
 * Pass it in `spawn`'s stdio array (e.g. index 5) and close it after spawning.
 * The fd is close-on-exec in this process; spawn's mapping clears that for the child only.
 */
export function seccompProgramFd(program: Buffer): number {
  if (program.length === 0 || program.length % SOCK_FILTER_SIZE !== 0 || program.length > BPF_MAXINSNS * SOCK_FILTER_SIZE) {
    throw new RangeError(`seccomp: a program is 1..${BPF_MAXINSNS} instructions of ${SOCK_FILTER_SIZE} bytes, got ${program.length} bytes`);
  }
  const fd = anonymousFile();
  try {
    let done = 0;
    while (done < program.length) done += writeSync(fd, program, done, program.length - done, done);
    return fd;
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}
