// Parsing of the CONNECT authority-form target ("host:port", "[v6]:port").
export interface Target {
  host: string;
  port: number;
}

const AUTHORITY = /^(\[[0-9a-fA-F:.]+\]|[^\s:/?#@[\]]+):(\d{1,5})$/;

export function parseAuthority(text: string | undefined): Target | undefined {
  if (!text) return undefined;
  const match = AUTHORITY.exec(text);
  if (!match) return undefined;
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return undefined;
  const host = match[1]!;
  return { host: host.startsWith("[") ? host.slice(1, -1) : host, port };
}
