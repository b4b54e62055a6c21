import { describe, expect, it } from "vitest";
import { networkFenceFrom } from "../src/commands/network-fence-option.js";

describe("networkFenceFrom", () => {
  it("takes the flag, else CORDON_NETWORK_FENCE; none and empty mean no fence", () => {
    expect(networkFenceFrom("networkpolicy", {})).toBe("networkpolicy");
    expect(networkFenceFrom(undefined, { CORDON_NETWORK_FENCE: "networkpolicy" })).toBe("networkpolicy");
    expect(networkFenceFrom("none", { CORDON_NETWORK_FENCE: "networkpolicy" })).toBeUndefined();
    expect(networkFenceFrom(undefined, { CORDON_NETWORK_FENCE: "" })).toBeUndefined();
    expect(networkFenceFrom(undefined, {})).toBeUndefined();
  });

  it("names the source of a bad value", () => {
    expect(() => networkFenceFrom(undefined, { CORDON_NETWORK_FENCE: "calico" })).toThrow(/CORDON_NETWORK_FENCE: expected "networkpolicy" or "none", got "calico"/);
  });
});
