// How the bench client reaches an upstream: directly, or through a CONNECT tunnel.
import { connect } from "node:net";

/** Resolves with a connected socket to 127.0.0.1:port (through the proxy if one is given) and any early bytes. */
export function openPath(proxyPort, port) {
  return new Promise((resolve, reject) => {
    if (proxyPort === null) {
      const s = connect({ port, host: "127.0.0.1", noDelay: true });
      s.once("error", reject);
      s.once("connect", () => resolve({ socket: s, rest: Buffer.alloc(0) }));
      return;
    }
    const s = connect({ port: proxyPort, host: "127.0.0.1", noDelay: true });
    let buf = Buffer.alloc(0);
    s.once("error", reject);
    const onData = (c) => {
      buf = Buffer.concat([buf, c]);
      const end = buf.indexOf("\r\n\r\n");
      if (end === -1) return;
      s.off("data", onData);
      s.pause();
      const status = buf.subarray(9, 12).toString();
      if (status !== "200") {
        s.destroy();
        return reject(new Error(`CONNECT answered ${status}`));
      }
      resolve({ socket: s, rest: buf.subarray(end + 4) });
    };
    s.on("data", onData);
    s.write(`CONNECT 127.0.0.1:${port} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
  });
}
