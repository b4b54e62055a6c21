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
} as const;

export type RefusalReason = keyof typeof REASONS;
