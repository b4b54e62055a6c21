// One forwarded plain-HTTP request, as undici's dispatch handler. Its allow
// decision is recorded when undici has a connection and is about to write the
// request (nothing of it has gone upstream yet): a client that gives up later
// cannot leave a request without a record. Its end is recorded as request-closed:
// the outcome, the status sent and the bytes each way.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Readable } from "node:stream";
import type { Dispatcher } from "undici";
import type { ProxyContext } from "./context.js";
import type { RequestOutcome } from "./events.js";
import { clientResponseHeaders, upstreamRequestHeaders } from "./headers.js";
import { refusalStatus, sendRefusal, type Refusal } from "./refusal.js";

export interface ExchangeInfo {
  id: number;
  method: string;
  host: string;
  port: number;
  rule: string;
  /** The checked address undici dials (absent through a parent proxy). */
  address?: string;
  /** The client sent Expect: 100-continue: answer it once the request is on its way. */
  expectsContinue: boolean;
  /** The request failed before anything went upstream (connect refused, timed out): a deny, as for CONNECT. */
  onUnsent(err: Error): void;
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers["transfer-encoding"] !== undefined || (req.headers["content-length"] !== undefined && req.headers["content-length"] !== "0");
}

const CLIENT_GONE = "client went away";

export function upstreamFailure(err: unknown, host: string, port: number, rule: string): Refusal {
  const code = (err as { code?: string }).code ?? "";
  const timedOut = code === "UND_ERR_CONNECT_TIMEOUT" || code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT";
  return {
    reason: timedOut ? "upstream-timeout" : "upstream-unreachable",
    host,
    port,
    rule,
    message: `${host}:${port}: ${code || (err as Error).message}`,
  };
}

export class ForwardedExchange implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private readonly started = Date.now();
  /** The allow decision is written (undici was about to send the request). */
  private recorded = false;
  private auditLost = false;
  private upstreamDone = false;
  private ended = false;
  private clientGone = false;
  private status: number | undefined;
  private bytesUp = 0;
  private bytesDown = 0;
  private readonly resume = () => this.controller?.resume();

  constructor(
    private readonly ctx: ProxyContext,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly info: ExchangeInfo,
  ) {
    res.once("close", () => this.clientClosed());
  }

  start(dispatcher: Dispatcher, origin: string, path: string, hostHeader: string): void {
    dispatcher.dispatch(
      {
        origin,
        path,
        method: this.info.method as Dispatcher.HttpMethod,
        headers: ["Host", hostHeader, ...upstreamRequestHeaders(this.req.rawHeaders)],
        // undici takes any async iterable as a body (its types list only streams).
        body: hasBody(this.req) ? (this.countedBody() as unknown as Readable) : null,
        headersTimeout: this.ctx.limits.upstreamHeadersTimeoutMs,
        bodyTimeout: this.ctx.limits.idleTimeoutMs,
      },
      this,
    );
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.recorded) return; // undici retrying on a fresh connection: recorded once
    this.recorded = true;
    const { id, method, host, port, rule, address } = this.info;
    if (!this.ctx.decided({ id, method, host, port, ...(address !== undefined && { address }), decision: "allow", rule })) {
      // The record could not be written: the request must not go out unrecorded.
      this.auditLost = true;
      controller.abort(new Error("the audit log cannot be written"));
      return;
    }
    if (this.clientGone) return controller.abort(new Error(CLIENT_GONE));
    // Only now, after the token and policy checks, may the client send its body.
    if (this.info.expectsContinue && !this.res.headersSent) this.res.writeContinue();
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    if (statusCode < 200) return; // informational answers are not relayed
    try {
      this.res.writeHead(statusCode, clientResponseHeaders(headers));
      this.status = statusCode;
    } catch (err) {
      // A head node:http will not send (an invalid header value): a failed upstream.
      controller.abort(err as Error);
    }
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.bytesDown += chunk.length;
    if (!this.res.write(chunk) && !controller.paused) {
      controller.pause();
      this.res.once("drain", this.resume);
    }
  }

  onResponseEnd(): void {
    this.upstreamDone = true;
    this.res.end(() => this.end("completed"));
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, err: Error): void {
    this.upstreamDone = true;
    if (this.auditLost) {
      sendRefusal(this.res, { reason: "audit-unavailable", message: "the audit log cannot be written" });
      return;
    }
    if (!this.recorded) {
      // Nothing went upstream; a client already gone needs no answer and leaves no record.
      if (!this.clientGone) this.info.onUnsent(err);
      return;
    }
    if (this.clientGone || this.req.socket.destroyed) return this.end("client-aborted");
    const { host, port, rule } = this.info;
    const refusal = upstreamFailure(err, host, port, rule);
    if (!this.res.headersSent) {
      this.status = refusalStatus(refusal);
      sendRefusal(this.res, refusal);
    } else {
      // Mid-body: the status is sent, so the only honest signal left is to cut the
      // response short (no terminating chunk), never to end it as if complete.
      this.res.destroy();
    }
    this.end("upstream-failed", refusal.reason === "upstream-timeout" ? "upstream-timeout" : "upstream-unreachable");
  }

  private clientClosed(): void {
    if (this.ended) return;
    this.clientGone = true;
    if (this.upstreamDone) {
      if (this.recorded && !this.auditLost) this.end("client-aborted");
    } else if (this.controller && !this.controller.aborted) {
      this.controller.abort(new Error(CLIENT_GONE));
    }
  }

  private end(outcome: RequestOutcome, reason?: "upstream-unreachable" | "upstream-timeout"): void {
    if (this.ended) return;
    this.ended = true;
    const { id, method, host, port } = this.info;
    this.ctx.requestClosed({
      id,
      method,
      host,
      port,
      outcome,
      ...(this.status !== undefined && { status: this.status }),
      ...(reason !== undefined && { reason }),
      bytesUp: this.bytesUp,
      bytesDown: this.bytesDown,
      durationMs: Date.now() - this.started,
    });
  }

  private async *countedBody(): AsyncGenerator<Buffer> {
    for await (const chunk of this.req as AsyncIterable<Buffer>) {
      this.bytesUp += chunk.length;
      yield chunk;
    }
  }
}
