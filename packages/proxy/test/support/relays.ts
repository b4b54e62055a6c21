// The relays the tunnel tests run over: the built-in JavaScript pipe, and the
// native splice relay from @cordon/landlock-native, the one the CLI injects.
// Imported by path, in tests only: the proxy package does not depend on it.
import { readdirSync } from "node:fs";
import { spliceRelaysActive, spliceSockets } from "../../../landlock-native/src/splice-relay.js";
import type { TunnelRelay } from "../../src/index.js";

export const nativeRelay: TunnelRelay = (client, upstream, { idleTimeoutMs }) => {
  const relay = spliceSockets(client, upstream, { idleTimeoutMs });
  return { done: relay.done.then((r) => ({ bytesUp: r.bytesAToB, bytesDown: r.bytesBToA })), end: () => relay.stop() };
};

/** [name, tunnelRelay option] pairs for describe.each. */
export const RELAYS: [string, TunnelRelay | undefined][] = [
  ["js", undefined],
  ["native", nativeRelay],
];

/** Native relays still running in this thread. */
export const nativeRelaysActive = spliceRelaysActive;

/** Open file descriptors of this process. */
export const openFds = () => readdirSync("/proc/self/fd").length;
