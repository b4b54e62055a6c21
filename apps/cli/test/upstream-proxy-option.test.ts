import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { upstreamProxyFrom } from "../src/commands/upstream-proxy-option.js";
import { commandEnvironment } from "../src/commands/env-options.js";

const dir = mkdtempSync(join(tmpdir(), "cordon-cli-upstream-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe("upstreamProxyFrom", () => {
  it("refuses credentials in --upstream-proxy, saying what to use instead", () => {
    expect(() => upstreamProxyFrom("http://u:p@proxy:3128", undefined, {})).toThrow(/\/proc\/PID\/cmdline.*CORDON_UPSTREAM_PROXY.*--upstream-proxy-auth-file/);
    expect(() => upstreamProxyFrom("http://u@proxy:3128", undefined, {})).toThrow(/refusing credentials/);
  });

  it("takes the flag (without credentials), else the whole URL from CORDON_UPSTREAM_PROXY", () => {
    expect(upstreamProxyFrom("http://proxy:3128", undefined, { CORDON_UPSTREAM_PROXY: "http://a:b@other:1" })).toBe("http://proxy:3128");
    expect(upstreamProxyFrom(undefined, undefined, { CORDON_UPSTREAM_PROXY: "http://a:b@other:1" })).toBe("http://a:b@other:1");
    expect(upstreamProxyFrom(undefined, undefined, { CORDON_UPSTREAM_PROXY: "" })).toBeUndefined();
  });

  it("adds user:password from the auth file, percent-encoded", () => {
    const url = upstreamProxyFrom("http://proxy:3128", file("auth", "build bot:p@ss:w/rd\n"), {});
    const u = new URL(url!);
    expect([decodeURIComponent(u.username), decodeURIComponent(u.password), u.host]).toEqual(["build bot", "p@ss:w/rd", "proxy:3128"]);
    expect(new URL(upstreamProxyFrom(undefined, file("auth2", "a:b"), { CORDON_UPSTREAM_PROXY: "http://env:8080" })!).username).toBe("a");
  });

  it("says clearly what is wrong with an auth file", () => {
    expect(() => upstreamProxyFrom(undefined, file("a3", "a:b"), {})).toThrow(/needs a proxy URL/);
    expect(() => upstreamProxyFrom("http://p:1", file("a4", "nocolon"), {})).toThrow(/one line user:password/);
    expect(() => upstreamProxyFrom("http://p:1", file("a5", "a:b\nc:d\n"), {})).toThrow(/one line user:password/);
    expect(() => upstreamProxyFrom("http://p:1", join(dir, "missing"), {})).toThrow(/ENOENT/);
    expect(() => upstreamProxyFrom(undefined, file("a6", "a:b"), { CORDON_UPSTREAM_PROXY: "http://x:y@p:1" })).toThrow(/already holds credentials/);
    expect(() => upstreamProxyFrom("not a url", undefined, {})).toThrow(/is not a URL/);
  });
});

describe("the command's environment", () => {
  it("never carries CORDON_UPSTREAM_PROXY, not even through --env", () => {
    const base = { CORDON_UPSTREAM_PROXY: "http://a:b@p:1", PATH: "/bin" };
    expect(commandEnvironment(base, false).CORDON_UPSTREAM_PROXY).toBeUndefined();
    expect(commandEnvironment(base, true, ["CORDON_UPSTREAM_PROXY"]).CORDON_UPSTREAM_PROXY).toBeUndefined();
  });
});
