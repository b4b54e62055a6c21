import { describe, expect, it } from "vitest";
import { childEnv } from "../src/child-env.js";

describe("childEnv", () => {
  const base = { PATH: "/usr/bin", HTTP_PROXY: "http://evil:1", no_proxy: "*", HOME: "/h" };

  it("points every proxy variable at the sandbox proxy and replaces the caller's", () => {
    const env = childEnv({ base, mode: "platform", proxyUrl: "http://cordon:t@127.0.0.1:3128", tmpdir: "/tmp/cordon-1-x" });
    for (const k of ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"]) {
      expect(env[k]).toBe("http://cordon:t@127.0.0.1:3128");
    }
    expect(env.no_proxy).toBe("localhost,127.0.0.1,::1");
    expect(env.NODE_USE_ENV_PROXY).toBe("1");
    expect(env.TMPDIR).toBe("/tmp/cordon-1-x");
    expect(env.PATH).toBe("/usr/bin");
  });

  it("removes inherited proxy variables when there is no proxy", () => {
    const env = childEnv({ base, mode: "none", tmpdir: "/t" });
    expect(env.HTTP_PROXY).toBeUndefined();
    expect(env.no_proxy).toBeUndefined();
    expect(env.NODE_USE_ENV_PROXY).toBeUndefined();
  });
});
