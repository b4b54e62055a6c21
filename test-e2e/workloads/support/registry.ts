// A local stand-in for the npm registry: one HTTP server on loopback serving packuments and
// tarballs made with `npm pack`. The sandbox reaches it BY NAME through cordon's proxy
// (`--resolve registry.test=127.0.0.1`, `--allow-host registry.test:PORT=127.0.0.1`), as it would
// reach registry.npmjs.org; nothing here needs the internet.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { sh } from "./workspace.js";

export const REGISTRY_HOST = "registry.test";

export interface LocalRegistry {
  port: number;
  url: string;
  /** The cordon flags that reach it through the proxy. */
  flags: string[];
  /** Requests served, "GET /path". */
  served: string[];
  close(): Promise<void>;
}

/** packDirs: package directories to `npm pack` and publish (name and version from their package.json). */
export async function localRegistry(packDirs: string[]): Promise<LocalRegistry> {
  const tarballs = new Map<string, Buffer>();
  const packuments = new Map<string, object>();
  const server: Server = createServer((req, res) => {
    served.push(`${req.method} ${req.url}`);
    const url = decodeURIComponent(req.url ?? "/");
    const tgz = tarballs.get(url);
    if (tgz) return res.writeHead(200, { "content-type": "application/octet-stream" }).end(tgz);
    const doc = packuments.get(url.slice(1));
    if (doc) return res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(doc));
    res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
  });
  const served: string[] = [];
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as AddressInfo).port;
  const base = `http://${REGISTRY_HOST}:${port}`;
  for (const dir of packDirs) {
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name: string; version: string; bin?: unknown };
    const file = sh(dir, "npm pack --silent", { npm_config_update_notifier: "false" }).trim().split("\n").pop()!;
    const data = readFileSync(join(dir, file));
    const path = `/${manifest.name}/-/${file}`;
    tarballs.set(path, data);
    packuments.set(manifest.name, {
      name: manifest.name,
      "dist-tags": { latest: manifest.version },
      versions: {
        [manifest.version]: {
          ...manifest,
          dist: {
            tarball: `${base}${path}`,
            shasum: createHash("sha1").update(data).digest("hex"),
            integrity: `sha512-${createHash("sha512").update(data).digest("base64")}`,
          },
        },
      },
    });
  }
  return {
    port,
    url: `${base}/`,
    flags: ["--resolve", `${REGISTRY_HOST}=127.0.0.1`, "--allow-host", `${REGISTRY_HOST}:${port}=127.0.0.1`],
    served,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
