// Filesystem escapes: everything outside the read-only system dirs and the one
// writable dir is denied by Landlock (EACCES, or EXDEV for link/rename that
// would move a file across the domain's rights). Each case checks the file
// outside afterwards.
import { closeSync, existsSync, openSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { attempt, effectiveAbi, probePath, runSandboxed, tempDir, type SandboxOptions } from "./support/sandbox.js";

const SECRET = "top secret\n";
let box: SandboxOptions;
let outside: string;
let secret: string;
let w: string;

beforeEach(() => {
  w = tempDir("cordon-escape-fs-");
  box = { proxyPort: 1, writable: w };
  outside = tempDir("cordon-escape-outside-");
  secret = join(outside, "secret");
  writeFileSync(secret, SECRET);
  writeFileSync(join(w, "mine"), "mine\n");
});

const untouched = () => {
  expect(readFileSync(secret, "utf8")).toBe(SECRET);
  expect(statSync(secret).nlink).toBe(1);
};

describe.runIf(effectiveAbi() >= 1)("outside the writable paths (Landlock)", () => {
  it("write → EACCES", async () => {
    expect(await attempt(box, "write", secret)).toBe("EACCES");
    untouched();
  });

  it("create → EACCES", async () => {
    expect(await attempt(box, "creat", join(outside, "planted"))).toBe("EACCES");
    expect(existsSync(join(outside, "planted"))).toBe(false);
  });

  it.runIf(effectiveAbi() >= 3)("truncate → EACCES", async () => {
    expect(await attempt(box, "truncate", secret)).toBe("EACCES");
    untouched();
  });

  it("rename a file from the writable dir into a denied dir → EACCES", async () => {
    expect(await attempt(box, "rename", join(w, "mine"), join(outside, "planted"))).toBe("EACCES");
    expect(existsSync(join(outside, "planted"))).toBe(false);
  });

  it("rename a denied file into the writable dir → EACCES", async () => {
    expect(await attempt(box, "rename", secret, join(w, "stolen"))).toBe("EACCES");
    untouched();
  });

  it("hard-link a denied file into the writable dir (to gain write) → EXDEV", async () => {
    expect(await attempt(box, "link", secret, join(w, "hard"))).toBe("EXDEV");
    expect(existsSync(join(w, "hard"))).toBe(false);
    untouched();
  });

  it("read → EACCES, also via /proc/self/root and via the parent's /proc/PID/root", async () => {
    expect(await attempt(box, "read", secret)).toBe("EACCES");
    expect(await attempt(box, "read", `/proc/self/root${secret}`)).toBe("EACCES");
    expect(await attempt(box, "read", `/proc/${process.pid}/root${secret}`)).toBe("EACCES");
  });

  it("read through a symlink planted in the writable dir → EACCES (the target is checked)", async () => {
    const link = join(w, "link");
    const r = await runSandboxed("/bin/sh", ["-c", `ln -s '${secret}' '${link}' && '${probePath}' read '${link}'`], box);
    expect(r).toMatchObject({ code: 0, stdout: "EACCES\n" });
  });

  it("the writable dir works (control)", async () => {
    expect(await attempt(box, "write", join(w, "mine"))).toBe("OK");
    expect(readFileSync(join(w, "mine"), "utf8")).toBe("xine\n");
  });
});

describe("file descriptors from the parent", () => {
  it("an fd the parent had open on a denied file is closed before exec → EBADF", async () => {
    const fd = openSync(secret, "r");
    try {
      // extraFds start at fd 6 in the child.
      expect(await attempt({ ...box, extraFds: [fd] }, "read-fd", "6")).toBe("EBADF");
      // Without the launcher the same fd is readable: rights are bound at open time, Landlock cannot revoke them.
      const direct = spawnSync(probePath, ["read-fd", "6"], { stdio: ["ignore", "pipe", "pipe", "ignore", "ignore", "ignore", fd] });
      expect(direct.stdout.toString()).toBe("OK\n");
    } finally {
      closeSync(fd);
    }
  });
});
