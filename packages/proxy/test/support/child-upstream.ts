// An HTTP upstream in a child process, for tests that block this thread (spawnSync).
import { spawn } from "node:child_process";
import { once } from "node:events";

const SERVER = `
const http = require("node:http");
const server = http.createServer((req, res) => res.end(JSON.stringify({ server: "child", url: req.url })));
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
process.stdin.on("end", () => process.exit(0)).resume();
`;

export async function startChildUpstream(): Promise<{ port: number; close(): Promise<void> }> {
  const child = spawn(process.execPath, ["-e", SERVER], { stdio: ["pipe", "pipe", "inherit"] });
  const [line] = (await once(child.stdout, "data")) as [Buffer];
  return {
    port: Number(line.toString().trim()),
    close: async () => {
      child.stdin.end();
      if (child.exitCode === null) await once(child, "exit");
    },
  };
}
