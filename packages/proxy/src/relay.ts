// The seam for carrying established tunnels by something other than the
// JavaScript pipe (tunnel.ts), e.g. a zero-copy splice(2) relay in native code.
// This package defines only the contract; an embedder injects the implementation,
// so the proxy itself stays free of native code and works alone.
import type { Socket } from "node:net";

export interface RelayTotals {
  /** Bytes delivered from the client to the upstream (including what was sent before the hand-over). */
  bytesUp: number;
  /** Bytes delivered from the upstream to the client. */
  bytesDown: number;
}

export interface RelayedTunnel {
  /** Settles once both connections are closed. Should not reject (a rejection counts as zero bytes). */
  readonly done: Promise<RelayTotals>;
  /** Ends the tunnel soon (proxy shutdown): both peers should see FIN or a reset. Idempotent. */
  end(): void;
}

/**
 * Takes over two connected sockets. When it is called, the "200 Connection Established" answer and
 * the client's early bytes (the CONNECT `head`) have been written (maybe not yet flushed), and
 * JavaScript may hold bytes already read from either socket: the relay must deliver those first.
 * Half-close must travel through; the relay owns both sockets from here on (closing them is its job)
 * and applies `idleTimeoutMs` (0 = none).
 */
export type TunnelRelay = (client: Socket, upstream: Socket, options: { idleTimeoutMs: number }) => RelayedTunnel;

export interface TunnelTotals extends RelayTotals {
  durationMs: number;
}

/** A tunnel carried by an injected relay, shaped like the JS Tunnel for the registry. */
export class RelayedTunnelHandle {
  private readonly tunnel: RelayedTunnel;

  constructor(relay: TunnelRelay, client: Socket, upstream: Socket, idleTimeoutMs: number, onClosed: (totals: TunnelTotals) => void) {
    const started = Date.now();
    const report = (t: RelayTotals) => onClosed({ bytesUp: t.bytesUp, bytesDown: t.bytesDown, durationMs: Date.now() - started });
    try {
      this.tunnel = relay(client, upstream, { idleTimeoutMs });
    } catch {
      // A relay that cannot start must not leave the sockets open.
      client.destroy();
      upstream.destroy();
      this.tunnel = { done: Promise.resolve({ bytesUp: 0, bytesDown: 0 }), end() {} };
    }
    this.tunnel.done.then(report, () => report({ bytesUp: 0, bytesDown: 0 }));
  }

  end(): void {
    this.tunnel.end();
  }

  destroy(): void {
    this.tunnel.end();
  }
}
