// Per-run proxy token: HTTP_PROXY=http://cordon:<token>@127.0.0.1:port makes curl,
// undici and most clients send "Proxy-Authorization: Basic base64(cordon:<token>)".
import { createHash, timingSafeEqual } from "node:crypto";

export const TOKEN_USER = "cordon";

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

/** Returns a checker comparing in constant time (hashing first equalises lengths). */
export function tokenChecker(token: string): (header: string | undefined) => boolean {
  const expected = digest(`${TOKEN_USER}:${token}`);
  return (header) => {
    if (typeof header !== "string") return false;
    const match = /^basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(header);
    if (!match) return false;
    const encoded = match[1]!;
    const bytes = Buffer.from(encoded, "base64");
    // Node's decoder stops at the padding and skips what it cannot read: accept
    // only the canonical encoding, so nothing can ride after the credentials.
    if (bytes.toString("base64") !== encoded) return false;
    const presented = bytes.toString("utf8");
    return timingSafeEqual(digest(presented), expected);
  };
}
