// Opens a TCP connection to HOST:PORT with Node's net, ignoring any proxy settings; prints OK or the error code.
import { connect } from "node:net";

const [host, port] = [process.argv[2], Number(process.argv[3])];
const s = connect({ host, port });
s.on("connect", () => {
  console.log("OK");
  s.destroy();
});
s.on("error", (e) => console.log(e.code ?? e.message));
