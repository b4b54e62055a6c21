// The open tunnels, whichever way they are carried, so close() can end them and
// wait for them, and update() can cut those its new allowlist no longer allows.
// Relayed tunnels are counted apart: their JS sockets are gone while the relay
// still holds the connections.
import type { TunnelTarget } from "./context.js";

export interface OpenTunnel {
  /** Graceful: FIN both ways. */
  end(): void;
  destroy(): void;
}

export class TunnelRegistry {
  private readonly open = new Map<OpenTunnel, TunnelTarget>();
  private relayedCount = 0;
  private waiters: (() => void)[] = [];

  /** Registers a tunnel; call the returned function once it has closed. */
  add(tunnel: OpenTunnel, relayed: boolean, target: TunnelTarget): () => void {
    this.open.set(tunnel, target);
    if (relayed) this.relayedCount++;
    return () => {
      if (!this.open.delete(tunnel)) return;
      if (relayed) this.relayedCount--;
      if (this.open.size === 0) for (const wake of this.waiters.splice(0)) wake();
    };
  }

  /** Tunnels carried by an injected relay that are still open. */
  get relayed(): number {
    return this.relayedCount;
  }

  endAll(): void {
    for (const t of this.open.keys()) t.end();
  }

  destroyAll(): void {
    for (const t of this.open.keys()) t.destroy();
  }

  /** Destroys every tunnel whose target `keep` refuses; returns how many. */
  cut(keep: (target: TunnelTarget) => boolean): number {
    let cut = 0;
    for (const [t, target] of this.open) {
      if (keep(target)) continue;
      t.destroy();
      cut++;
    }
    return cut;
  }

  /** Resolves once no tunnel is open. */
  idle(): Promise<void> {
    if (this.open.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
