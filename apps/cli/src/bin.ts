#!/usr/bin/env node
import { tryFastRun } from "./fast-run.js";
import { reportError } from "./report/report-error.js";

// `cordon explain | head` closes the pipe early: that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
}

const argv = process.argv.slice(2);
// Only the hot path is imported eagerly; the full command line loads on demand.
const fast = tryFastRun(argv);
(fast?.catch(reportError) ?? import("./main.js").then((m) => m.main(argv))).then(
  (code) => {
    // A finished `run` has cleaned up (proxy closed, audit log flushed): exit now rather than
    // pay Node's teardown of the idle loop. stdout/stderr are synchronous on Linux.
    if (fast) process.exit(code);
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`cordon: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
