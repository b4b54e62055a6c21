// Zero-copy relay between two connected sockets (native/splice_relay.cc): bytes
// move socket → pipe → socket with splice(2) on a native thread and never enter
// JavaScript. Policy-free: it pumps whatever two fds it is given.
import type { Socket } from "node:net";
import { binding } from "./binding.js";
import { SpliceRelayError, errnoName } from "./errors.js";

/** How a relay ended: both FINs relayed, an error, stop(), or the idle limit. */
export type SpliceRelayEnd = "eof" | "error" | "stopped" | "idle";

export interface SpliceRelayResult {
  /** Bytes delivered from A to B, and from B to A. */
  bytesAToB: number;
  bytesBToA: number;
  how: SpliceRelayEnd;
  /** The errno name when `how` is "error" (ECONNRESET, EPIPE, ...). */
  error?: string;
}

export interface SpliceRelay {
  /** Settles once the relay has closed both of its fds. Never rejects. */
  readonly done: Promise<SpliceRelayResult>;
  /** Flushes what the relay holds, shuts both sockets down (peers see FIN) and finishes. Idempotent. */
  stop(): void;
}

export interface SpliceRelayOptions {
  /** Finish a relay that moved no byte either way for this long (checked about once a second). 0 = never. */
  idleTimeoutMs?: number;
}

/**
 * Relays between two connected stream-socket fds until both directions have
 * seen EOF (half-close is relayed with shutdown(SHUT_WR)), an error, stop() or
 * the idle limit. The relay works on its own dup()s: the caller keeps (and must
 * close) its fds; closing them does not disturb the connections. Throws a
 * SpliceRelayError when the relay cannot be set up (EMFILE, EBADF, ...).
 */
export function spliceRelay(fdA: number, fdB: number, options: SpliceRelayOptions = {}): SpliceRelay {
  let settle!: (r: SpliceRelayResult) => void;
  const done = new Promise<SpliceRelayResult>((resolve) => (settle = resolve));
  const id = binding.spliceRelay(fdA, fdB, options.idleTimeoutMs ?? 0, (errno, how, aToB, bToA) => {
    settle({ bytesAToB: aToB, bytesBToA: bToA, how: how as SpliceRelayEnd, ...(errno !== 0 && { error: errnoName(errno) }) });
  });
  if (id < 0) throw new SpliceRelayError(-id);
  return { done, stop: () => void binding.spliceRelayStop(id) };
}

/** Relays started in this thread whose `done` has not settled yet (for leak checks). */
export function spliceRelaysActive(): number {
  return binding.spliceRelayActive();
}

interface HandleWithFd {
  fd?: number;
  reading?: boolean;
  readStop?: () => number;
}

const EMPTY = Buffer.alloc(0);

/** Stops libuv reading from `socket` and returns what JavaScript had already buffered. */
function stopReading(socket: Socket): Buffer[] {
  socket.pause();
  const chunks: Buffer[] = [];
  // read() may restart libuv's reading; no data can arrive before the readStop
  // below, because reads are only delivered from a later event-loop turn.
  // (Usually nothing is buffered: skip the restart then.)
  if (socket.readableLength > 0) for (let chunk: Buffer | null; (chunk = socket.read() as Buffer | null) !== null; ) chunks.push(chunk);
  const handle = (socket as unknown as { _handle?: HandleWithFd })._handle;
  if (handle?.readStop) {
    handle.reading = false;
    handle.readStop();
  }
  return chunks;
}

/** Resolves once everything written to `socket` so far is in the kernel. */
function flushed(socket: Socket): Promise<void> {
  if (socket.writableLength === 0) return Promise.resolve();
  return new Promise((resolve, reject) => socket.write(EMPTY, (err) => (err ? reject(err) : resolve())));
}

function fdOf(socket: Socket): number {
  const fd = (socket as unknown as { _handle?: HandleWithFd })._handle?.fd;
  return typeof fd === "number" ? fd : -1;
}

/**
 * Hands two connected net.Sockets over to spliceRelay. Order of events, so that
 * no byte is lost or reordered: stop libuv reading both sockets; write what
 * JavaScript had already read from each into the other; wait until every pending
 * write is in the kernel; dup both fds into the relay; destroy the JavaScript
 * sockets (closing a dup sends nothing). Byte counts include what the sockets
 * carried before the hand-over: A→B counts `b.bytesWritten`, B→A `b.bytesRead`.
 *
 * If a socket is already gone, or the relay cannot start, both are destroyed and
 * `done` reports how="error".
 */
export function spliceSockets(a: Socket, b: Socket, options: SpliceRelayOptions = {}): SpliceRelay {
  let relay: SpliceRelay | undefined;
  let stopRequested = false;
  const done = (async (): Promise<SpliceRelayResult> => {
    // Errors during the hand-over are answered below; keep them from being unhandled.
    const swallow = () => {};
    a.on("error", swallow);
    b.on("error", swallow);
    let before = { up: 0, down: 0 };
    try {
      const fromA = stopReading(a);
      const fromB = stopReading(b);
      for (const chunk of fromA) b.write(chunk);
      for (const chunk of fromB) a.write(chunk);
      await Promise.all([flushed(a), flushed(b)]);
      before = { up: b.bytesWritten, down: b.bytesRead };
      if (a.destroyed || b.destroyed) throw new Error("socket closed during the hand-over");
      relay = spliceRelay(fdOf(a), fdOf(b), options);
    } catch (err) {
      a.destroy();
      b.destroy();
      const code = (err as NodeJS.ErrnoException).code;
      return { bytesAToB: before.up, bytesBToA: before.down, how: "error", error: typeof code === "string" ? code : "EPIPE" };
    }
    a.destroy();
    b.destroy();
    if (stopRequested) relay.stop();
    const r = await relay.done;
    return { ...r, bytesAToB: before.up + r.bytesAToB, bytesBToA: before.down + r.bytesBToA };
  })();
  return {
    done,
    stop() {
      stopRequested = true;
      relay?.stop();
    },
  };
}
