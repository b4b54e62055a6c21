import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ABI_OVERRIDE_ENV, FS, LandlockError, NET, SCOPE, abiMasks, createRuleset, type Ruleset } from "../src/index.js";
import { ALL_FS, baseRuleset, probe, tempDir } from "./helpers.js";

afterEach(() => {
  delete process.env[ABI_OVERRIDE_ENV];
});

/** Runs fn and returns the LandlockError it threw. */
function landlockError(fn: () => unknown): LandlockError {
  try {
    fn();
  } catch (e) {
    if (e instanceof LandlockError) return e;
    throw e;
  }
  throw new Error("expected a LandlockError, nothing was thrown");
}

function withRuleset<T>(rs: Ruleset, fn: (rs: Ruleset) => T): T {
  try {
    return fn(rs);
  } finally {
    rs.close();
  }
}

describe("createRuleset()", () => {
  it("returns a close-on-exec ruleset fd", () => {
    withRuleset(createRuleset({ fs: ALL_FS, net: NET.CONNECT_TCP, scoped: SCOPE.SIGNAL }), (rs) => {
      expect(rs.fd).toBeGreaterThan(2);
      const flags = /flags:\s+(\d+)/.exec(readFileSync(`/proc/self/fdinfo/${rs.fd}`, "utf8"))?.[1];
      expect(Number.parseInt(flags ?? "0", 8) & 0o2000000).toBe(0o2000000); // O_CLOEXEC
    });
  });

  it("fails with the kernel's EINVAL for an unknown right", () => {
    const e = landlockError(() => createRuleset({ fs: 1 << 30 }));
    expect(e).toMatchObject({ code: "EINVAL", errno: 22, syscall: "landlock_create_ruleset" });
    expect(landlockError(() => createRuleset({ fs: FS.READ_FILE, net: 1 << 20 })).code).toBe("EINVAL");
    expect(landlockError(() => createRuleset({ fs: 0, scoped: 1 << 5 })).code).toBe("EINVAL");
  });

  it("fails with ENOMSG when nothing is handled", () => {
    const e = landlockError(() => createRuleset({ fs: 0 }));
    expect(e.code).toBe("ENOMSG");
    expect(e.message).toBe("ENOMSG: landlock_create_ruleset: no message of desired type");
  });

  it("rejects non-integer masks before calling the kernel", () => {
    const e = landlockError(() => createRuleset({ fs: -1 }));
    expect(e.code).toBe("EINVAL");
    expect(e.message).toContain("fs must be a non-negative integer");
    expect(landlockError(() => createRuleset({ fs: 1.5 })).code).toBe("EINVAL");
  });
});

describe("Ruleset.addPath()", () => {
  it("names the path and label of a missing path", () => {
    withRuleset(createRuleset({ fs: ALL_FS }), (rs) => {
      const e = landlockError(() => rs.addPath("/opt/cordon-missing", FS.READ_FILE, "read_only"));
      expect(e).toMatchObject({ code: "ENOENT", syscall: "open", path: "/opt/cordon-missing", label: "read_only" });
      expect(e.message).toBe("ENOENT: /opt/cordon-missing (read_only rule): no such file or directory");
    });
  });

  it("fails with ENOMSG for zero access and EINVAL for unhandled rights", () => {
    withRuleset(createRuleset({ fs: FS.READ_FILE }), (rs) => {
      expect(landlockError(() => rs.addPath("/usr", 0)).code).toBe("ENOMSG");
      const e = landlockError(() => rs.addPath("/usr", FS.WRITE_FILE));
      expect(e).toMatchObject({ code: "EINVAL", syscall: "landlock_add_rule", path: "/usr" });
    });
  });

  it("fails with EINVAL for a directory right on a file", () => {
    const file = join(tempDir(), "f");
    writeFileSync(file, "x");
    withRuleset(createRuleset({ fs: ALL_FS }), (rs) => {
      rs.addPath(file, FS.READ_FILE | FS.WRITE_FILE | FS.TRUNCATE);
      expect(landlockError(() => rs.addPath(file, FS.READ_DIR)).code).toBe("EINVAL");
    });
  });

  it("rejects a path rule on a ruleset that handles no filesystem rights", () => {
    withRuleset(createRuleset({ fs: 0, net: NET.CONNECT_TCP }), (rs) => {
      expect(landlockError(() => rs.addPath("/usr", FS.READ_FILE)).code).toBe("EINVAL");
    });
  });

  it("fails with EBADF once closed; close() is idempotent", () => {
    const rs = createRuleset({ fs: ALL_FS });
    rs.close();
    rs.close();
    expect(rs.fd).toBe(-1);
    const e = landlockError(() => rs.addPath("/usr", FS.READ_FILE));
    expect(e.code).toBe("EBADF");
    expect(e.message).toContain("closed");
  });
});

