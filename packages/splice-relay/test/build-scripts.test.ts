// The native build and prebuild scripts are one recipe shared by every native @cordon
// package (each package ships its own copy, since its install script runs them).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const here = (f: string) => readFileSync(new URL(`../scripts/${f}`, import.meta.url), "utf8");
const landlockNative = (f: string) => readFileSync(new URL(`../../landlock-native/scripts/${f}`, import.meta.url), "utf8");

describe("native build scripts", () => {
  it.each(["build-native.mjs", "prebuild.mjs"])("%s is the same file as landlock-native's", (f) => {
    expect(here(f)).toBe(landlockNative(f));
  });
});
