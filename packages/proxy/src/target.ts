// Parsing of the CONNECT authority-form target ("host:port", "[v6]:port").
export interface Target {
  host: string;
  port: number;
}

const PORT = /^\d{1,5}$/;
// Characters that never belong in a host; the matcher judges the rest (invalid-host).
const NOT_HOST = /[\s/?#@[\]\\]/;

export function parseAuthority(text: string | undefined): Target | undefined {
  if (!text) return undefined;
  const colon = text.lastIndexOf(":");
  if (colon <= 0) return undefined;
  const portText = text.slice(colon + 1);
  if (!PORT.test(portText)) return undefined;
  const port = Number(portText);
  if (port < 1 || port > 65535) return undefined;
  let host = text.slice(0, colon);
  if (host.startsWith("[")) {
    if (!host.endsWith("]")) return undefined;
    host = host.slice(1, -1);
    if (!/^[0-9a-fA-F:.]+$/.test(host)) return undefined;
  } else if (host.includes(":") || NOT_HOST.test(host)) {
    return undefined;
  }
  return host === "" ? undefined : { host, port };
}
