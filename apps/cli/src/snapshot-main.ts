// Entry of the start-up snapshot of `cordon run` (scripts/build-snapshot.mjs bundles
// it and runs `node --build-snapshot`): every module of the run path is evaluated
// when the snapshot is built, so a start from the blob skips their load entirely.
// bin/cordon starts Node with the blob only when it fits; otherwise dist/bin.js runs.
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startupSnapshot } from "node:v8";
import { tryFastRun } from "./fast-run.js";
import { reportError } from "./report/report-error.js";

// Built-in modules the run path loads lazily (parseArgs, net's listen, rmSync's rimraf), loaded
// now so that they are in the snapshot too. Only while the snapshot is built: no side effects.
if (startupSnapshot.isBuildingSnapshot()) {
  tryFastRun(["run", "--snapshot-warm-up", "--", "true"]); // parseArgs refuses the flag: null, nothing run
  process.getBuiltinModule("node:cluster");
  rmSync(join(tmpdir(), "cordon-snapshot-nonexistent"), { recursive: true, force: true });
}

/** Loaders of the built-in modules that cannot be in a snapshot (node:http), run first. */
const deferred: (() => void)[] = ((globalThis as Record<symbol, unknown>)[Symbol.for("cordon.deferred")] ??= []) as (() => void)[];

startupSnapshot.setDeserializeMainFunction((cliDir: unknown) => {
  for (const load of deferred) load();
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  // `node --snapshot-blob B ARGS`: argv is [node, ...ARGS] on Node 20 (one more entry where argv[1] is the node path).
  const argv = process.argv.slice(process.argv[1] === process.argv[0] ? 2 : 1);
  const run = tryFastRun(argv);
  if (!run) {
    // Help, usage errors, other commands: the plain CLI owns them (not the hot path).
    const r = spawnSync(process.execPath, [join(String(cliDir), "dist", "bin.js"), ...argv], { stdio: "inherit" });
    process.exitCode = r.status ?? 1;
    return;
  }
  // Exit as soon as the run's clean-up is done (proxy closed, audit log flushed, TMPDIR gone):
  // Node's own teardown of an idle loop costs several ms more. stdout/stderr are synchronous on Linux.
  run.catch(reportError).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`cordon: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
}, process.env["CORDON_SNAPSHOT_CLI_DIR"]);
