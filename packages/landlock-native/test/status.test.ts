import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  ABI_OVERRIDE_ENV,
  LandlockError,
  NEWEST_KNOWN_ABI,
  abi,
  abiMasks,
  errata,
  errnoName,
  launcherPath,
  status,
} from "../src/index.js";
import { unavailableReason } from "../src/status.js";
import { buildDir, probePath } from "./helpers.js";

afterEach(() => {
  delete process.env[ABI_OVERRIDE_ENV];
});

describe("status()", () => {
  it("reports the kernel's ABI and errata from the real queries", () => {
    const s = status();
    expect(s.available).toBe(true);
    expect(s.kernelAbi).toBeGreaterThanOrEqual(1);
    expect(s.abi).toBe(s.kernelAbi);
    expect(abi()).toBe(s.kernelAbi);
    expect(errata()).toBe(s.errata);
    expect(s.override).toBeUndefined();
    expect(s.reason).toBeUndefined();
    // The reference machine (Linux 6.18) reports ABI 7 with errata 1-3 fixed.
    if (s.kernelAbi === 7) expect(s.errata).toBe(0x7);
  });

  it("caps the ABI with CORDON_LANDLOCK_ABI_MAX, read at call time", () => {
    process.env[ABI_OVERRIDE_ENV] = "3";
    expect(status()).toMatchObject({ available: true, abi: 3, override: 3 });
    expect(abi()).toBe(3);
    process.env[ABI_OVERRIDE_ENV] = "99";
    expect(abi()).toBe(status().kernelAbi);
  });

  it("treats an override of 0 as no Landlock, with reason OVERRIDE", () => {
    process.env[ABI_OVERRIDE_ENV] = "0";
    const s = status();
    expect(s).toMatchObject({ available: false, abi: 0, override: 0 });
    expect(s.kernelAbi).toBeGreaterThanOrEqual(1);
    expect(s.reason?.code).toBe("OVERRIDE");
    expect(s.reason?.message).toContain(ABI_OVERRIDE_ENV);
  });

  it.each(["abc", "-1", "2.5", "0x3", " 3"])("rejects the override value %j with a clear error", (value) => {
    process.env[ABI_OVERRIDE_ENV] = value;
    let error: unknown;
    try {
      status();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LandlockError);
    expect((error as LandlockError).code).toBe("EINVAL");
    expect((error as LandlockError).message).toContain(`${ABI_OVERRIDE_ENV}='${value}'`);
  });
});

describe("abiMasks()", () => {
  it("matches the ABI table", () => {
    expect(abiMasks(0)).toEqual({ fs: 0, net: 0, scoped: 0, restrictFlags: 0 });
    expect(abiMasks(1)).toEqual({ fs: 0x1fff, net: 0, scoped: 0, restrictFlags: 0 });
    expect(abiMasks(3).fs).toBe(0x7fff);
    expect(abiMasks(4)).toEqual({ fs: 0x7fff, net: 0x3, scoped: 0, restrictFlags: 0 });
    expect(abiMasks(6)).toEqual({ fs: 0xffff, net: 0x3, scoped: 0x3, restrictFlags: 0 });
    expect(abiMasks(7).restrictFlags).toBe(0x7);
    expect(abiMasks(8).restrictFlags).toBe(0xf);
    expect(abiMasks(9).fs).toBe(0x1ffff);
    expect(abiMasks(10).net).toBe(0xf);
    expect(abiMasks(11).restrictFlags).toBe(0x1f);
  });

  it("treats an ABI newer than known as the newest known, and rejects nonsense", () => {
    expect(abiMasks(NEWEST_KNOWN_ABI + 5)).toEqual(abiMasks(NEWEST_KNOWN_ABI));
    expect(() => abiMasks(-1)).toThrow(RangeError);
    expect(() => abiMasks(1.5)).toThrow(RangeError);
  });

  it("grows monotonically: each ABI accepts everything the previous one did", () => {
    for (let n = 1; n <= NEWEST_KNOWN_ABI; n++) {
      const prev = abiMasks(n - 1);
      const cur = abiMasks(n);
      for (const k of ["fs", "net", "scoped", "restrictFlags"] as const) expect(cur[k] & prev[k]).toBe(prev[k]);
    }
  });
});

describe("when the kernel refuses Landlock", () => {
  // A seccomp filter makes the syscalls fail exactly as a kernel without
  // Landlock (ENOSYS), or a container blocking it (EPERM), would.
  it.each(["ENOSYS", "EPERM", "EOPNOTSUPP"])("the addon reports the kernel's %s, which status() explains", (code) => {
    const loadAddon = `const b = require(${JSON.stringify(join(buildDir, "cordon_landlock.node"))});`;
    const out = execFileSync(probePath, ["deny-landlock", code, process.execPath, "-e", `${loadAddon} console.log(b.query(1))`], {
      encoding: "utf8",
    });
    const errno = -Number(out.trim());
    expect(errnoName(errno)).toBe(code);
    const reason = unavailableReason(errno);
    expect(reason.code).toBe(code);
    expect(reason.message).toMatch({ ENOSYS: /built without Landlock/, EPERM: /seccomp/, EOPNOTSUPP: /lsm=/ }[code] as RegExp);
  });

  it("the launcher fails closed (125) instead of running unconfined", () => {
    let status = 0;
    let stderr = "";
    try {
      execFileSync(probePath, ["deny-landlock", "ENOSYS", launcherPath, "--ruleset-fd", "0", "--", probePath, "noop"], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      });
    } catch (e) {
      status = (e as { status: number }).status;
      stderr = (e as { stderr: string }).stderr;
    }
    expect(status).toBe(125);
    expect(stderr).toContain("Function not implemented (kernel built without Landlock)");
  });
});
