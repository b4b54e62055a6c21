// Connects to the checked addresses only, in order, each attempt bounded.
import { connect, type Socket } from "node:net";
import type { Cancellation } from "./cancel.js";
import type { ResolvedAddress } from "./resolve.js";

export class DialError extends Error {
  constructor(
    message: string,
    readonly timedOut: boolean,
  ) {
    super(message);
  }
}

function dialOne(target: ResolvedAddress, port: number, timeoutMs: number, cancellation: Cancellation): Promise<Socket> {
  return new Promise((resolve, reject) => {
    // An IP literal host: net.connect does no lookup, so no rebinding window exists.
    const socket = connect({ host: target.address, port, family: target.family, allowHalfOpen: true, noDelay: true });
    const fail = (err: DialError) => {
      clearTimeout(timer);
      stopListening();
      socket.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(new DialError(`connect to ${target.address}:${port} timed out after ${timeoutMs} ms`, true)), timeoutMs);
    const stopListening = cancellation.onCancel(() => fail(new DialError("client went away", false)));
    socket.once("error", (err) => fail(new DialError(`connect to ${target.address}:${port} failed: ${(err as NodeJS.ErrnoException).code ?? err.message}`, false)));
    socket.once("connect", () => {
      clearTimeout(timer);
      stopListening();
      socket.removeAllListeners("error");
      resolve(socket);
    });
  });
}

export async function dial(addresses: ResolvedAddress[], port: number, timeoutMs: number, cancellation: Cancellation): Promise<{ socket: Socket; address: string }> {
  let last: DialError | undefined;
  for (const target of addresses) {
    if (cancellation.cancelled) throw new DialError("client went away", false);
    try {
      return { socket: await dialOne(target, port, timeoutMs, cancellation), address: target.address };
    } catch (err) {
      last = err as DialError;
    }
  }
  throw last ?? new DialError("no addresses to dial", false);
}
