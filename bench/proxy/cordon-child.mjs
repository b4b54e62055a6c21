// Runs cordon's proxy (the built package) in its own process, like tinyproxy runs in its own.
// relay "native": tunnels through landlock-native's splice relay, injected the way the CLI does.
import { createProxy } from "../../packages/proxy/dist/index.js";

const { allowPorts, relay = "js" } = JSON.parse(process.argv[2]);
let tunnelRelay;
if (relay === "native") {
  const { spliceSockets } = await import("../../packages/landlock-native/dist/index.js");
  tunnelRelay = (client, upstream, { idleTimeoutMs }) => {
    const r = spliceSockets(client, upstream, { idleTimeoutMs });
    return { done: r.done.then((t) => ({ bytesUp: t.bytesAToB, bytesDown: t.bytesBToA })), end: () => r.stop() };
  };
}
const proxy = await createProxy({
  port: 0,
  network: {
    mode: "platform",
    proxyPort: 0,
    allow: [{ host: "127.0.0.1", ports: allowPorts }],
    deny: [],
    localhostPorts: [],
    bindPorts: [],
  },
  limits: { maxConnections: 20_000 },
  ...(tunnelRelay && { tunnelRelay }),
});
process.send({ port: proxy.address.port });
process.on("disconnect", () => void proxy.close().then(() => process.exit(0)));
