// Landlock's audit records (Linux 6.15+, ABI 7), as the kernel prints them to its log or to
// auditd's file: `type=LANDLOCK_ACCESS ... blockers=fs.read_file path="/home/u/.ssh" ...`.

export interface PathDenial {
  path: string;
  /** The rights missing: "fs.read_file", "fs.write_file", "fs.execute", ... */
  blockers: string[];
}

const RECORD = /type=(?:LANDLOCK_ACCESS|1423)\b.*?\bblockers=(\S+)(?:.*?\bpath=("(?:[^"\\]|\\.)*"|[0-9A-Fa-f]+))?/;

/** The filesystem denials in a piece of kernel or audit log text (other records ignored). */
export function parseLandlockDenials(text: string): PathDenial[] {
  const out = new Map<string, PathDenial>();
  for (const line of text.split("\n")) {
    const m = RECORD.exec(line);
    if (!m || !m[2]) continue;
    const blockers = m[1]!.split(",").filter((b) => b.startsWith("fs."));
    if (blockers.length === 0) continue;
    // audit writes a path holding spaces or quotes as hex.
    const path = m[2].startsWith('"') ? m[2].slice(1, -1) : Buffer.from(m[2], "hex").toString("utf8");
    if (!path.startsWith("/")) continue;
    const entry = out.get(path) ?? { path, blockers: [] };
    for (const b of blockers) if (!entry.blockers.includes(b)) entry.blockers.push(b);
    out.set(path, entry);
  }
  return [...out.values()];
}

/** The flag that grants what was denied: --exec, --rw or --ro. */
export function flagFor(d: PathDenial): "--ro" | "--rw" | "--exec" {
  if (d.blockers.includes("fs.execute")) return "--exec";
  if (d.blockers.some((b) => b !== "fs.read_file" && b !== "fs.read_dir")) return "--rw";
  return "--ro";
}
