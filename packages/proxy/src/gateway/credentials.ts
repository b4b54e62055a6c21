// Workload credentials: Proxy-Authorization "Basic base64(<workload>:<token>)". Compared
// as SHA-256 digests in constant time, so the length of a token leaks nothing.
import { createHash, timingSafeEqual } from "node:crypto";

export const MIN_TOKEN_LENGTH = 16;

export function credentialDigest(workload: string, token: string): Buffer {
  return createHash("sha256").update(`${workload}:${token}`).digest();
}

/** The workload named by a Basic header and the digest of what it presented, or undefined. */
export function presentedCredentials(header: string | undefined): { workload: string; digest: Buffer } | undefined {
  if (typeof header !== "string") return undefined;
  const match = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon <= 0) return undefined;
  return { workload: decoded.slice(0, colon), digest: createHash("sha256").update(decoded).digest() };
}

export function sameDigest(a: Buffer, b: Buffer): boolean {
  return timingSafeEqual(a, b);
}

/**
 * A credentials file holds the token, or `<workload>:<token>` (the form the workload's own
 * `--upstream-proxy-auth-file` reads, so one Secret key serves both sides).
 */
export function tokenFromFile(workload: string, text: string): string {
  const line = text.trim();
  const token = line.startsWith(`${workload}:`) ? line.slice(workload.length + 1) : line;
  if (token.includes(":") || /\s/.test(token)) throw new Error(`credentials for ${workload} must be a token or "${workload}:<token>" on one line`);
  if (token.length < MIN_TOKEN_LENGTH) throw new Error(`the token for ${workload} is shorter than ${MIN_TOKEN_LENGTH} characters`);
  return token;
}
