// Writing a report file where the sandboxed command could have prepared the path.
import { closeSync, constants, fstatSync, ftruncateSync, lstatSync, openSync, statSync, writeFileSync, writeSync } from "node:fs";

const PLANTED = "the command may have planted it; remove it or write to another file";

/**
 * A file cordon writes after the run (`--learn`, `--json FILE`) usually sits in the project the
 * command could write: a symlink or hard link planted there would have cordon, outside every
 * restriction, overwrite a file anywhere. Every process of the run is dead by now, so checking
 * before writing is race-free. A symlink to something that is not a regular file (`/dev/stderr`,
 * a FIFO) is followed. Returns why the file was not written.
 */
export function writeNoFollow(file: string, text: string): string | undefined {
  let link = false;
  try {
    link = lstatSync(file).isSymbolicLink();
  } catch {
    // absent: created below
  }
  if (link) {
    let regular = true;
    try {
      regular = statSync(file).isFile();
    } catch {
      // dangling: following it would create a file wherever it points
    }
    if (regular) return `it is a symbolic link to a file (${PLANTED})`;
    writeFileSync(file, text);
    return undefined;
  }
  const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW, 0o644);
  try {
    const st = fstatSync(fd);
    if (st.isFile() && st.nlink > 1) return `it has other hard links (${PLANTED})`;
    if (st.isFile()) ftruncateSync(fd, 0);
    writeSync(fd, text);
    return undefined;
  } finally {
    closeSync(fd);
  }
}
