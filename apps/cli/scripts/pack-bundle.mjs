#!/usr/bin/env node
// Packs @cordon/cli into ONE self-contained tarball: the @cordon packages are
// on no registry, so they travel inside it as bundled dependencies (native
// addon and launcher prebuilt for linux x64 and arm64 in prebuilds/, found by
// node-gyp-build; built from source on install only where no prebuild loads).
// CORDON_PREBUILDS=x64,arm64 requires those arches; by default the host's, and
// arm64 when the cross compiler is installed (landlock-native/scripts/install-cross-toolchain.sh). npm counts the dependencies of bundled packages as bundled
// too, so every third-party dependency is installed into the tarball as well:
// installing it needs no registry at all.
//
//   node apps/cli/scripts/pack-bundle.mjs [OUT_DIR]   → OUT_DIR/cordon-cli-<version>.tgz
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const cliDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repo = resolve(cliDir, "../..");
const outDir = resolve(process.argv[2] ?? process.cwd());
const BUNDLED = {
  "@cordon/landlock-abi": join(repo, "packages/landlock-abi"),
  "@cordon/policy": join(repo, "packages/policy"),
  "@cordon/proxy": join(repo, "packages/proxy"),
  "@cordon/landlock-native": join(repo, "packages/landlock-native"),
  "@cordon/splice-relay": join(repo, "packages/splice-relay"),
  "@cordon/sandbox": join(repo, "packages/sandbox"),
};
// The packages with a native part (package.json "cordonNative"), each prebuilt by its own scripts/prebuild.mjs.
const NATIVE = Object.fromEntries(
  Object.entries(BUNDLED)
    .map(([name, dir]) => [name, readJson(join(dir, "package.json")).cordonNative])
    .filter(([, native]) => native !== undefined),
);

const required = process.env.CORDON_PREBUILDS;
for (const name of Object.keys(NATIVE)) {
  const prebuilt = execFileSync(
    process.execPath,
    [join(BUNDLED[name], "scripts/prebuild.mjs"), "--if-stale", "--arch", required ?? [...new Set([process.arch, "x64", "arm64"])].join(","), ...(required ? [] : ["--if-available"])],
    { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
  ).trim();
  process.stderr.write(`pack-bundle: prebuilt ${name} for ${prebuilt.split(" ").join(", ")}\n`);
}

const work = mkdtempSync(join(tmpdir(), "cordon-pack-"));
try {
  const stage = join(work, "package");
  unpack(cliDir, stage);
  const manifest = readJson(join(stage, "package.json"));
  const deps = Object.fromEntries(Object.entries(manifest.dependencies ?? {}).filter(([d]) => !(d in BUNDLED)));
  const packed = {};
  for (const [name, dir] of Object.entries(BUNDLED)) {
    packed[name] = mkdtempSync(join(work, "b-"));
    unpack(dir, join(packed[name], "package"));
    const m = readJson(join(packed[name], "package", "package.json"));
    for (const [d, v] of Object.entries(m.dependencies ?? {})) if (!(d in BUNDLED)) deps[d] ??= v;
  }
  // Third-party dependencies first (npm would prune anything it did not install itself) ...
  writeFileSync(join(stage, "package.json"), `${JSON.stringify({ ...manifest, dependencies: deps, devDependencies: {} }, null, 2)}\n`);
  execFileSync("npm", ["install", "--omit=dev", "--ignore-scripts", "--no-package-lock", "--no-audit", "--no-fund"], { cwd: stage, stdio: ["ignore", "ignore", "inherit"] });
  // ... then the @cordon packages beside them.
  mkdirSync(join(stage, "node_modules", "@cordon"), { recursive: true });
  for (const name of Object.keys(BUNDLED)) {
    renameSync(join(packed[name], "package"), join(stage, "node_modules", name));
    deps[name] = readJson(join(stage, "node_modules", name, "package.json")).version;
  }
  // pnpm pack drops the executable bit; the launchers must keep it.
  for (const [name, { executables = [] }] of Object.entries(NATIVE)) {
    const prebuilds = join(stage, "node_modules", name, "prebuilds");
    for (const tuple of readdirSync(prebuilds)) for (const program of executables) chmodSync(join(prebuilds, tuple, program), 0o755);
  }
  manifest.dependencies = Object.fromEntries(Object.entries(deps).sort(([a], [b]) => a.localeCompare(b)));
  manifest.bundleDependencies = Object.keys(manifest.dependencies);
  delete manifest.devDependencies;
  writeFileSync(join(stage, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  mkdirSync(outDir, { recursive: true });
  const name = execFileSync("npm", ["pack", "--silent", "--pack-destination", outDir], { cwd: stage, encoding: "utf8" }).trim().split("\n").pop();
  process.stdout.write(`${join(outDir, name)}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** `pnpm pack` honours `files` and rewrites workspace: ranges; unpack it into dest. */
function unpack(pkgDir, dest) {
  const tmp = mkdtempSync(join(work, "t-"));
  execFileSync("pnpm", ["pack", "--pack-destination", tmp], { cwd: pkgDir, stdio: ["ignore", "ignore", "inherit"] });
  const tgz = readdirSync(tmp).find((f) => f.endsWith(".tgz"));
  execFileSync("tar", ["-xzf", join(tmp, tgz), "-C", tmp]);
  mkdirSync(dirname(dest), { recursive: true });
  renameSync(join(tmp, "package"), dest);
}

function readJson(file) {
  return JSON.parse(readFileSync(file, "utf8"));
}
