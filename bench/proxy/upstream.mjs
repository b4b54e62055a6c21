// Bench upstreams, in their own process so the measuring client has its thread to itself.
// bulk: the client writes "<bytes>\n", the server answers with that many bytes and ends.
// echo: every byte back. http: "ok" to any request (keep-alive).
import { createServer as createTcp } from "node:net";
import { createServer as createHttp } from "node:http";

const chunk = Buffer.alloc(1024 * 1024, 0x61);

const bulk = createTcp((socket) => {
  socket.on("error", () => {});
  let head = "";
  const onData = (c) => {
    head += c.toString("latin1");
    const nl = head.indexOf("\n");
    if (nl === -1) return;
    socket.off("data", onData);
    let left = Number(head.slice(0, nl));
    const pump = () => {
      while (left > 0) {
        const n = Math.min(left, chunk.length);
        left -= n;
        if (!socket.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void socket.once("drain", pump);
      }
      socket.end();
    };
    pump();
  };
  socket.on("data", onData);
});

const echo = createTcp((socket) => {
  socket.on("error", () => {});
  socket.pipe(socket);
});

const http = createHttp({ keepAliveTimeout: 30_000 }, (req, res) => {
  req.resume();
  res.end("ok");
});

const listen = (server) => new Promise((r) => server.listen({ port: 0, host: "127.0.0.1", backlog: 4096 }, () => r(server.address().port)));
const ports = { bulk: await listen(bulk), echo: await listen(echo), http: await listen(http) };
process.send(ports);
process.on("disconnect", () => process.exit(0));
