import { describe, expect, it } from "vitest";
import { FS, FS_FILE_RIGHTS, LANDLOCK_ABI, NET, NEWEST_KNOWN_ABI, RESTRICT, SCOPE, abiCapabilities } from "../src/index.js";

const all = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a | b, 0);

describe("the ABI table", () => {
  it("only grows: every ABI keeps what the previous one had", () => {
    for (let abi = 1; abi <= NEWEST_KNOWN_ABI; abi++) {
      const [prev, cur] = [LANDLOCK_ABI[abi - 1]!, LANDLOCK_ABI[abi]!];
      for (const field of ["fs", "net", "scoped", "restrictFlags", "addRuleFlags"] as const) {
        expect(cur[field] & prev[field], `${field} at ABI ${abi}`).toBe(prev[field]);
      }
      expect(cur.attrSize).toBeGreaterThanOrEqual(prev.attrSize);
    }
  });

  it("ends with every right, scope and flag this package names", () => {
    const newest = LANDLOCK_ABI[NEWEST_KNOWN_ABI]!;
    expect(newest.fs).toBe(all(FS));
    expect(newest.net).toBe(all(NET));
    expect(newest.scoped).toBe(all(SCOPE));
    expect(newest.restrictFlags).toBe(all(RESTRICT));
  });

  it("places each feature at the ABI the kernel added it (landlock.md §1)", () => {
    expect(abiCapabilities(1).fs & FS.REFER).toBe(0);
    expect(abiCapabilities(2).fs & FS.REFER).toBe(FS.REFER);
    expect(abiCapabilities(3).fs & FS.TRUNCATE).toBe(FS.TRUNCATE);
    expect(abiCapabilities(3).net).toBe(0);
    expect(abiCapabilities(4).net).toBe(NET.BIND_TCP | NET.CONNECT_TCP);
    expect(abiCapabilities(5).fs & FS.IOCTL_DEV).toBe(FS.IOCTL_DEV);
    expect(abiCapabilities(6).scoped).toBe(SCOPE.ABSTRACT_UNIX_SOCKET | SCOPE.SIGNAL);
    expect(abiCapabilities(8).restrictFlags & RESTRICT.TSYNC).toBe(RESTRICT.TSYNC);
    expect(abiCapabilities(9).fs & FS.RESOLVE_UNIX).toBe(FS.RESOLVE_UNIX);
    expect(abiCapabilities(10).net & NET.CONNECT_SEND_UDP).toBe(NET.CONNECT_SEND_UDP);
    expect(FS_FILE_RIGHTS).toBe(0x1c007);
  });

  it("treats no Landlock as ABI 0 and a newer kernel as the newest known", () => {
    expect(abiCapabilities(0).fs).toBe(0);
    expect(abiCapabilities(-1).abi).toBe(0);
    expect(abiCapabilities(2.5).abi).toBe(0);
    expect(abiCapabilities(99).abi).toBe(NEWEST_KNOWN_ABI);
  });
});
