// The native splice relay as a module a proxy worker can import by path
// (tunnelRelayModule): plain JavaScript over landlock-native's build, in tests only.
import { spliceSockets } from "../../../landlock-native/dist/index.js";

export const tunnelRelay = (client, upstream, { idleTimeoutMs }) => {
  const relay = spliceSockets(client, upstream, { idleTimeoutMs });
  return { done: relay.done.then((r) => ({ bytesUp: r.bytesAToB, bytesDown: r.bytesBToA })), end: () => relay.stop() };
};
