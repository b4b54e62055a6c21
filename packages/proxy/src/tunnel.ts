// Splices two connected sockets: pipe() gives backpressure; both sockets are
// half-open capable, so a FIN travels through and the other direction keeps going.
import type { Socket } from "node:net";

export interface TunnelTotals {
  bytesUp: number;
  bytesDown: number;
  durationMs: number;
}

export class Tunnel {
  private readonly started = Date.now();
  private closedCount = 0;
  private finished = false;

  constructor(
    private readonly client: Socket,
    private readonly upstream: Socket,
    idleTimeoutMs: number,
    private readonly onClosed: (totals: TunnelTotals) => void,
  ) {
    const destroyBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", destroyBoth);
    upstream.on("error", destroyBoth);
    if (idleTimeoutMs > 0) {
      client.setTimeout(idleTimeoutMs, destroyBoth);
      upstream.setTimeout(idleTimeoutMs, destroyBoth);
    }
    client.on("close", () => this.sideClosed(upstream));
    upstream.on("close", () => this.sideClosed(client));
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /** Graceful shutdown: send FIN both ways; sockets close once their peers answer. */
  end(): void {
    for (const socket of [this.client, this.upstream]) if (!socket.writableEnded && !socket.destroyed) socket.end();
  }

  destroy(): void {
    this.client.destroy();
    this.upstream.destroy();
  }

  // Once one side is gone nothing it sent can be lost by flushing the other and
  // closing it: nobody is left to read what the survivor would receive.
  private sideClosed(other: Socket): void {
    this.closedCount++;
    if (!other.destroyed) {
      if (other.writableFinished) other.destroy();
      else {
        other.once("finish", () => other.destroy());
        other.end();
      }
    }
    if (this.closedCount === 2 && !this.finished) {
      this.finished = true;
      this.onClosed({
        bytesUp: this.upstream.bytesWritten,
        bytesDown: this.upstream.bytesRead,
        durationMs: Date.now() - this.started,
      });
    }
  }
}
