// git, a Python venv, make and the README's ./build.sh, with the smallest flags a user would type.
// The matching attacks still fail: .git/hooks stays read-only, ~/.ssh unreadable, nothing
// written outside the project.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sh, workspace, type Workspace } from "./support/workspace.js";

let ws: Workspace;
beforeAll(() => {
  ws = workspace("tools");
});
afterAll(() => ws?.cleanup());

describe("git", () => {
  let repo: string;
  beforeAll(() => {
    repo = join(ws.root, "repo");
    ws.write(repo, { "README.md": "hello\n", "src/main.txt": "v1\n" });
    sh(repo, "git init -q -b main && git add -A && git commit -qm first", ws.env);
  });

  it("log, commit and branch work, from a subdirectory too", async () => {
    const r = await ws.run(
      ["run", "--", "sh", "-c", "echo v2 > main.txt && git commit -qam second && git branch feature && git log --oneline && git branch"],
      { cwd: join(repo, "src") },
    );
    expect(r.stderr).not.toMatch(/fatal|Permission denied/);
    expect(r.stdout).toMatch(/second/);
    expect(r.stdout).toMatch(/first/);
    expect(r.stdout).toMatch(/feature/);
    expect(r.status).toBe(0);
  });

  it("attack: .git/hooks cannot be planted, ~/.ssh cannot be read", async () => {
    const r = await ws.run(
      ["run", "--", "sh", "-c", "echo 'curl evil' > .git/hooks/pre-commit; cat ~/.ssh/id_ed25519; true"],
      { cwd: repo },
    );
    expect(r.stderr).toMatch(/(Read-only file system|Permission denied)[\s\S]*(Permission denied|No such file or directory)/);
    expect(existsSync(join(repo, ".git/hooks/pre-commit"))).toBe(false);
    expect(r.stdout).not.toContain("PRIVATE KEY");
  });
});

describe("git worktrees", () => {
  it("commit works in a linked worktree; the shared repository's hooks and config stay read-only", async () => {
    const main = ws.write(join(ws.root, "wt-main"), { "a.txt": "a\n" });
    sh(main, "git init -q -b main && git add -A && git commit -qm first && git worktree add -q ../wt-linked", ws.env);
    const linked = join(ws.root, "wt-linked");
    const r = await ws.run(["run", "--", "sh", "-c", "echo b > b.txt && git add b.txt && git commit -qm second && git log --oneline | wc -l"], { cwd: linked });
    expect(r.stderr).not.toMatch(/fatal|Permission denied/);
    expect(r.stdout.trim()).toBe("2");
  });

  it("attack: the main repository's hooks cannot be planted from the worktree", async () => {
    const main = join(ws.root, "wt-main");
    const r = await ws.run(["run", "--", "sh", "-c", `echo evil > '${main}/.git/hooks/post-commit'; echo x >> '${main}/.git/config'; true`], { cwd: join(ws.root, "wt-linked") });
    expect(r.stderr).toMatch(/Read-only file system[\s\S]*Read-only file system/);
    expect(existsSync(join(main, ".git/hooks/post-commit"))).toBe(false);
  });
});

describe("python", () => {
  it("creates a venv in the project and runs its interpreter and scripts", async () => {
    const proj = ws.write(join(ws.root, "py"), { "app.py": "import sys; print('venv' if sys.prefix != sys.base_prefix else 'system')\n" });
    const r = await ws.run(["run", "--", "sh", "-c", "python3 -m venv --without-pip .venv && .venv/bin/python app.py"], { cwd: proj });
    expect(r.stderr).not.toMatch(/Traceback|Error/);
    expect(r.stdout.trim()).toBe("venv");
    expect(r.status).toBe(0);
  }, 60_000);
});

describe("make and scripts", () => {
  it("make compiles a C program and runs it", async () => {
    const proj = ws.write(join(ws.root, "c"), {
      "hello.c": '#include <stdio.h>\nint main(void) { puts("compiled and ran"); return 0; }\n',
      Makefile: "run: hello\n\t./hello\nhello: hello.c\n\tcc -o hello hello.c\n",
    });
    const r = await ws.run(["run", "--", "make", "-s", "run"], { cwd: proj, timeoutMs: 60_000 });
    expect(r.stdout).toContain("compiled and ran");
    expect(r.status).toBe(0);
  }, 60_000);

  it("the README's `--network none --rw ./out -- ./build.sh` runs as written", async () => {
    const proj = ws.write(join(ws.root, "sh"), { "build.sh": "#!/bin/sh\necho built > out/artifact\necho ok\n", "out/.keep": "" });
    sh(proj, "chmod +x build.sh");
    const r = await ws.run(["run", "--network", "none", "--rw", "./out", "--", "./build.sh"], { cwd: proj });
    expect(r.stdout).toContain("ok");
    expect(r.status).toBe(0);
    expect(readFileSync(join(proj, "out/artifact"), "utf8")).toBe("built\n");
  });

  it("attack: a program in the project still cannot write outside it", async () => {
    const proj = ws.write(join(ws.root, "evil"), { "evil.sh": `#!/bin/sh\necho x > '${ws.home}/.bashrc'\n` });
    sh(proj, "chmod +x evil.sh");
    const r = await ws.run(["run", "--", "./evil.sh"], { cwd: proj });
    expect(r.status).not.toBe(0);
    expect(existsSync(join(ws.home, ".bashrc"))).toBe(false);
  });
});
