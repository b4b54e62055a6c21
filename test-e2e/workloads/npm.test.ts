// npm as a new user types it: install/ci from a registry reached by name through the proxy and a
// local tarball, `npm run` of node_modules/.bin tools, npx of a tarball, and a monorepo driven
// from a package directory. The matching attacks still fail: the shared ~/.npm cache is not
// written, credentials in the home directory stay unreadable.
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localRegistry, type LocalRegistry } from "./support/registry.js";
import { sh, workspace, type Workspace } from "./support/workspace.js";

let ws: Workspace;
let registry: LocalRegistry;
let app: string;

const ATTACK = `
const fs = require("fs"), os = require("os"), path = require("path");
const tryIt = (what, f) => { try { f(); console.log(what, "DONE"); } catch (e) { console.log(what, e.code); } };
tryIt("read-ssh", () => fs.readFileSync(path.join(os.homedir(), ".ssh/id_ed25519")));
tryIt("poison-npm-cache", () => fs.writeFileSync(path.join(os.homedir(), ".npm/_cacache/poison"), "x"));
`;

beforeAll(async () => {
  ws = workspace("npm");
  const pkgs = join(ws.root, "pkgs");
  ws.write(pkgs, {
    "greet/package.json": JSON.stringify({ name: "greet", version: "1.0.0", bin: { greet: "cli.js" } }),
    "greet/cli.js": '#!/usr/bin/env node\nconsole.log("hello from greet");\n',
    "local-tool/package.json": JSON.stringify({ name: "local-tool", version: "1.0.0", bin: { "local-tool": "cli.js" } }),
    "local-tool/cli.js": '#!/usr/bin/env node\nconsole.log("hello from local-tool");\n',
    "one-off/package.json": JSON.stringify({ name: "one-off", version: "2.0.0", bin: { "one-off": "cli.js" } }),
    "one-off/cli.js": '#!/usr/bin/env node\nconsole.log("one-off ran");\n',
  });
  sh(join(ws.root, "pkgs/greet"), "chmod +x cli.js");
  registry = await localRegistry([join(pkgs, "greet")]);
  app = join(ws.root, "app");
  ws.write(app, {
    "package.json": JSON.stringify({
      name: "app",
      version: "1.0.0",
      private: true,
      dependencies: { greet: "1.0.0", "local-tool": "file:vendor/local-tool-1.0.0.tgz" },
      scripts: { hello: "greet && local-tool", attack: "node attack.js" },
    }),
    ".npmrc": `registry=${registry.url}\n`,
    "attack.js": ATTACK,
  });
  sh(join(pkgs, "local-tool"), `mkdir -p '${app}/vendor' && npm pack --silent --pack-destination '${app}/vendor'`);
  sh(join(pkgs, "one-off"), `npm pack --silent --pack-destination '${app}/vendor'`);
}, 60_000);

afterAll(async () => {
  await registry?.close();
  ws?.cleanup();
});

const userCache = () => readdirSync(join(ws.home, ".npm/_cacache"), { recursive: true }).map(String).sort();

