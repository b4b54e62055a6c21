#!/usr/bin/env node
// Builds the prebuilt native part for publishing: prebuilds/linux-<arch>/ holds the addon
// (<addon>.napi.glibc.node, which node-gyp-build finds) and the executables named in
// package.json "cordonNative", plus build-info.json saying what built them from which sources. An install
// with a prebuild for its arch needs no compiler; any other falls back to the source build.
//
//   node scripts/prebuild.mjs [--arch x64,arm64] [--if-available]
//
// linux-arm64 is cross-compiled on x64 with Debian's aarch64 toolchain
// (scripts/install-cross-toolchain.sh); --if-available skips an arch whose compiler is absent.
// The same file serves every native @cordon package (kept identical; a test checks).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { arch as hostArch, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { addon: addonName, executables = [] } = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")).cordonNative;
const argv = process.argv.slice(2);
const archFlag = argv.indexOf("--arch");
const arches = archFlag >= 0 ? argv[archFlag + 1].split(",") : ["x64", "arm64"];
const ifAvailable = argv.includes("--if-available");
// Keep an arch's prebuild when it was built from the current sources.
const ifStale = argv.includes("--if-stale");

// The compilers for each target, on an x64 or arm64 build machine.
const CROSS = { arm64: "aarch64-linux-gnu-", x64: "x86_64-linux-gnu-" };
const NAPI_VERSION = 8;

function toolchain(target) {
  if (target === hostArch()) return { prefix: "", env: {} };
  const prefix = CROSS[target];
  if (!prefix) throw new Error(`no cross toolchain known for ${target}`);
  const env = { CC: `${prefix}gcc`, CXX: `${prefix}g++`, LINK: `${prefix}g++`, AR: `${prefix}ar` };
  return { prefix, env };
}

function has(cmd) {
  return spawnSync(cmd, ["--version"], { stdio: "ignore" }).status === 0;
}

function firstLine(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  return r.status === 0 ? r.stdout.split("\n")[0].trim() : undefined;
}

