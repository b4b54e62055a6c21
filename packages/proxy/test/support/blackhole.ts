// A TCP port that never completes a handshake: a listener with a full accept
// queue that never accepts, so further SYNs are dropped (upstream connect timeouts).
import { spawn, type ChildProcess } from "node:child_process";
import { connect, type Socket } from "node:net";
import { once } from "node:events";

const LISTENER = [
  "import socket, sys",
  "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(0)",
  "print(s.getsockname()[1], flush=True)",
  "sys.stdin.read()",
].join("\n");

export interface BlackHole {
  port: number;
  close(): Promise<void>;
}

export async function startBlackHole(): Promise<BlackHole> {
  const child: ChildProcess = spawn("python3", ["-c", LISTENER], { stdio: ["pipe", "pipe", "inherit"] });
  const [line] = (await once(child.stdout!, "data")) as [Buffer];
  const port = Number(line.toString().trim());
  // Fill the accept queue: with backlog 0 it holds exactly one connection.
  const fillers: Socket[] = [];
  for (let i = 0; i < 1; i++) {
    const s = connect(port, "127.0.0.1");
    s.on("error", () => {});
    await once(s, "connect");
    fillers.push(s);
  }
  return {
    port,
    close: async () => {
      for (const s of fillers) s.destroy();
      child.stdin!.end();
      if (child.exitCode === null) await once(child, "exit");
    },
  };
}
