// @cordon/policy reads which architectures have a seccomp filter from @cordon/landlock-abi;
// the syscall tables that make it true live here.
import { SECCOMP_ARCHES } from "@cordon/landlock-abi";
import { describe, expect, it } from "vitest";
import { SUPPORTED_ARCHES } from "../src/index.js";

describe("seccomp architectures", () => {
  it("are the ones this package has syscall tables for", () => {
    expect([...SUPPORTED_ARCHES].sort()).toEqual([...SECCOMP_ARCHES].sort());
  });
});
