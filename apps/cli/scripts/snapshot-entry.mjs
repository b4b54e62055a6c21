// The script `node --build-snapshot` runs: it compiles the bundle eagerly (--no-lazy while it is
// compiled, so the snapshot keeps the bytecode of every function and a run compiles none of its
// own code: about 10 ms otherwise), then evaluates it. Shared with bench/startup/snapshot-phases.mjs.
export function snapshotEntrySource(bundleFile) {
  return [
    "const v8 = require(\"node:v8\");",
    `const file = ${JSON.stringify(bundleFile)};`,
    "const source = `(function (require, __dirname, __filename) {${require(\"node:fs\").readFileSync(file, \"utf8\")}\\n})`;",
    "v8.setFlagsFromString(\"--no-lazy\");",
    "const wrapped = new (require(\"node:vm\").Script)(source, { filename: file }).runInThisContext();",
    "v8.setFlagsFromString(\"--lazy\");",
    "wrapped(require, require(\"node:path\").dirname(file), file);",
    "",
  ].join("\n");
}
