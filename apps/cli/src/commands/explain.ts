import type { CommandModule } from "yargs";
import { negotiate, policyPaths } from "@cordon/policy";
import { loadPolicy, probeKernel, createPrivateTmpdir, removePrivateTmpdir, projectOf, withoutSecrets } from "@cordon/sandbox";
import { formatDefaults, formatReport } from "../report/format.js";
import { formatInspection, inspectedHosts } from "../report/inspection.js";
import { policySourceFromArgs, withPolicyOptions, type PolicyArgs } from "./policy-options.js";
import { NETWORK_FENCE_OPTION, networkFenceFrom } from "./network-fence-option.js";

interface ExplainArgs extends PolicyArgs {
  abi?: number;
  json?: boolean;
  "network-fence"?: string;
}

export const explainCommand: CommandModule<object, ExplainArgs> = {
  command: "explain [options]",
  describe: "Show what a policy would enforce on this kernel (or another ABI), and by which tier",
  builder: (y) =>
    withPolicyOptions(y)
      .option("abi", { type: "number", describe: "Pretend the kernel has this Landlock ABI (0 = none)" })
      .option("json", { type: "boolean", describe: "Print the plan and report as JSON" })
      .options(NETWORK_FENCE_OPTION)
      .example("cordon explain", "The built-in policy on this kernel")
      .example("cordon explain --abi 3 --compat hard", "Would a RHEL 9.5-like kernel (ABI 3) refuse?") as never,
  handler: (argv) => {
    const tmpdir = createPrivateTmpdir();
    try {
      const policy = loadPolicy(policySourceFromArgs(argv), { cwd: process.cwd(), tmpdir });
      const facts = probeKernel(policyPaths(policy), policy);
      const fence = networkFenceFrom(argv["network-fence"], process.env);
      if (fence) facts.networkFence = fence;
      if (argv.abi !== undefined) facts.landlock = { abi: argv.abi, errata: facts.landlock.errata };
      const n = negotiate(policy, facts);
      if (argv.json) {
        process.stdout.write(`${JSON.stringify({ decision: n.decision, report: n.report, plan: n.plan, inspection: inspectedHosts(policy) }, null, 2)}\n`);
      } else {
        process.stdout.write(`${formatReport(n.report)}\n`);
        for (const line of formatInspection(policy, n.plan.landlock !== null)) process.stdout.write(`${line}\n`);
        const project = projectOf({}, process.cwd());
        const { withheld } = withoutSecrets(process.env);
        process.stdout.write(`\n${formatDefaults({ project, withheldEnv: withheld, localhostPorts: policy.network.localhostPorts, bindPorts: policy.network.bindPorts })}\n`);
        if (!n.decision.run) process.stdout.write(`\nwould refuse to run:\n${n.decision.errors.map((e) => `  - ${e.message}`).join("\n")}\n`);
      }
      process.exitCode = n.decision.run ? 0 : 3;
    } finally {
      removePrivateTmpdir(tmpdir);
    }
  },
};
