// Runs cordon's proxy (the built package) in its own process, like tinyproxy runs in its own.
// relay "native": tunnels through the splice relay (@cordon/splice-relay), as the sandbox asks for it.
import { createProxy } from "../../packages/proxy/dist/index.js";

const { allowPorts, relay = "js" } = JSON.parse(process.argv[2]);
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
  ...(relay === "native" && { tunnelRelay: "splice" }),
});
process.send({ port: proxy.address.port });
process.on("disconnect", () => void proxy.close().then(() => process.exit(0)));
