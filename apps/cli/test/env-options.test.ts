import { describe, expect, it } from "vitest";
import { commandEnvironment, passedNames } from "../src/commands/env-options.js";

describe("--env-clear and --env", () => {
  const base = { PATH: "/usr/bin", HOME: "/h", AWS_SECRET_ACCESS_KEY: "s3cr3t", NPM_TOKEN: "t", LANG: "C.UTF-8" };

  it("inherits everything by default", () => {
    expect(commandEnvironment(base, false)).toEqual(base);
  });

  it("keeps only the basics with --env-clear, plus what --env passes or sets", () => {
    expect(commandEnvironment(base, true, ["NPM_TOKEN", "CI=1", "UNSET_IN_CALLER"])).toEqual({
      PATH: "/usr/bin",
      HOME: "/h",
      LANG: "C.UTF-8",
      NPM_TOKEN: "t",
      CI: "1",
    });
  });

  it("sets values containing '=' whole", () => {
    expect(commandEnvironment({}, true, ["OPTS=a=b"])).toEqual({ OPTS: "a=b" });
  });

  it.each(["1BAD", "", "=x", "A-B=1"])("rejects %j as a usage error", (entry) => {
    expect(() => commandEnvironment(base, false, [entry])).toThrow(/expected NAME or NAME=VALUE/);
  });
});

describe("passedNames", () => {
  it("names every --env entry, NAME and NAME=VALUE alike (each passes even if it looks like a secret)", () => {
    expect(passedNames(["GITHUB_TOKEN", "CI=1", "X=a=b"])).toEqual(["GITHUB_TOKEN", "CI", "X"]);
    expect(passedNames()).toEqual([]);
  });
});
