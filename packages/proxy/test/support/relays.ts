// The relays the tunnel tests run over: the built-in JavaScript pipe, and the
// native splice relay from @cordon/landlock-native, the one the CLI injects.
// Imported by path, in tests only: the proxy package does not depend on it.
import { readdirSync, readlinkSync } from "node:fs";
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

/**
 * Open socket fds of this process. Pipes are not counted: the native relay keeps
 * a bounded pool of empty pipes for reuse.
 */
export const openFds = () =>
  readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith("socket:");
    } catch {
      return false; // closed meanwhile (readdir's own fd)
    }
  }).length;
