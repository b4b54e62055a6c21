import { describe, expect, it } from "vitest";
import { parseResolveOption } from "../src/commands/resolve-option.js";

describe("--resolve NAME=ADDR", () => {
  it("builds a hosts map, lowercased, repeatable", () => {
    expect(parseResolveOption(["Api.Test=127.0.0.1", "api.test=[::1]", "b=10.0.0.1"])).toEqual({
      "api.test": ["127.0.0.1", "::1"],
      b: ["10.0.0.1"],
    });
  });

  it.each(["api.test", "=1.2.3.4", "api.test=example.com", "api.test="])("rejects %j with a clear message", (v) => {
    expect(() => parseResolveOption([v])).toThrow(/expected NAME=ADDRESS/);
  });
});
