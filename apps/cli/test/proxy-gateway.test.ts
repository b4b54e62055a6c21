// `cordon proxy --gateway` flag handling, on the built CLI: bad input is a clear usage error.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const BIN = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
let dir: string;
const proxy = (args: string[]) => spawnSync(process.execPath, [BIN, "proxy", "--gateway", ...args], { encoding: "utf8", timeout: 20_000 });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cordon-gw-flags-"));
  writeFileSync(join(dir, "file"), "");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("cordon proxy --gateway", () => {
  it.each([
    [[], /--gateway needs --policies DIR/],
    [["--policies", "/nonexistent-cordon"], /--policies \/nonexistent-cordon: no such directory/],
    [["--policies", "FILE", "--credentials", "FILE"], /not a directory/],
    [["--policies", "DIR", "--credentials", "DIR", "--allow-host", "example.com"], /takes each workload's policy from --policies, not --allow-host/],
    [["--policies", "DIR", "--credentials", "DIR", "--port", "70000"], /--port must be a port number/],
    [["--policies", "DIR", "--credentials", "DIR", "--drain-seconds", "-1"], /--drain-seconds must be a non-negative number/],
  ])("refuses %j with exit 2", (args, message) => {
    const r = proxy((args as string[]).map((a) => (a === "DIR" ? dir : a === "FILE" ? join(dir, "file") : a)));
    expect(r.stderr).toMatch(message);
    expect(r.status).toBe(2);
  });
});
