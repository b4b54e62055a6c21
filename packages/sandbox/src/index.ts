/**
 * @cordon/sandbox: cordon's embeddable API. The cordon command is a thin shell over exactly this.
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
  type NetworkFence,
  type SpawnOptions,
  type SandboxProcess,
  type ExitInfo,
  type RunReport,
  type DecisionEvent,
} from "./sandbox.js";
export { PolicyLoadError, type PolicySource } from "./load-policy.js";
export type { DecisionSummary, DeniedHost } from "./decision-log.js";
export type { LaunchFailure } from "./launch.js";
export { EXIT_TIMEOUT, EXIT_LAUNCH_FAILED } from "./exit-status.js";
// The policy model, for building policies in code (see @cordon/policy for the format).
export { defaultPolicy, type Policy, type InlineOptions, type EnforcementReport } from "@cordon/policy";
// Building blocks the cordon command uses beside createSandbox (explain, doctor, proxy).
export { loadPolicy, projectOf } from "./load-policy.js";
export { findProjectRoot, type ProjectRoot } from "./project-root.js";
export { isSecretEnvName, withoutSecrets } from "./secret-env.js";
export { CACHE_VARS } from "./child-env.js";
export { discoverPolicy, findProjectPolicy, PROJECT_POLICY_NAMES, UntrustedPolicyError, type DiscoveredPolicy, type DiscoverOptions, type PolicyFileInUse } from "./policy-discovery.js";
export { trustPolicyFile, userConfigPath, userConfigDir } from "./user-config.js";
export { probeKernel } from "./kernel-facts.js";
export { probeNamespaces } from "./isolation.js";
export { createPrivateTmpdir, removePrivateTmpdir } from "./private-tmpdir.js";
// Whether a proxy the caller starts itself (the gateway) should use tunnelRelay "splice".
export { nativeRelayWanted } from "./start-proxy.js";
