// The slice of the @cordon/policy contract the proxy consumes (docs/architecture.md).
// Declared here so the proxy's public types do not change shape if policy's
// internal type names move; the real compileHostRules satisfies HostMatcher.

export interface HostRule {
  host: string;
  ports?: number[];
  allowedIps?: string[];
}

export interface NetworkPolicy {
  mode: "platform" | "proxy" | "none" | "unrestricted";
  proxyPort: number;
  allow: HostRule[];
  deny: HostRule[];
  localhostPorts: number[];
  bindPorts: number[];
}

export type HostDenyReason = "host-not-allowed" | "port-not-allowed" | "host-denied" | "invalid-host";

export type HostDecision =
  | {
      allowed: true;
      /** Canonical host (lower case, no trailing dot, IP literals normalised). */
      host: string;
      rule: string;
      /** CIDRs this rule lets through the SSRF guard. */
      allowedIps: string[];
      isIpLiteral: boolean;
    }
  | {
      allowed: false;
      host: string;
      reason: HostDenyReason;
      rule?: string;
      message: string;
    };

export interface HostMatcher {
  decide(host: string, port: number): HostDecision;
}
