// Filesystem enforcement, observed through the probe's real errno in a child
// sandboxed by the launcher. Each case builds its own ruleset and tree.
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FS } from "../src/index.js";
import { baseRuleset, probe, probePath, runLauncher, tempDir } from "./helpers.js";

const RW_FILES = FS.READ_FILE | FS.WRITE_FILE | FS.READ_DIR;

/** A temp tree: dir/ro, dir/rw, dir/outside, each holding a file "f". */
function tree(): { root: string; ro: string; rw: string; outside: string } {
  const root = tempDir();
  const dirs = { root, ro: join(root, "ro"), rw: join(root, "rw"), outside: join(root, "outside") };
  for (const d of [dirs.ro, dirs.rw, dirs.outside]) {
    mkdirSync(d);
    writeFileSync(join(d, "f"), "data");
  }
  return dirs;
}

describe("filesystem rights", () => {
  it("read-only, read-write and unlisted paths", async () => {
    const t = tree();
    const rs = baseRuleset();
    try {
      rs.addPath(t.ro, FS.READ_FILE | FS.READ_DIR, "read_only");
      rs.addPath(t.rw, RW_FILES | FS.MAKE_REG | FS.TRUNCATE, "read_write");
      expect(await probe(rs, "read", join(t.ro, "f"))).toBe("OK");
      expect(await probe(rs, "readdir", t.ro)).toBe("OK");
      expect(await probe(rs, "write", join(t.ro, "f"))).toBe("EACCES");
      expect(await probe(rs, "creat", join(t.ro, "new"))).toBe("EACCES");
      expect(await probe(rs, "write", join(t.rw, "f"))).toBe("OK");
      expect(await probe(rs, "creat", join(t.rw, "new"))).toBe("OK");
      expect(await probe(rs, "read", join(t.outside, "f"))).toBe("EACCES");
      expect(await probe(rs, "readdir", t.outside)).toBe("EACCES");
      expect(await probe(rs, "write", "/usr/bin/env")).toBe("EACCES");
    } finally {
      rs.close();
    }
    // The parent was never restricted.
    expect(readFileSync(join(t.outside, "f"), "utf8")).toBe("data");
  });

  it("TRUNCATE is separate from WRITE_FILE", async () => {
    const t = tree();
    const rs = baseRuleset();
    try {
      rs.addPath(t.ro, RW_FILES); // write, no truncate
      rs.addPath(t.rw, RW_FILES | FS.TRUNCATE);
      expect(await probe(rs, "write", join(t.ro, "f"))).toBe("OK");
      expect(await probe(rs, "truncate", join(t.ro, "f"))).toBe("EACCES");
      expect(await probe(rs, "truncate", join(t.rw, "f"))).toBe("OK");
    } finally {
      rs.close();
    }
  });

  it("EXECUTE is needed to run a program", async () => {
    const t = tree();
    for (const d of [t.ro, t.rw]) {
      copyFileSync(probePath, join(d, "tool"));
      chmodSync(join(d, "tool"), 0o755);
    }
    const rs = baseRuleset();
    try {
      rs.addPath(t.ro, FS.READ_FILE | FS.READ_DIR);
      rs.addPath(t.rw, FS.READ_FILE | FS.READ_DIR | FS.EXECUTE);
      expect(await probe(rs, "exec", join(t.ro, "tool"), "noop")).toBe("EACCES");
      expect(await probe(rs, "exec", join(t.rw, "tool"), "noop")).toBe("OK");
    } finally {
      rs.close();
    }
  });

  it("make and remove rights", async () => {
    const t = tree();
    mkdirSync(join(t.ro, "sub"));
    mkdirSync(join(t.rw, "sub"));
    const rs = baseRuleset();
    try {
      rs.addPath(t.ro, RW_FILES | FS.MAKE_REG);
      rs.addPath(t.rw, RW_FILES | FS.MAKE_REG | FS.MAKE_DIR | FS.REMOVE_DIR | FS.REMOVE_FILE);
      expect(await probe(rs, "creat", join(t.ro, "new"))).toBe("OK");
      expect(await probe(rs, "mkdir", join(t.ro, "d"))).toBe("EACCES");
      expect(await probe(rs, "unlink", join(t.ro, "f"))).toBe("EACCES");
      expect(await probe(rs, "rmdir", join(t.ro, "sub"))).toBe("EACCES");
      expect(await probe(rs, "mkdir", join(t.rw, "d"))).toBe("OK");
      expect(await probe(rs, "unlink", join(t.rw, "f"))).toBe("OK");
      expect(await probe(rs, "rmdir", join(t.rw, "sub"))).toBe("OK");
    } finally {
      rs.close();
    }
  });

  it("REFER: cross-directory rename and link need it (EXDEV); same-directory rename does not", async () => {
    const root = tempDir();
    const dirs = ["a", "b", "c", "d"].map((n) => join(root, n));
    const [a, b, c, d] = dirs as [string, string, string, string];
    for (const dir of dirs) {
      mkdirSync(dir);
      writeFileSync(join(dir, "f"), "x");
    }
    const moveRights = RW_FILES | FS.MAKE_REG | FS.REMOVE_FILE;
    const rs = baseRuleset();
    try {
      rs.addPath(a, moveRights);
      rs.addPath(b, moveRights);
      rs.addPath(c, moveRights | FS.REFER);
      rs.addPath(d, moveRights | FS.REFER);
      expect(await probe(rs, "rename", join(a, "f"), join(b, "f2"))).toBe("EXDEV");
      expect(await probe(rs, "link", join(a, "f"), join(b, "f3"))).toBe("EXDEV");
      expect(await probe(rs, "rename", join(a, "f"), join(a, "g"))).toBe("OK");
      expect(await probe(rs, "rename", join(c, "f"), join(d, "f2"))).toBe("OK");
      expect(await probe(rs, "link", join(d, "f"), join(c, "f3"))).toBe("OK");
    } finally {
      rs.close();
    }
  });

  it("the domain is inherited by grandchildren (through sh -c)", async () => {
    const t = tree();
    const rs = baseRuleset();
    try {
      rs.addPath(t.ro, FS.READ_FILE | FS.READ_DIR);
      const script = `${probePath} read ${join(t.outside, "f")}; ${probePath} read ${join(t.ro, "f")}`;
      const r = await runLauncher("/bin/sh", ["-c", script], { ruleset: rs });
      expect(r).toMatchObject({ code: 0, status: "" });
      expect(r.stdout.trim().split("\n")).toEqual(["EACCES", "OK"]);
    } finally {
      rs.close();
    }
  });
});
