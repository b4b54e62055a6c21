import { TOKEN_USER } from "./auth.js";

/** The proxy URL for HTTP_PROXY; a token goes in as cordon:<token>@. */
export function proxyUrl(address: { host: string; port: number }, token?: string): string {
  const host = address.host.includes(":") ? `[${address.host}]` : address.host;
  const auth = token ? `${TOKEN_USER}:${encodeURIComponent(token)}@` : "";
  return `http://${auth}${host}:${address.port}`;
}
