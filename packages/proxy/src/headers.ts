// Header rewriting for forwarded plain-HTTP requests and their responses.

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authorization",
  "proxy-authenticate",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  // Node already answered "100 Continue" to the client; undici refuses the header.
  "expect",
]);

/** Names listed in Connection are hop-by-hop too (RFC 9110 §7.6.1). */
function connectionListed(values: Array<string | undefined>): Set<string> {
  const listed = new Set<string>();
  for (const v of values) for (const token of (v ?? "").split(",")) if (token.trim()) listed.add(token.trim().toLowerCase());
  return listed;
}

/** Request headers for upstream, as flat [name, value, ...] pairs; Host is handled by the caller. */
export function upstreamRequestHeaders(rawHeaders: string[]): string[] {
  const connection: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]!.toLowerCase() === "connection") connection.push(rawHeaders[i + 1]!);
  const listed = connectionListed(connection);
  const out: string[] = [];
  let via: string | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || listed.has(lower) || lower === "host") continue;
    if (lower === "via") {
      via = via ? `${via}, ${rawHeaders[i + 1]}` : rawHeaders[i + 1];
      continue;
    }
    out.push(name, rawHeaders[i + 1]!);
  }
  out.push("Via", via ? `${via}, 1.1 cordon` : "1.1 cordon");
  return out;
}

/** Response headers for the client (undici's object form), hop-by-hop removed, Via added. */
export function clientResponseHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const connection = headers["connection"];
  const listed = connectionListed(Array.isArray(connection) ? connection : [connection]);
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || listed.has(name)) continue;
    out[name] = value;
  }
  const via = out["via"];
  out["via"] = via ? `${Array.isArray(via) ? via.join(", ") : via}, 1.1 cordon` : "1.1 cordon";
  return out;
}

/** Host header(s) exactly as sent; more than one is malformed. */
export function hostHeaders(rawHeaders: string[]): string[] {
  const hosts: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]!.toLowerCase() === "host") hosts.push(rawHeaders[i + 1]!);
  return hosts;
}