describe("Ruleset.addPort()", () => {
  it("accepts 0 and 65535 and rejects 65536 with the kernel's EINVAL", () => {
    withRuleset(createRuleset({ fs: 0, net: NET.CONNECT_TCP | NET.BIND_TCP }), (rs) => {
      rs.addPort(0, NET.BIND_TCP);
      rs.addPort(65535, NET.CONNECT_TCP);
      const e = landlockError(() => rs.addPort(65536, NET.CONNECT_TCP));
      expect(e).toMatchObject({ code: "EINVAL", port: 65536, syscall: "landlock_add_rule" });
      expect(e.message).toBe("EINVAL: port 65536: invalid argument");
      expect(landlockError(() => rs.addPort(-1, NET.CONNECT_TCP)).code).toBe("EINVAL");
    });
  });

  it("fails with ENOMSG for zero access and EINVAL for an unhandled right", () => {
    withRuleset(createRuleset({ fs: 0, net: NET.CONNECT_TCP }), (rs) => {
      expect(landlockError(() => rs.addPort(80, 0)).code).toBe("ENOMSG");
      expect(landlockError(() => rs.addPort(80, NET.BIND_TCP)).code).toBe("EINVAL");
    });
    withRuleset(createRuleset({ fs: FS.READ_FILE }), (rs) => {
      expect(landlockError(() => rs.addPort(80, NET.CONNECT_TCP)).code).toBe("EINVAL");
    });
  });
});

describe("CORDON_LANDLOCK_ABI_MAX emulates older kernels", () => {
  it("ABI 0 fails like a kernel without Landlock (ENOSYS)", () => {
    const rs = createRuleset({ fs: FS.READ_FILE });
    process.env[ABI_OVERRIDE_ENV] = "0";
    try {
      const e = landlockError(() => createRuleset({ fs: FS.READ_FILE }));
      expect(e.code).toBe("ENOSYS");
      expect(e.message).toContain("emulating Landlock ABI 0");
      expect(landlockError(() => rs.addPath("/usr", FS.READ_FILE)).code).toBe("ENOSYS");
    } finally {
      rs.close();
    }
  });

  // For every older ABI: its own masks are accepted; the next ABI's extra bits
  // are EINVAL; a struct field it does not know yet (net < 4, scoped < 6) is E2BIG.
  it.each([1, 2, 3, 4, 5, 6])("ABI %i accepts exactly its own rights", (n) => {
    process.env[ABI_OVERRIDE_ENV] = String(n);
    const own = abiMasks(n);
    const next = abiMasks(n + 1);
    createRuleset({ fs: own.fs, net: own.net, scoped: own.scoped }).close();
    if (next.fs !== own.fs) expect(landlockError(() => createRuleset({ fs: next.fs })).code).toBe("EINVAL");
    if (n < 4) expect(landlockError(() => createRuleset({ fs: own.fs, net: NET.CONNECT_TCP })).code).toBe("E2BIG");
    else if (next.net !== own.net) expect(landlockError(() => createRuleset({ fs: own.fs, net: next.net })).code).toBe("EINVAL");
    if (n < 6) expect(landlockError(() => createRuleset({ fs: own.fs, scoped: SCOPE.SIGNAL })).code).toBe("E2BIG");
  });

  it("net rights: E2BIG in the ruleset and EINVAL as a rule below ABI 4", () => {
    const rs = createRuleset({ fs: 0, net: NET.CONNECT_TCP });
    process.env[ABI_OVERRIDE_ENV] = "3";
    try {
      expect(landlockError(() => createRuleset({ fs: FS.READ_FILE, net: NET.CONNECT_TCP })).code).toBe("E2BIG");
      expect(landlockError(() => rs.addPort(443, NET.CONNECT_TCP)).code).toBe("EINVAL");
      process.env[ABI_OVERRIDE_ENV] = "4";
      rs.addPort(443, NET.CONNECT_TCP);
    } finally {
      rs.close();
    }
  });

  it("scopes are E2BIG below ABI 6; TRUNCATE is EINVAL below ABI 3; REFER below ABI 2", () => {
    process.env[ABI_OVERRIDE_ENV] = "5";
    expect(landlockError(() => createRuleset({ fs: FS.READ_FILE, scoped: SCOPE.SIGNAL })).code).toBe("E2BIG");
    process.env[ABI_OVERRIDE_ENV] = "2";
    expect(landlockError(() => createRuleset({ fs: FS.TRUNCATE })).code).toBe("EINVAL");
    process.env[ABI_OVERRIDE_ENV] = "1";
    expect(landlockError(() => createRuleset({ fs: FS.REFER })).code).toBe("EINVAL");
  });

  it("an emulated ruleset still enforces through the real kernel", async () => {
    process.env[ABI_OVERRIDE_ENV] = "3";
    const dir = tempDir();
    const file = join(dir, "secret");
    writeFileSync(file, "x");
    const rs = baseRuleset({ fs: abiMasks(3).fs });
    try {
      expect(await probe(rs, "read", file)).toBe("EACCES");
    } finally {
      rs.close();
    }
  });
});
