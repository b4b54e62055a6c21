// Sends one UDP datagram to 127.0.0.1:PORT with Node's dgram; prints OK or the error code.
import { createSocket } from "node:dgram";

const port = Number(process.argv[2]);
try {
  const s = createSocket("udp4");
  s.on("error", (e) => {
    console.log(e.code ?? e.message);
    process.exit(0);
  });
  s.send("node-udp", port, "127.0.0.1", (e) => {
    console.log(e ? (e.code ?? e.message) : "OK");
    s.close();
  });
} catch (e) {
  console.log(e.code ?? e.message);
}
