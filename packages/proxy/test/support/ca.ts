// A throwaway CA and a leaf for secure.test / 127.0.0.1, made with the openssl CLI.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestCa {
  dir: string;
  caFile: string;
  caCert: string;
  leafKey: string;
  leafCert: string;
  cleanup(): void;
}

export function makeTestCa(): TestCa {
  const dir = mkdtempSync(join(tmpdir(), "cordon-proxy-ca-"));
  const run = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=cordon test CA");
  run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=secure.test");
  writeFileSync(join(dir, "leaf.ext"), "subjectAltName=DNS:secure.test,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n");
  run("x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "leaf.pem", "-days", "2", "-extfile", "leaf.ext");
  return {
    dir,
    caFile: join(dir, "ca.pem"),
    caCert: readFileSync(join(dir, "ca.pem"), "utf8"),
    leafKey: readFileSync(join(dir, "leaf.key"), "utf8"),
    leafCert: readFileSync(join(dir, "leaf.pem"), "utf8"),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
