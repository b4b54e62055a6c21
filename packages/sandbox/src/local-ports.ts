// The host side of local ports in namespace mode. The command's network namespace has only
// loopback, so the launcher relays (see --netns-local / --netns-publish) and cordon joins the
// relay's unix sockets to the host's loopback here:
// - allow-localhost PORT: a unix socket whose connections go to the host's 127.0.0.1:PORT only;
// - publish PORT: a listener on the host's 127.0.0.1:PORT whose connections go to the unix
//   socket the launcher serves, and from there to 127.0.0.1:PORT inside the namespace.
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { dirname, join } from "node:path";

export interface LocalPortRelays {
  /** For the launcher: one entry per port. */
  readonly launcher: { port: number; socketPath: string; publish: boolean }[];
  close(): Promise<void>;
}

function join2(a: Socket, b: Socket): void {
  a.on("error", () => b.destroy());
  b.on("error", () => a.destroy());
  a.pipe(b);
  b.pipe(a);
}

function listen(server: Server, ...args: [string] | [number, string]): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(...(args as [number, string]), () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/** relaySocket: the proxy's relay socket; the local ports' sockets go in its private directory. */
export async function startLocalPortRelays(relaySocket: string, localhostPorts: readonly number[], publishPorts: readonly number[]): Promise<LocalPortRelays> {
  const dir = dirname(relaySocket);
  const servers: Server[] = [];
  const launcher: LocalPortRelays["launcher"] = [];
  const close = () => Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r())))).then(() => undefined);
  try {
    for (const port of localhostPorts) {
      const socketPath = join(dir, `local-${port}.sock`);
      const server = createServer((inside) => join2(inside, createConnection(port, "127.0.0.1")));
      await listen(server, socketPath);
      servers.push(server);
      launcher.push({ port, socketPath, publish: false });
    }
    for (const port of publishPorts) {
      const socketPath = join(dir, `publish-${port}.sock`);
      const server = createServer((outside) => join2(outside, createConnection(socketPath)));
      await listen(server, port, "127.0.0.1").catch((e: NodeJS.ErrnoException) => {
        throw new Error(`--publish ${port}: cannot listen on 127.0.0.1:${port} on this machine (${e.code ?? e.message}); is something else using it?`);
      });
      servers.push(server);
      launcher.push({ port, socketPath, publish: true });
    }
  } catch (e) {
    await close();
    throw e;
  }
  return { launcher, close };
}
