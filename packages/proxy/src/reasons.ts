/** Every reason the proxy refuses a request, with the HTTP status it answers. */
export const REASONS = {
  "host-not-allowed": 403,
  "host-denied": 403,
  "port-not-allowed": 403,
  "resolves-to-blocked-address": 403,
  "invalid-host": 400,
  "bad-request": 400,
  "auth-required": 407,
  "method-not-allowed": 405,
  "dns-failure": 502,
  "upstream-unreachable": 502,
  "upstream-timeout": 504,
  "too-many-connections": 503,
  "audit-unavailable": 503,
  /** An inspected host's http rules refused the request. */
  "request-not-allowed": 403,
  /** A host whose credentials cannot be injected (no Landlock domain, or plain http://). */
  "credential-unavailable": 403,
  /** TLS to an inspected host named another server than its CONNECT (handshake aborted). */
  "sni-mismatch": 403,
  /** The client gave up the TLS handshake with cordon's certificate (e.g. it does not trust the run's CA). */
  "tls-handshake-failed": 502,
} as const;

export type RefusalReason = keyof typeof REASONS;
