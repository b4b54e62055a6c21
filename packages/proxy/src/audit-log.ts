// The JSON-lines audit log. Its records bound its memory by backpressure: while
// the stream cannot take more, the proxy holds new requests (ready()) instead of
// buffering their records without bound or dropping them. A log that fails
// (EPIPE, a full disk) is reported, and the proxy then refuses what it cannot record.
import { createWriteStream } from "node:fs";
import type { Writable } from "node:stream";
import type { ProxyEvent } from "./events.js";

/** A file path (appended to) or any writable stream. */
export type AuditLogTarget = string | Writable;

/** What the proxy needs from wherever its records go (a stream here, the parent thread in worker mode). */
export interface AuditSink {
  /** Hands one record to the log; false once the log has failed (the record is lost: do not proceed). */
  write(event: ProxyEvent): boolean;
  /** True while the log cannot take more: new requests wait for ready(). */
  readonly congested: boolean;
  /** Resolves once the log can take more (or has failed). */
  ready(): Promise<void>;
  /** Set once the log failed. */
  readonly failure: Error | undefined;
}

export interface AuditLogHooks {
  /** The stream's buffer went above its high-water mark. */
  onCongested?(): void;
  /** It drained. */
  onDrained?(): void;
  onFailure?(err: Error): void;
}

export class AuditLog implements AuditSink {
  private readonly stream: Writable;
  private readonly owned: boolean;
  private waiters: (() => void)[] = [];
  failure: Error | undefined;

  constructor(
    target: AuditLogTarget,
    private readonly hooks: AuditLogHooks = {},
  ) {
    this.owned = typeof target === "string";
    this.stream = typeof target === "string" ? createWriteStream(target, { flags: "a" }) : target;
    this.stream.on("error", (err) => this.fail(err));
    this.stream.on("drain", () => {
      this.hooks.onDrained?.();
      this.wake();
    });
  }

  get congested(): boolean {
    return this.failure === undefined && this.stream.writableNeedDrain;
  }

  write(event: ProxyEvent): boolean {
    if (this.failure) return false;
    if (this.stream.writableEnded || this.stream.destroyed) {
      this.fail(new Error("the audit log stream is closed"));
      return false;
    }
    const wasCongested = this.stream.writableNeedDrain;
    this.stream.write(JSON.stringify(event) + "\n");
    // A write that failed at once (EPIPE on a pipe whose reader left) is known
    // here, before the request goes anywhere; its 'error' event comes later.
    const err = this.stream.errored;
    if (err) {
      this.fail(err);
      return false;
    }
    if (!wasCongested && this.stream.writableNeedDrain) this.hooks.onCongested?.();
    return true;
  }

  ready(): Promise<void> {
    if (!this.congested) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Flushes; closes the file if the log opened it. */
  async close(): Promise<void> {
    this.wake();
    if (!this.owned || this.failure) return;
    await new Promise<void>((resolve) => {
      this.stream.end(() => resolve());
      this.stream.once("error", () => resolve());
    });
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    this.hooks.onFailure?.(err);
    this.wake();
  }

  private wake(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }
}
