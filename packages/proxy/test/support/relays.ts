// The relays the tunnel tests run over: the built-in JavaScript pipe, and the
// zero-copy splice relay of @cordon/splice-relay (the proxy's optional dependency),
// the one the sandbox asks for.
import { readdirSync, readlinkSync } from "node:fs";
import { spliceRelaysActive } from "@cordon/splice-relay";

/** [name, tunnelRelay option] pairs for describe.each. */
export const RELAYS: [string, "splice" | undefined][] = [
  ["js", undefined],
  ["native", "splice"],
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