describe("npm in a project, under the defaults", () => {
  it("npm install, then npm ci, through the proxy to a registry reached by name and from a local tarball", async () => {
    const before = userCache();
    const install = await ws.run(["run", ...registry.flags, "--", "npm", "install"], { cwd: app, timeoutMs: 60_000 });
    expect(install.stderr).not.toMatch(/EACCES|ERR!/);
    expect(install.status).toBe(0);
    expect(existsSync(join(app, "package-lock.json"))).toBe(true);
    expect(registry.served.some((r) => r.startsWith("GET /greet/-/greet-1.0.0.tgz"))).toBe(true);
    rmSync(join(app, "node_modules"), { recursive: true, force: true });
    const ci = await ws.run(["run", ...registry.flags, "--", "npm", "ci"], { cwd: app, timeoutMs: 60_000 });
    expect(ci.stderr).not.toMatch(/EACCES|ERR!/);
    expect(ci.status).toBe(0);
    expect(existsSync(join(app, "node_modules/greet/cli.js"))).toBe(true);
    // The user's own cache, shared with builds outside the sandbox, is untouched.
    expect(userCache()).toEqual(before);
  }, 120_000);

  it("npm run executes node_modules/.bin tools of the project", async () => {
    const r = await ws.run(["run", "--", "npm", "run", "hello"], { cwd: app, timeoutMs: 60_000 });
    expect(r.stdout).toContain("hello from greet");
    expect(r.stdout).toContain("hello from local-tool");
    expect(r.status).toBe(0);
  }, 60_000);

  it("npx runs a package from a local tarball", async () => {
    const r = await ws.run(["run", "--", "npx", "--yes", "./vendor/one-off-2.0.0.tgz"], { cwd: app, timeoutMs: 60_000 });
    expect(r.stdout).toContain("one-off ran");
    expect(r.status).toBe(0);
  }, 60_000);

  it("attack: a script cannot read ~/.ssh nor poison the shared ~/.npm cache", async () => {
    const r = await ws.run(["run", "--", "npm", "run", "attack"], { cwd: app, timeoutMs: 60_000 });
    expect(r.stdout).toMatch(/read-ssh (EACCES|ENOENT)/); // ENOENT: masked (an empty tmpfs) in namespace mode
    expect(r.stdout).not.toMatch(/read-ssh DONE/);
    expect(r.stdout).toMatch(/poison-npm-cache (EACCES|EROFS|ENOENT)/);
    expect(existsSync(join(ws.home, ".npm/_cacache/poison"))).toBe(false);
  }, 60_000);
});

describe("a monorepo, run from a package directory", () => {
  let mono: string;
  beforeAll(() => {
    mono = join(ws.root, "mono");
    ws.write(mono, {
      "package.json": JSON.stringify({ name: "mono", private: true, workspaces: ["packages/*"] }),
      "packages/a/package.json": JSON.stringify({ name: "a", version: "1.0.0", dependencies: { b: "1.0.0" } }),
      "packages/a/index.js": 'console.log(require("b"));\n',
      "packages/b/package.json": JSON.stringify({ name: "b", version: "1.0.0", main: "index.js" }),
      "packages/b/index.js": 'module.exports = "b from a sibling package";\n',
    });
    sh(mono, "git init -q && npm install --silent --offline", ws.env);
  });

  it("the project is the workspace root: ../../package.json and sibling packages are readable and writable", async () => {
    const cwd = join(mono, "packages/a");
    const r = await ws.run(
      ["run", "--", "sh", "-c", "cat ../../package.json >/dev/null && node index.js && echo touched > ../b/touched && echo wrote-sibling"],
      { cwd },
    );
    expect(r.stdout).toContain("b from a sibling package");
    expect(r.stdout).toContain("wrote-sibling");
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`project: ${mono}`);
  });

  it("npm ls from packages/a sees the whole project", async () => {
    const r = await ws.run(["run", "--", "npm", "ls", "--all"], { cwd: join(mono, "packages/a"), timeoutMs: 60_000 });
    expect(r.stdout).toMatch(/b@1\.0\.0/);
    expect(r.status).toBe(0);
  }, 60_000);

  it("npm's update check, which the run's fresh cache would repeat every time, is off: no refused registry request to explain", async () => {
    // As a user's shell has it: no CI variable, the notifier not switched off.
    const env = { npm_config_update_notifier: undefined, CI: undefined, CONTINUOUS_INTEGRATION: undefined, BUILD_NUMBER: undefined };
    const r = await ws.run(["run", "--", "npm", "ls"], { cwd: join(mono, "packages/a"), env, timeoutMs: 60_000 });
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/denied registry\.npmjs\.org/);
    const kept = await ws.run(["run", "--", "sh", "-c", "echo notifier=$npm_config_update_notifier"], { cwd: mono, env: { npm_config_update_notifier: "true" } });
    expect(kept.stdout).toContain("notifier=true");
  }, 60_000);

  it("attack: the project root's parent, the other projects beside it, stay unreadable", async () => {
    const r = await ws.run(["run", "--", "sh", "-c", "cat ../../../app/package.json; ls ../../.. "], { cwd: join(mono, "packages/a") });
    expect(r.stderr).toMatch(/Permission denied/);
    expect(r.stdout).not.toContain('"name":"app"');
  });
});
