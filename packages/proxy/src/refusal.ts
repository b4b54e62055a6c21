// How a refusal looks on the wire: a small JSON body the sandboxed program (or
// its user) can read, plus X-Cordon-Reason for tools that only see headers.
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { ServerResponse } from "node:http";
import type { DecisionInput } from "./context.js";
import { REASONS, type RefusalReason } from "./reasons.js";

export interface Refusal {
  reason: RefusalReason;
  message: string;
  host?: string;
  port?: number;
  rule?: string;
  /** The resolved address the SSRF guard refused (resolves-to-blocked-address). */
  address?: string;
  /** Overrides the reason's default status (431 and 408 are bad requests too). */
  status?: number;
}

export function refusalStatus(refusal: Refusal): number {
  return refusal.status ?? REASONS[refusal.reason];
}

/** The request a refusal answers, as the audit log names it (a refusal's own host/port win). */
export interface RefusedRequest {
  id: number;
  method: string;
  host?: string;
  port?: number;
  path?: string;
}

/**
 * Every refusal, whichever handler answers it (CONNECT, plain HTTP, an inspected request, a
 * malformed head), is recorded by this one function before it is written: its deny decision.
 */
export function recordRefusal(decided: (event: DecisionInput) => boolean, request: RefusedRequest, refusal: Refusal): void {
  decided({
    id: request.id,
    method: request.method,
    host: refusal.host ?? request.host ?? "",
    port: refusal.port ?? request.port ?? 0,
    ...(request.path !== undefined && { path: request.path }),
    decision: "deny",
    reason: refusal.reason,
    ...(refusal.rule !== undefined && { rule: refusal.rule }),
    ...(refusal.address !== undefined && { address: refusal.address }),
    status: refusalStatus(refusal),
  });
}

function refusalParts(refusal: Refusal): { status: number; headers: Record<string, string>; body: string } {
  const body =
    JSON.stringify({
      error: refusal.reason,
      host: refusal.host ?? null,
      port: refusal.port ?? null,
      rule: refusal.rule ?? null,
      message: refusal.message,
    }) + "\n";
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "Content-Length": String(Buffer.byteLength(body)),
    "X-Cordon-Reason": refusal.reason,
    Connection: "close",
  };
  if (refusal.reason === "auth-required") headers["Proxy-Authenticate"] = 'Basic realm="cordon"';
  return { status: refusalStatus(refusal), headers, body };
}

/** Answers on a ServerResponse (plain-HTTP requests). */
export function sendRefusal(res: ServerResponse, refusal: Refusal): void {
  const { status, headers, body } = refusalParts(refusal);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.shouldKeepAlive = false;
  res.writeHead(status, headers);
  res.end(body);
}

/** Answers on a raw socket (CONNECT and parse errors, where no ServerResponse exists). */
export function writeRefusal(socket: Socket, refusal: Refusal): void {
  if (socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const { status, headers, body } = refusalParts(refusal);
  const head = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("");
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}\r\n${head}\r\n${body}`);
  // A client that keeps sending must not hold the socket open after our answer.
  socket.setTimeout(2000, () => socket.destroy());
}
