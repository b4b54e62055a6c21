#!/usr/bin/env node
// Builds the start-up snapshot of `cordon run` (bin/cordon uses it when it fits):
//   1. bundle dist/snapshot-main.js and the @cordon packages it imports into ONE
//      CommonJS script (a snapshot entry may require built-in modules only);
//   2. `node --snapshot-blob dist/snapshot/run.blob --build-snapshot` it, in place:
//      module-level paths (import.meta.url) are those of this directory, so the
//      stamp names the directory and the node binary the blob belongs to.
// Packages the run path imports statically are bundled (evaluated into the snapshot);
// those it loads on first use (yaml, zod, ipaddr.js, undici, node-gyp-build) and the
// addon are not: they load at run time, when needed.
//
//   node scripts/build-snapshot.mjs            bundle + blob (the build does this)
//   node scripts/build-snapshot.mjs --postinstall   blob only, from the shipped bundle, in an
//                                                   install (a clone's build makes its own)
// Never fails the build: without a blob, bin/cordon runs the plain CLI.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { snapshotEntrySource } from "./snapshot-entry.mjs";

const cliDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(cliDir, "dist", "snapshot");
const bundle = join(outDir, "run.cjs");
const blob = join(outDir, "run.blob");
const stamp = join(outDir, "run.stamp");
// Built-in modules whose native state a Node 20 snapshot cannot hold: loaded when the blob starts.
const DEFERRED = ["http", "https", "tls", "http2"];
// import("pkg") of a package (not a relative file, which is bundled).
const DYNAMIC_IMPORT = /\bimport\((["'])([^"'./][^"']*)\1\)/;

const postinstall = process.argv.includes("--postinstall");
try {
  if (postinstall && (existsSync(join(cliDir, "src")) || !existsSync(bundle))) process.exit(0);
  if (!postinstall) await bundleRunPath();
  buildBlob();
} catch (e) {
  rmSync(blob, { force: true });
  rmSync(stamp, { force: true });
  process.stderr.write(`cordon: no start-up snapshot (the plain CLI runs instead): ${e?.message ?? e}\n`);
}

async function bundleRunPath() {
  const esbuild = await import(createRequire(join(cliDir, "package.json")).resolve("esbuild"));
  mkdirSync(outDir, { recursive: true });
  await esbuild.build({
    entryPoints: [join(cliDir, "dist", "snapshot-main.js")],
    outfile: bundle,
    bundle: true,
    format: "cjs",
    platform: "node",
    target: "node20",
    packages: "bundle",
    external: ["yaml", "zod", "ipaddr.js", "node-gyp-build", "undici", "yargs"],
    banner: { js: "const __cordonUrl = (rel) => require(\"node:url\").pathToFileURL(require(\"node:path\").resolve(__dirname, rel)).href;" },
    logLevel: "warning",
    plugins: [metaUrlPlugin(), deferredBuiltinsPlugin()],
  });
}

/**
 * import.meta.url of each bundled file, as seen from this package: the CLI's own
 * files, or node_modules/@cordon/<pkg>/... (all of them direct dependencies),
 * the same relative path in a clone (pnpm links) and in an npm install.
 */
function metaUrlPlugin() {
  return {
    name: "cordon-meta-url",
    setup(build) {
      build.onLoad({ filter: /\.js$/ }, async (args) => {
        const { readFile } = await import("node:fs/promises");
        const text = await readFile(args.path, "utf8");
        if (!text.includes("import.meta.url") && !DYNAMIC_IMPORT.test(text)) return undefined;
        const root = packageRoot(args.path);
        const name = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).name;
        const rel = relative(outDir, join(cliDir, root === cliDir ? "" : join("node_modules", name), relative(root, args.path)));
        const url = `__cordonUrl(${JSON.stringify(rel)})`;
        // A Node 20 snapshot has no dynamic-import callback: import("undici") (the proxy's plain-HTTP
        // forwarding, TLS inspection) rejects with ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING. A package
        // imported on first use is required instead, resolved from the importing file as before.
        // (@cordon packages, ESM only, stay import()s: esbuild bundles them, like @cordon/splice-relay.)
        const contents = text
          .replaceAll("import.meta.url", url)
          .replace(new RegExp(DYNAMIC_IMPORT.source, "g"), (m, _q, id) => (id.startsWith("@cordon/") ? m : `Promise.resolve().then(() => require("node:module").createRequire(${url})(${JSON.stringify(id)}))`));
        return { contents, loader: "js", resolveDir: dirname(args.path) };
      });
    },
  };
}

/** node:http and friends as live bindings filled in when the blob starts (see snapshot-main.ts). */
function deferredBuiltinsPlugin() {
  const re = new RegExp(`^(node:)?(${DEFERRED.join("|")})$`);
  return {
    name: "cordon-deferred-builtins",
    setup(build) {
      build.onResolve({ filter: re }, (args) => ({ path: args.path.replace(/^node:/, ""), namespace: "deferred" }));
      build.onLoad({ filter: /.*/, namespace: "deferred" }, async (args) => {
        const keys = Object.keys(await import(`node:${args.path}`)).filter((k) => k !== "default" && /^[A-Za-z_$][\w$]*$/.test(k));
        const lines = [
          `let d_default${keys.map((k) => `, d_${k}`).join("")};`,
          `export { d_default as default${keys.map((k) => `, d_${k} as ${k}`).join("")} };`,
          `((globalThis[Symbol.for("cordon.deferred")] ??= [])).push(() => {`,
          `  const m = process.getBuiltinModule("node:${args.path}");`,
          `  d_default = m;${keys.map((k) => ` d_${k} = m.${k};`).join("")}`,
          `});`,
        ];
        return { contents: lines.join("\n"), loader: "js" };
      });
    },
  };
}

function packageRoot(file) {
  let dir = dirname(file);
  while (!existsSync(join(dir, "package.json"))) {
    if (dirname(dir) === dir) throw new Error(`no package.json above ${file}`);
    dir = dirname(dir);
  }
  return dir;
}

function buildBlob() {
  if (!existsSync(bundle)) throw new Error(`${relative(cliDir, bundle)} is missing`);
  rmSync(stamp, { force: true });
  const entry = join(outDir, "run-entry.cjs");
  writeFileSync(entry, snapshotEntrySource(bundle));
  execFileSync(process.execPath, ["--snapshot-blob", blob, "--build-snapshot", entry], {
    cwd: outDir,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, NODE_OPTIONS: "", CORDON_SNAPSHOT_CLI_DIR: cliDir },
  });
  // bin/cordon compares these without starting anything: the directory, and the node it finds on PATH.
  writeFileSync(stamp, `${realpathSync(cliDir)}\n${realpathSync(process.execPath)}\n`);
}
