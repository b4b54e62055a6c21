// The proxy's tunnelRelay backed by landlock-native's zero-copy splice relay.
// The CLI is where the two packages meet: the proxy defines the seam, the native
// package the primitive, and neither imports the other. Also the module a proxy
// worker imports by path (tunnelRelayModule), since functions cannot cross threads.
import { spliceSockets } from "@cordon/landlock-native";
import type { TunnelRelay } from "@cordon/proxy";

export const tunnelRelay: TunnelRelay = (client, upstream, { idleTimeoutMs }) => {
  const relay = spliceSockets(client, upstream, { idleTimeoutMs });
  return {
    done: relay.done.then((r) => ({ bytesUp: r.bytesAToB, bytesDown: r.bytesBToA })),
    end: () => relay.stop(),
  };
};

/** This module, compiled, for a proxy worker to import (from TypeScript sources, e.g. tests: the dist/ copy). */
export const tunnelRelayModule: string = import.meta.url.endsWith(".ts")
  ? new URL("../dist/native-relay.js", import.meta.url).href
  : import.meta.url;

/** `CORDON_PROXY_RELAY=js` keeps the JavaScript pipe (for comparison and as an escape hatch). */
export function nativeRelayWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CORDON_PROXY_RELAY !== "js";
}
