/**
 * cordon's embeddable API: the CLI is a thin shell over exactly this.
 *
 *   const sb = await createSandbox({ inline: { allowHosts: ["registry.npmjs.org"] } });
 *   const r = await sb.run("npm", ["ci"]);   // RunReport: status, enforcement, network summary
 *   await sb.close();
 */
export {
  createSandbox,
  Sandbox,
  SandboxRefusedError,
  type SandboxOptions,
  type SpawnOptions,
  type SandboxProcess,
  type ExitInfo,
  type RunReport,
  type DecisionEvent,
} from "./api/sandbox.js";
export { PolicyLoadError, type PolicySource } from "./api/load-policy.js";
export type { DecisionSummary, DeniedHost } from "./api/decision-log.js";
export type { LaunchFailure } from "./api/launch.js";
export { EXIT_TIMEOUT, EXIT_LAUNCH_FAILED } from "./api/exit-status.js";
// The policy model, for building policies in code (see @cordon/policy for the format).
export { defaultPolicy, type Policy, type InlineOptions, type EnforcementReport } from "@cordon/policy";
