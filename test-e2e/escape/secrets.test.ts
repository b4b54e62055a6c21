// Secrets, the home-directory baseline, other terminals and git metadata, through
// `cordon run`, in both isolation modes, as root and as nobody with a HOME of its own.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CORDON_BIN } from "../test/support/cordon.js";

const NOBODY = 65534;
let root: string;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `cordon run` as root or as nobody, with HOME set, from `cwd`. */
function cordon(as: "root" | "nobody", home: string, cwd: string, args: string[]): Run {
  const argv = [process.execPath, CORDON_BIN, "run", "-q", "--proxy-port", "0", ...args];
  const env = { ...process.env, HOME: home, NO_COLOR: "1" };
  const r =
    as === "root"
      ? spawnSync(argv[0]!, argv.slice(1), { cwd, env, encoding: "utf8", timeout: 30_000 })
      : spawnSync("setpriv", ["--reuid", String(NOBODY), "--regid", String(NOBODY), "--clear-groups", ...argv], { cwd, env, encoding: "utf8", timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A HOME with credentials beside ordinary configuration, owned by `uid`. */
function makeHome(uid: number): string {
  const home = mkdtempSync(join(root, "home-"));
  mkdirSync(join(home, ".ssh"));
  writeFileSync(join(home, ".ssh", "id_ed25519"), "PRIVATE-KEY\n");
  mkdirSync(join(home, ".config", "gh"), { recursive: true });
  writeFileSync(join(home, ".config", "gh", "hosts.yml"), "oauth_token: GH-TOKEN\n");
  mkdirSync(join(home, ".config", "git"), { recursive: true });
  writeFileSync(join(home, ".config", "git", "ignore"), "*.swp\n");
  writeFileSync(join(home, ".gitconfig"), "[user]\n\tname = Sandbox Tester\n\temail = t@example.invalid\n");
  writeFileSync(join(home, ".bash_history"), "export TOKEN=HISTORY-TOKEN\n");
  mkdirSync(join(home, ".local", "bin"), { recursive: true });
  writeFileSync(join(home, ".local", "bin", "mytool"), "#!/bin/sh\necho mytool-ran\n");
  chmodSync(join(home, ".local", "bin", "mytool"), 0o755);
  // A pyenv-style shim that runs "its" interpreter, and a cargo in ~/.cargo/bin.
  mkdirSync(join(home, ".pyenv", "shims"), { recursive: true });
  writeFileSync(join(home, ".pyenv", "shims", "python"), '#!/bin/sh\nexec python3 -c "import sys; print(\'pyenv-python\', sys.version_info[0])"\n');
  chmodSync(join(home, ".pyenv", "shims", "python"), 0o755);
  mkdirSync(join(home, ".npm", "_cacache"), { recursive: true });
  mkdirSync(join(home, ".cargo", "bin"), { recursive: true });
  writeFileSync(join(home, ".cargo", "bin", "cargo"), "#!/bin/sh\necho cargo-ran\n");
  chmodSync(join(home, ".cargo", "bin", "cargo"), 0o755);
  chownTree(home, uid);
  return home;
}

function chownTree(path: string, uid: number): void {
  if (uid !== 0) execFileSync("chown", ["-R", `${uid}:${uid}`, path]);
}

function makeProject(uid: number): string {
  const dir = mkdtempSync(join(root, "proj-"));
  const git = (...a: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@e", ...a], { cwd: dir, stdio: "ignore" });
  git("init", "-q", "-b", "main");
  writeFileSync(join(dir, "a.txt"), "a\n");
  git("add", ".");
  git("commit", "-qm", "first");
  chownTree(dir, uid);
  return dir;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "cordon-escape-secrets-"));
  chmodSync(root, 0o755);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const READ_ALL = [
  'cat ~/.ssh/id_ed25519 2>/dev/null || echo ssh:refused',
  'cat ~/.config/gh/hosts.yml 2>/dev/null || echo gh:refused',
  'cat ~/.bash_history 2>/dev/null || echo history:refused',
  'cat /etc/shadow 2>/dev/null || echo shadow:refused',
  'git config user.name',
  'cat ~/.config/git/ignore',
  'mytool',
  'python',
  'cargo',
].join("; ");

describe.each(["namespace", "landlock"] as const)("--isolation %s", (isolation) => {
  describe.each(["root", "nobody"] as const)("as %s", (as) => {
    const uid = as === "root" ? 0 : NOBODY;
    let home: string;
    let project: string;
    beforeAll(() => {
      home = makeHome(uid);
      project = makeProject(uid);
    });

    it("~/.ssh, ~/.config/gh, shell history and /etc/shadow are unreadable while ~/.gitconfig, ~/.config/git, ~/.local/bin, pyenv and cargo are found", () => {
      const r = cordon(as, home, project, ["--isolation", isolation, "--", "sh", "-c", `PATH=$HOME/.local/bin:$HOME/.pyenv/shims:$HOME/.cargo/bin:$PATH; ${READ_ALL}`]);
      expect(r.stdout).toBe("ssh:refused\ngh:refused\nhistory:refused\nshadow:refused\nSandbox Tester\n*.swp\nmytool-ran\npyenv-python 3\ncargo-ran\n");
      expect(r.stdout).not.toMatch(/PRIVATE-KEY|GH-TOKEN|HISTORY-TOKEN/);
    });

    it("the kernel's answer for a secret file: EACCES (Landlock), or an empty mask in namespace mode", () => {
      const r = cordon(as, home, project, ["--isolation", isolation, "--", "sh", "-c", "cat ~/.ssh/id_ed25519; cat /etc/shadow"]);
      expect(r.stdout).toBe("");
      if (isolation === "landlock") expect(r.stderr).toMatch(/id_ed25519: Permission denied[\s\S]*shadow: Permission denied/);
    });

    it("no way round: a hard link or a symlink into the project, /proc/self/root", () => {
      const script = [
        "ln ~/.ssh/id_ed25519 ./k 2>/dev/null && cat ./k || echo link:refused",
        "ln -s ~/.ssh/id_ed25519 ./s && cat ./s 2>/dev/null || echo symlink:refused",
        "cat /proc/self/root$HOME/.ssh/id_ed25519 2>/dev/null || echo proc:refused",
      ].join("; ");
      const r = cordon(as, home, project, ["--isolation", isolation, "--", "sh", "-c", script]);
      expect(r.stdout).toBe("link:refused\nsymlink:refused\nproc:refused\n");
    });

    it("ordinary git work inside still works: commit, branch, tag; the home directory and the package cache shared with builds outside are not writable", () => {
      const script = "echo b > b.txt && git add b.txt && git commit -qm second && git branch feature && git tag v1 && git log --oneline | wc -l; touch ~/planted 2>/dev/null || echo home:read-only; echo poison > ~/.npm/_cacache/index 2>/dev/null || echo npm-cache:read-only";
      const r = cordon(as, home, project, ["--isolation", isolation, "--", "sh", "-c", script]);
      expect(r.stdout).toBe("2\nhome:read-only\nnpm-cache:read-only\n");
      expect(r.status).toBe(0);
      expect(existsSync(join(home, "planted"))).toBe(false);
      expect(existsSync(join(home, ".npm", "_cacache", "index"))).toBe(false);
    });

    it("planting .git/commondir to redirect the user's next git command: removed after the run; git outside is unaffected", () => {
      const evil = join(project, "evil");
      const marker = join(root, `pwned-${isolation}-${as}`);
      const plant = [
        `mkdir -p ${evil}/objects ${evil}/refs`,
        `printf '[core]\\n\\tfsmonitor = touch ${marker}\\n' > ${evil}/config`,
        `echo ${evil} > .git/commondir`,
        "test -f .git/commondir && echo planted",
      ].join(" && ");
      const r = cordon(as, home, project, ["--isolation", isolation, "--", "sh", "-c", plant]);
      expect(r.stdout).toBe("planted\n");
      expect(r.stderr).toMatch(/created .*\.git\/commondir.*removed/);
      expect(existsSync(join(project, ".git", "commondir"))).toBe(false);
      execFileSync("git", ["-c", "safe.directory=*", "status", "--short"], { cwd: project, stdio: "ignore" });
      expect(existsSync(marker)).toBe(false);
    });
  });
});

describe("git core.hooksPath (husky, lefthook): the hooks directory the repository names", () => {
  it.each([
    ["namespace", "root"],
    ["namespace", "nobody"],
    ["landlock", "root"],
    ["landlock", "nobody"],
  ] as const)("--isolation %s, as %s: a hook cannot be planted there for the user's next git commit outside", (isolation, as) => {
    const uid = as === "root" ? 0 : NOBODY;
    const home = makeHome(uid);
    const project = makeProject(uid);
    mkdirSync(join(project, ".husky"));
    writeFileSync(join(project, ".husky", "pre-commit"), "#!/bin/sh\nexit 0\n");
    chmodSync(join(project, ".husky", "pre-commit"), 0o755);
    execFileSync("git", ["-c", "safe.directory=*", "config", "core.hooksPath", ".husky"], { cwd: project });
    chownTree(project, uid);
    const marker = join(root, `hookspath-${isolation}-${as}`);
    const r = cordon(as, home, project, ["--isolation", isolation, "--", "sh", "-c", `printf '#!/bin/sh\\ntouch ${marker}\\n' > .husky/pre-commit || echo refused; echo x > .husky/post-checkout || echo refused`]);
    expect(r.stdout).toBe("refused\nrefused\n");
    expect(r.stderr).toMatch(/Read-only file system/);
    execFileSync("git", ["-c", "safe.directory=*", "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-q", "--allow-empty", "-m", "outside"], { cwd: project, stdio: "ignore" });
    expect(existsSync(marker)).toBe(false);
  });

});

describe("other terminals", () => {
  let pty: ReturnType<typeof spawn>;
  let other: string;
  let work: string;
  beforeAll(async () => {
    work = mkdtempSync(join(root, "work-"));
    // A second terminal of the same user: a pty whose slave path python prints, then holds open.
    pty = spawn("python3", ["-c", "import os,sys,time; m,s=os.openpty(); print(os.ttyname(s), flush=True); time.sleep(120)"], { stdio: ["ignore", "pipe", "inherit"] });
    other = await new Promise<string>((resolve) => pty.stdout!.once("data", (d: Buffer) => resolve(d.toString().trim())));
  });
  afterAll(() => {
    pty.kill("SIGKILL");
  });

  it.each(["namespace", "landlock"])("%s: another /dev/pts node is neither readable nor writable (EACCES)", (isolation) => {
    expect(other).toMatch(/^\/dev\/pts\/\d+$/);
    const r = cordon("root", root, work, ["--isolation", isolation, "--", "sh", "-c", `echo typed > ${other} || echo write:refused; head -c1 < ${other} || echo read:refused`]);
    expect(r.stdout).toBe("write:refused\nread:refused\n");
    expect(r.stderr).toMatch(/Permission denied/);
  });

  it("the terminal cordon was started from still works (run under a pty)", () => {
    const r = spawnSync("script", ["-qec", `${process.execPath} ${CORDON_BIN} run -q --isolation landlock --proxy-port 0 -- sh -c 'tty; echo hi > $(tty) && echo own:ok'`, "/dev/null"], { cwd: work, encoding: "utf8", timeout: 30_000 });
    expect(r.stdout).toMatch(/\/dev\/pts\/\d+[\s\S]*own:ok/);
  });

  it("filesystem.terminals: all opens them, and explain reports the gap", () => {
    const policy = join(root, "all-terminals.yaml");
    writeFileSync(policy, "version: 1\nfilesystem:\n  terminals: all\n");
    const r = cordon("root", root, work, ["--policy", policy, "--isolation", "landlock", "--", "sh", "-c", `echo typed > ${other} && echo write:ok`]);
    expect(r.stdout).toBe("write:ok\n");
    const explain = spawnSync(process.execPath, [CORDON_BIN, "explain", "--json", "--policy", policy], { cwd: work, encoding: "utf8" });
    expect(JSON.parse(explain.stdout).report.items.find((i: { id?: string }) => i.id === "fs.terminals")).toMatchObject({ level: "none", kind: "limitation" });
  });
});

describe("root in Landlock-only mode: metadata", () => {
  it("chmod and utime of a root-owned file outside the writable paths work (the documented gap), and --compat hard refuses", () => {
    const target = join(root, "root-owned");
    writeFileSync(target, "x\n");
    chmodSync(target, 0o644);
    chownSync(target, 0, 0);
    const work = mkdtempSync(join(root, "work-"));
    // Set-id modes are the seccomp layer's (EPERM); any other mode and the times still change.
    const r = cordon("root", root, work, ["--isolation", "landlock", "--ro", target, "--", "sh", "-c", `chmod 600 ${target} && touch -m -d @0 ${target} && echo changed`]);
    expect(r.stdout).toBe("changed\n");
    expect(statSync(target).mode & 0o777).toBe(0o600);
    expect(statSync(target).mtimeMs).toBe(0);
    // The network fence is stated, so the metadata gap is the only reason left; nobody runs.
    const hard = cordon("root", root, work, ["--isolation", "landlock", "--network-fence", "networkpolicy", "--compat", "hard", "--", "true"]);
    expect(hard.status).toBe(3);
    expect(hard.stderr).toMatch(/metadata outside writable paths/);
    chmodSync(work, 0o777);
    expect(cordon("nobody", root, work, ["--isolation", "landlock", "--network-fence", "networkpolicy", "--compat", "hard", "--", "true"]).status).toBe(0);
  });
});
