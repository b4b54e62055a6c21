import { createWriteStream } from "node:fs";
import type { CommandModule, Options } from "yargs";
import { UsageError } from "../usage-error.js";
import { createSandbox, type RunReport } from "@cordon/sandbox";
import { formatNetworkSummary, formatRunDefaults, formatWarnings } from "../report/format.js";
import { failureHints, watchDenials, writeLearned } from "../report/learn-run.js";
import { jsonTarget, writeJson } from "../report/json-output.js";
import { formatPolicyFiles } from "./policy-files.js";
import { commandEnvironment, passedNames } from "./env-options.js";
import { NETWORK_FENCE_OPTION, networkFenceFrom } from "./network-fence-option.js";
import { UPSTREAM_PROXY_OPTIONS, upstreamProxyFrom } from "./upstream-proxy-option.js";
import { parseResolveOption } from "./resolve-option.js";
import { policySourceFromArgs, withPolicyOptions, type PolicyArgs } from "./policy-options.js";

export interface RunArgs extends PolicyArgs {
  timeout?: number;
  "audit-log"?: string;
  json?: string;
  "json-fd"?: number;
  learn?: string;
  quiet?: boolean;
  resolve?: string[];
  "env-clear"?: boolean;
  "upstream-proxy"?: string;
  "upstream-proxy-auth-file"?: string;
  "network-fence"?: string;
  env?: string[];
  "--"?: (string | number)[];
}

/** `run`'s own options, beside the policy options. */
export const RUN_OPTIONS = {
  resolve: { type: "string", array: true, describe: "Resolve NAME to ADDR in the proxy instead of DNS: NAME=ADDR" },
  timeout: { type: "number", describe: "Kill the command after S seconds (exit status 124)" },
  ...UPSTREAM_PROXY_OPTIONS,
  ...NETWORK_FENCE_OPTION,
  "env-clear": { type: "boolean", describe: "Start the command from an empty environment (PATH, HOME, USER, LANG, TERM, TZ kept)" },
  env: { type: "string", array: true, describe: "Pass NAME through (also one that looks like a secret, or with --env-clear) or set NAME=VALUE" },
  "audit-log": { type: "string", describe: "Append every proxy decision to FILE as JSON lines" },
  json: { type: "string", describe: "Write the final report as JSON to FILE (bare --json: one line, the last on stderr)" },
  "json-fd": { type: "number", describe: "Write the final report as JSON to file descriptor N (e.g. 3>report.json)" },
  learn: { type: "string", describe: "Write the policy additions this run needed to FILE (default cordon.learned.yaml), for review; never applied" },
  quiet: { alias: "q", type: "boolean", describe: "No warnings or summary (refusals under --compat hard still print)" },
} satisfies Record<string, Options>;

const FORWARDED: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"];

export const runCommand: CommandModule<object, RunArgs> = {
  command: "run",
  describe: "Run a command in the sandbox",
  builder: (y) =>
    withPolicyOptions(y.usage("cordon run [options] -- <command> [args...]"))
      .options(RUN_OPTIONS)
      .example("cordon run -- npm install", "Install with the default policy")
      .example("cordon run --allow-host registry.npmjs.org -- npm ci", "Allow one host")
      .example("cordon run --policy cordon.yaml --compat hard -- make test", "Refuse unless fully kernel-enforced")
      .example("cordon run --network none --rw ./out -- ./build.sh", "No network, one extra writable dir")
      .example("cordon run --env-clear --env CI=1 -- npm test", "A minimal environment plus CI=1")
      .example("cordon run --env GITHUB_TOKEN -- gh pr list", "Pass one variable that looks like a secret")
      .example("cordon run --allow-localhost 5432 -- npm test", "Reach a database on this machine's port 5432")
      .example("cordon run --publish 3000 -- npm run dev", "A dev server on port 3000, reached from this machine") as never,
  handler: async (argv) => {
    process.exitCode = await runHandler(argv);
  },
};

export async function runHandler(argv: RunArgs): Promise<number> {
  const [command, ...args] = (argv["--"] ?? []).map(String);
  if (!command) throw new UsageError("no command given: cordon run [options] -- <command> [args...]");
  const hosts = parseResolveOption(argv.resolve);
  const upstreamProxy = upstreamProxyFrom(argv["upstream-proxy"], argv["upstream-proxy-auth-file"], process.env);
  const json = jsonTarget(argv);
  const audit = argv["audit-log"] ? createWriteStream(argv["audit-log"], { flags: "a" }) : undefined;
  const { discovered, ...source } = policySourceFromArgs(argv);
  // --network-fence, else CORDON_NETWORK_FENCE, else the user's own file (never a project's).
  const networkFence = networkFenceFrom(argv["network-fence"], { ...process.env, CORDON_NETWORK_FENCE: process.env["CORDON_NETWORK_FENCE"] || discovered.networkFence });
  const sandbox = await createSandbox({
    ...source,
    proxyThread: "main",
    env: commandEnvironment(process.env, argv["env-clear"] === true, argv.env),
    passEnv: passedNames(argv.env),
    ...(upstreamProxy ? { upstreamProxy } : {}),
    ...(networkFence ? { networkFence } : {}),
    ...(hosts ? { hosts } : {}),
    ...(audit ? { auditLog: audit } : {}),
    // Denied paths are read back from the kernel log after a failure (root only): learn-run.ts.
    ...(process.getuid?.() === 0 && { logDenials: true }),
  });
  const say = (lines: string[]) => {
    if (!argv.quiet && json.kind !== "stderr") for (const l of lines) process.stderr.write(`${l}\n`);
  };
  say(formatPolicyFiles(discovered));
  // The default port taken (parallel runs) is not news: a free one is used. Asked for by name, it is.
  const portNote = /^proxy port \d+ is in use/;
  say(sandbox.notes.filter((n) => argv["proxy-port"] !== undefined || !portNote.test(n)).map((n) => `cordon: ${n}`));
  say(formatRunDefaults(sandbox));
  say(formatWarnings(sandbox.report));
  const denials = watchDenials(sandbox);

  const proc = sandbox.spawn(command, args, {
    stdio: "inherit",
    ...(argv.timeout !== undefined ? { timeout: argv.timeout * 1000 } : {}),
  });
  const forward = (sig: NodeJS.Signals) => proc.kill(sig);
  for (const s of FORWARDED) process.on(s, forward);
  let report: RunReport;
  try {
    report = await proc.report;
  } finally {
    for (const s of FORWARDED) process.off(s, forward);
    await sandbox.close();
    await new Promise<void>((r) => (audit ? audit.end(r) : r()));
  }
  if (report.launchFailure) {
    process.stderr.write(`cordon: ${command}: ${report.launchFailure.message}\n`);
  }
  // Always printed (not only without -q): the user's next git command would have read it.
  for (const p of report.removed) process.stderr.write(`cordon: warning: the command created ${p}, which would redirect git to another repository and config; removed\n`);
  if (report.timedOut) say([`cordon: timed out after ${argv.timeout}s; the command was killed`]);
  const inUse = sandbox.policy.extends ?? [];
  say(formatNetworkSummary(report.network, inUse));
  if (argv.learn !== undefined) say(writeLearned(argv.learn || "cordon.learned.yaml", [command, ...args].join(" "), denials.collect(), report, inUse));
  else if (report.status !== 0 && !report.launchFailure && !report.timedOut) say(failureHints(command, denials.collect(), report, inUse));
  writeJson(json, report);
  return report.status;
}