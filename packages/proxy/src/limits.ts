/** Resource limits; every field has a safe default (see README). */
export interface ProxyLimits {
  /** Largest request head accepted, in bytes (larger: 431). */
  maxHeaderSize: number;
  /** Time a client has to send a complete request head (slowloris guard). */
  headersTimeoutMs: number;
  /** A tunnel or keep-alive connection with no traffic either way for this long is closed. */
  idleTimeoutMs: number;
  /** Time allowed for the TCP connect to an upstream. */
  connectTimeoutMs: number;
  /** Time a plain-HTTP upstream has to send its response head. */
  upstreamHeadersTimeoutMs: number;
  /** Time allowed for a DNS lookup. */
  dnsTimeoutMs: number;
  /** Authenticated client connections (and tunnels) open at once; further ones get 503 too-many-connections. */
  maxConnections: number;
  /**
   * Connections that have not yet presented a request with the token, held apart from
   * maxConnections; beyond this many the oldest is closed, so slow or silent clients
   * cannot keep the sandbox's own requests out.
   */
  maxPendingConnections: number;
  /** close() waits this long for tunnels and requests to finish before destroying them. */
  closeGraceMs: number;
}

export const DEFAULT_LIMITS: ProxyLimits = {
  maxHeaderSize: 16 * 1024,
  headersTimeoutMs: 10_000,
  idleTimeoutMs: 300_000,
  connectTimeoutMs: 10_000,
  upstreamHeadersTimeoutMs: 60_000,
  dnsTimeoutMs: 10_000,
  maxConnections: 2048,
  maxPendingConnections: 1024,
  closeGraceMs: 2_000,
};

export function resolveLimits(partial: Partial<ProxyLimits> | undefined): ProxyLimits {
  const limits = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(partial ?? {})) {
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw new TypeError(`limits.${key} must be a non-negative number`);
    }
    (limits as Record<string, number>)[key] = value;
  }
  return limits;
}
