import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { injectHeaders, injectQuery, SecretScrubber, secretForms } from "../src/inspect/credentials.js";

const cred = { name: "t", secret: "s3cr3t/value", placeholder: "PLACEHOLDER", header: "Authorization", prefix: "Bearer " };

async function scrub(chunks: string[], forms = secretForms([cred])): Promise<string> {
  let out = "";
  for await (const c of Readable.from(chunks.map((s) => Buffer.from(s))).pipe(new SecretScrubber(forms))) out += c.toString();
  return out;
}

describe("credential injection and scrubbing", () => {
  it("sets the header whatever the client sent, once", () => {
    expect(injectHeaders(["authorization", "Bearer PLACEHOLDER", "Accept", "*/*", "AUTHORIZATION", "x"], [cred])).toEqual(["Accept", "*/*", "Authorization", "Bearer s3cr3t/value"]);
    expect(injectHeaders([], [{ name: "b", secret: "pw", basic: "me" }])).toEqual(["Authorization", `Basic ${Buffer.from("me:pw").toString("base64")}`]);
  });

  it("sets a query parameter without touching the path the rules judged", () => {
    const q = { name: "q", secret: "k&y", query: "key" };
    expect(injectQuery("//a/../b?key=PH&x=1", [q])).toBe("//a/../b?key=k%26y&x=1");
    expect(injectQuery("/p", [q], true)).toBe("/p");
    expect(injectQuery("/p?key=PH", [q], true)).toBe("/p?key=REDACTED");
  });

  it("replaces the secret in a body, split across chunks, URL-encoded too", async () => {
    expect(await scrub(["a s3cr", "3t/va", "lue b ", "s3cr3t%2Fvalue", " c"])).toBe("a PLACEHOLDER b PLACEHOLDER c");
    expect(await scrub(["no secret here"])).toBe("no secret here");
    expect(await scrub(["s", "3", "c", "r", "3", "t", "/", "v", "a", "l", "u", "e"])).toBe("PLACEHOLDER");
  });
});
