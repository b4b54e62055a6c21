import { writeSync } from "node:fs";
import { UsageError } from "../usage-error.js";
import { writeNoFollow } from "./write-no-follow.js";

/** Where `run --json` goes: a file, a file descriptor, one line on stderr, or nowhere. */
export type JsonTarget = { kind: "none" } | { kind: "stderr" } | { kind: "file"; file: string } | { kind: "fd"; fd: number };

export function jsonTarget(a: { json?: string | boolean; "json-fd"?: number }): JsonTarget {
  const fd = a["json-fd"];
  if (fd !== undefined) {
    if (!Number.isInteger(fd) || fd < 3) throw new UsageError(`--json-fd: expected a file descriptor number of 3 or more (0-2 are the command's own), got ${fd}`);
    if (a.json !== undefined) throw new UsageError("--json and --json-fd: give one of them");
    return { kind: "fd", fd };
  }
  if (a.json === undefined || a.json === false) return { kind: "none" };
  if (a.json === "" || a.json === true) return { kind: "stderr" };
  return { kind: "file", file: a.json };
}

/** The report as JSON, apart from the command's own output (bare --json: one line, the last on stderr). */
export function writeJson(t: JsonTarget, report: unknown): void {
  if (t.kind === "none") return;
  if (t.kind === "stderr") {
    process.stderr.write(`${JSON.stringify(report)}\n`);
    return;
  }
  const text = `${JSON.stringify(report, null, 2)}\n`;
  try {
    if (t.kind === "fd") writeSync(t.fd, text);
    else {
      const refused = writeNoFollow(t.file, text);
      if (refused) process.stderr.write(`cordon: did not write the JSON report to ${t.file}: ${refused}\n`);
    }
  } catch (e) {
    const where = t.kind === "file" ? t.file : `file descriptor ${t.fd}`;
    process.stderr.write(`cordon: cannot write the JSON report to ${where} (${(e as NodeJS.ErrnoException).code ?? String(e)})\n`);
  }
}
