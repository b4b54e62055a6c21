export type {
  Compat,
  CredentialRule,
  FilesystemPolicy,
  HttpRuleEntry,
  HttpRules,
  HostRule,
  InlineOptions,
  Isolation,
  NetworkMode,
  NetworkPolicy,
  PathAccess,
  PathSource,
  Policy,
  PolicyLimits,
  ResolvedPath,
  ResolvedPolicy,
} from "./model.js";
export { COMPAT_LEVELS, ISOLATION_LEVELS, NETWORK_MODES } from "./model.js";
export { DEFAULT_PROTECTED, checkProtectedEntry, globMatcher, protectedCandidates, type ProtectedCandidate } from "./protected.js";
export { planIsolation, type IsolationOutcome } from "./isolation.js";
export { formatSize, parseSize } from "./limits.js";
export { DEFAULT_SECRETS, checkSecretEntry, directoriesToList, leaveOutSecrets, secretCandidates, secretMatches, type ListedEntry, type SecretCandidate } from "./secrets.js";
export { PolicyError } from "./errors.js";
export {
  FS_ACCESS,
  FS_FILE_RIGHTS,
  LANDLOCK_ABI,
  LATEST_KNOWN_ABI,
  NET_ACCESS,
  RESTRICT_SELF,
  SCOPES,
  abiCapabilities,
  type AbiCapabilities,
} from "./abi.js";
export { canonicalizeHost, type CanonicalHost } from "./host/canonicalize.js";
export { isCloudMetadataHost } from "./host/metadata.js";
export { nearest } from "./suggest.js";
export { DEFAULT_PORTS, formatHostRule, parseHostEntry } from "./host/entry.js";
export { compileHostPattern, parseCidr, type HostPattern } from "./host/pattern.js";
export { compileHostRules, type HostDecision, type HostMatcher } from "./host/matcher.js";
export * from "./http/index.js";
export { parsePolicy, validatePolicyData, type ParseOptions, type ParseResult } from "./parse.js";
export { policySchema } from "./schema.js";
export { defaultPolicy, DEFAULT_PROXY_PORT } from "./defaults.js";
export { presets, PRESET_NAMES, type PolicyPreset, type PresetName } from "./presets.js";
export { checkPathSyntax, expandPath } from "./paths.js";
export { resolvePolicy, policyPaths, type ResolveFacts, type ResolveInput, type ResolveResult } from "./resolve.js";
export { negotiate } from "./negotiate.js";
export { anchorPaths, layerPolicy, presentKeys, type LayerFacts, type PolicyLayer } from "./layers.js";
export { ruleCovers, widenings, type Widening } from "./tighten.js";
export { parseUserConfig, withTrust, type TrustEntry, type UserConfig, type UserConfigResult } from "./user-config.js";
export { resourcesFor, launchPlan, type Resources, type RuntimeFacts, type LaunchPlan } from "./launch-plan.js";
export { ACCESS_RIGHTS, FS_ALL } from "./rights.js";
export type {
  Decision,
  DecisionCode,
  DecisionError,
  EnforcementPlan,
  EnforcementReport,
  IsolationPlan,
  KernelFacts,
  LandlockPlan,
  Negotiation,
  PlannedPath,
  PlannedPort,
  ReportItem,
} from "./report.js";
export { importOpenShell } from "./import/openshell.js";
export { importSrt } from "./import/srt.js";
export type { ImportResult } from "./import/common.js";
export * from "./seccomp/index.js";
