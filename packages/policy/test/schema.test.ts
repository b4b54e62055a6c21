import { describe, expect, it } from "vitest";
import { KNOWN_KEYS, policyFileSchema } from "../src/schema.js";

describe("the file schema", () => {
  it("suggests exactly the keys the schema accepts", () => {
    const shape = policyFileSchema().shape;
    expect(KNOWN_KEYS[""]).toEqual(Object.keys(shape));
    for (const section of ["filesystem", "network", "scopes"] as const) {
      const inner = (shape[section] as unknown as { def: { innerType: { shape: object } } }).def.innerType.shape;
      expect(KNOWN_KEYS[section]).toEqual(Object.keys(inner));
    }
  });
});

describe("cordon-policy.schema.json", () => {
  it("is the schema the package exports (regenerate: node scripts/write-schema.mjs after a build)", async () => {
    const { readFileSync } = await import("node:fs");
    const { policySchema } = await import("../src/index.js");
    const committed = JSON.parse(readFileSync(new URL("../cordon-policy.schema.json", import.meta.url), "utf8"));
    expect(committed).toEqual(policySchema());
  });
});
