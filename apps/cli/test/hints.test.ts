import { describe, expect, it } from "vitest";
import { adviseHosts, formatHostAdvice, presetForCommand } from "../src/report/hints.js";
import { flagFor, parseLandlockDenials } from "../src/report/landlock-denials.js";

describe("adviseHosts", () => {
  it("groups preset hosts, keeps metadata out of every suggestion", () => {
    const d = (host: string, port: number, reason = "host-not-allowed", address?: string) => ({ host, port, reason, count: 1, ...(address ? { address } : {}) });
    const a = adviseHosts([d("registry.npmjs.org", 443), d("pypi.org", 443), d("api.example.com", 443), d("169.254.169.254", 80), d("evil.test", 80, "resolves-to-blocked-address", "169.254.169.254"), d("git.corp", 443, "resolves-to-blocked-address", "10.0.0.5")], ["python"]);
    expect(a.presets).toEqual([{ name: "node", hosts: ["registry.npmjs.org:443"] }]);
    expect(a.allow).toEqual(["pypi.org:443", "api.example.com:443"]);
    expect(a.metadata).toEqual(["169.254.169.254:80", "evil.test:80"]);
    expect(a.privateAddress).toEqual([{ host: "git.corp", port: 443, address: "10.0.0.5" }]);
  });
  it("never suggests a local or private address the command named (it would steer the user into opening its own hole)", () => {
    const d = (host: string, port: number) => ({ host, port, reason: "host-not-allowed", count: 1 });
    const a = adviseHosts([d("127.0.0.1", 8099), d("[::1]", 22), d("10.1.2.3", 80), d("192.168.0.1", 80), d("localhost", 5432), d("example.com", 443)]);
    expect(a.allow).toEqual(["example.com:443"]);
    expect(a.local).toEqual(["127.0.0.1:8099", "[::1]:22", "10.1.2.3:80", "192.168.0.1:80", "localhost:5432"]);
    expect(formatHostAdvice(a).join("\n")).not.toMatch(/--allow-host (127|\[::1\]|10\.|192|localhost)/);
  });
  it("names the preset a failed tool needs", () => {
    expect(presetForCommand("/usr/bin/npm", [])).toBe("node");
    expect(presetForCommand("npm", ["node"])).toBeUndefined();
    expect(presetForCommand("make", [])).toBeUndefined();
  });
});

describe("parseLandlockDenials", () => {
  it("reads quoted and hex paths, merges blockers, ignores other records", () => {
    const hex = Buffer.from("/home/u/my dir").toString("hex").toUpperCase();
    const text = [
      'audit: type=1423 audit(1.1:1): domain=a blockers=fs.read_file path="/etc/shadow" dev="vda" ino=1',
      'audit: type=1423 audit(1.1:2): domain=a blockers=fs.read_dir path="/etc/shadow" dev="vda" ino=1',
      `type=LANDLOCK_ACCESS msg=audit(1.1:3): domain=a blockers=fs.make_reg path=${hex} dev="vda" ino=2`,
      'audit: type=1423 audit(1.1:4): domain=a blockers=net.connect_tcp daddr=1.2.3.4 dest=80',
      'audit: type=1424 audit(1.1:4): domain=a status=allocated mode=enforcing pid=1',
    ].join("\n");
    const d = parseLandlockDenials(text);
    expect(d).toEqual([
      { path: "/etc/shadow", blockers: ["fs.read_file", "fs.read_dir"] },
      { path: "/home/u/my dir", blockers: ["fs.make_reg"] },
    ]);
    expect(d.map(flagFor)).toEqual(["--ro", "--rw"]);
  });
});
