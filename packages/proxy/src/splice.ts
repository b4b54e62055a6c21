// tunnelRelay: "splice": the zero-copy relay of @cordon/splice-relay, an optional
// dependency loaded only when asked for, so the proxy installs and runs without it.
// (A literal specifier: the CLI's start-up snapshot bundles it like any other import.)
import type { TunnelRelay } from "./relay.js";

export async function loadSpliceRelay(): Promise<TunnelRelay> {
  let mod: typeof import("@cordon/splice-relay");
  try {
    mod = await import("@cordon/splice-relay");
  } catch (err) {
    throw new Error(`tunnelRelay "splice" needs @cordon/splice-relay (an optional dependency of @cordon/proxy): ${(err as Error).message}`);
  }
  const { spliceSockets } = mod;
  return (client, upstream, { idleTimeoutMs }) => {
    const relay = spliceSockets(client, upstream, { idleTimeoutMs });
    return { done: relay.done.then((r) => ({ bytesUp: r.bytesAToB, bytesDown: r.bytesBToA })), end: () => relay.stop() };
  };
}