/** The newest GLIBC_x.y symbol version a binary needs: the oldest glibc it runs on. */
function glibcNeeded(file) {
  const text = readFileSync(file).toString("latin1");
  const versions = [...text.matchAll(/GLIBC_(\d+)\.(\d+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
  versions.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const v = versions.at(-1);
  return v ? `${v[0]}.${v[1]}` : undefined;
}

function sourcesDigest() {
  const h = createHash("sha256");
  const files = ["binding.gyp", ...readdirSync(join(pkgDir, "native")).sort().map((f) => join("native", f))];
  for (const f of files) h.update(`${f}\n`).update(readFileSync(join(pkgDir, f)));
  return h.digest("hex");
}

const prefix = resolve(process.execPath, "../..");
const baseEnv = { ...process.env };
if (existsSync(join(prefix, "include/node/node_api.h"))) baseEnv.npm_config_nodedir = prefix;
const nodeGyp = createRequire(import.meta.url).resolve("node-gyp/bin/node-gyp.js");
const nodeGypVersion = JSON.parse(readFileSync(join(dirname(nodeGyp), "../package.json"), "utf8")).version;

// Built in a scratch copy: the package's own build/ (which running tests use) is never touched.
const scratch = mkdtempSync(join(tmpdir(), "cordon-prebuild-"));
const built = [];
try {
  cpSync(join(pkgDir, "binding.gyp"), join(scratch, "binding.gyp"));
  cpSync(join(pkgDir, "native"), join(scratch, "native"), { recursive: true });
  symlinkSync(join(pkgDir, "node_modules"), join(scratch, "node_modules"));
  for (const target of arches) buildFor(target);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
process.stdout.write(`${built.join(" ")}\n`);

function buildFor(target) {
  const out = join(pkgDir, "prebuilds", `linux-${target}`);
  if (ifStale && upToDate(out)) {
    built.push(`linux-${target}`);
    return;
  }
  const { prefix: tp, env } = toolchain(target);
  if (tp && !has(`${tp}gcc`)) {
    const hint = `no ${tp}gcc: run packages/landlock-native/scripts/install-cross-toolchain.sh`;
    if (ifAvailable) {
      process.stderr.write(`prebuild: skipping linux-${target} (${hint})\n`);
      return;
    }
    throw new Error(hint);
  }
  const r = spawnSync(process.execPath, [nodeGyp, "rebuild", "-j", "max", `--arch=${target}`], {
    cwd: scratch,
    env: { ...baseEnv, ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  if (r.status !== 0) throw new Error(`node-gyp rebuild for ${target} failed (exit ${r.status})`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const addon = join(out, `${addonName}.napi.glibc.node`);
  copyFileSync(join(scratch, `build/Release/${addonName}.node`), addon);
  const programs = executables.map((e) => join(out, e));
  for (const program of programs) {
    copyFileSync(join(scratch, "build/Release", program.slice(out.length + 1)), program);
    chmodSync(program, 0o755);
  }
  const info = {
    platform: "linux",
    arch: target,
    libc: "glibc",
    napiVersion: NAPI_VERSION,
    glibcAtLeast: [addon, ...programs]
      .map(glibcNeeded)
      .filter(Boolean)
      .sort((a, b) => a.split(".")[1] - b.split(".")[1])
      .at(-1),
    compiler: firstLine(`${tp}gcc`, ["--version"]),
    cross: tp !== "",
    nodeGyp: nodeGypVersion,
    nodeHeaders: process.version,
    sourcesSha256: sourcesDigest(),
    files: Object.fromEntries(
      [addon, ...programs].map((f) => [f.slice(out.length + 1), createHash("sha256").update(readFileSync(f)).digest("hex")]),
    ),
  };
  writeFileSync(join(out, "build-info.json"), `${JSON.stringify(info, null, 2)}\n`);
  check(target, addon, programs[0]);
  built.push(`linux-${target}`);
}
function upToDate(out) {
  try {
    const info = JSON.parse(readFileSync(join(out, "build-info.json"), "utf8"));
    return info.sourcesSha256 === sourcesDigest() && Object.keys(info.files).every((f) => existsSync(join(out, f)));
  } catch {
    return false;
  }
}

/**
 * What can be checked here: the ELF machine of every file; on the host arch, the addon loads
 * and the first executable (a launcher taking `-- CMD`) runs a command; on another arch, it runs
 * under qemu-user when installed (qemu-user implements no Landlock syscalls: restricting is not
 * checked there).
 */
function check(target, addon, launcher) {
  const machine = { x64: "x86-64", arm64: "ARM aarch64" }[target];
  for (const f of [addon, launcher].filter(Boolean)) {
    const desc = firstLine("file", ["-b", f]);
    if (desc !== undefined && !desc.includes(machine)) throw new Error(`${f} is not ${machine}: ${desc}`);
  }
  if (target === hostArch()) {
    createRequire(import.meta.url)(addon);
    if (launcher === undefined) return;
    const r = spawnSync(launcher, ["--", "true"]);
    if (r.status !== 0) throw new Error(`the ${target} launcher could not run true (exit ${r.status})`);
    return;
  }
  if (launcher === undefined) return;
  const qemu = { arm64: "qemu-aarch64", x64: "qemu-x86_64" }[target];
  const sysroot = `/usr/${CROSS[target].slice(0, -1)}`;
  if (!has(qemu) || !existsSync(sysroot)) {
    process.stderr.write(`prebuild: linux-${target} checked by ELF header only (no ${qemu}: install-cross-toolchain.sh --with-qemu)\n`);
    return;
  }
  const r = spawnSync(qemu, ["-L", sysroot, launcher, "--", "true"]);
  if (r.status !== 0) throw new Error(`the ${target} launcher under ${qemu} could not run true (exit ${r.status})`);
  process.stderr.write(`prebuild: linux-${target} launcher ran under ${qemu}\n`);
}

