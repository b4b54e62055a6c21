import { describe, expect, it } from "vitest";
import { abi } from "../src/index.js";

describe("abi()", () => {
  it("reports the running kernel's Landlock ABI", () => {
    expect(abi()).toBeGreaterThanOrEqual(1);
  });
});
