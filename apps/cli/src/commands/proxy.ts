import type { CommandModule } from "yargs";
import { createProxy } from "@cordon/proxy";
import { loadPolicy, createPrivateTmpdir, removePrivateTmpdir } from "@cordon/sandbox";
import { policySourceFromArgs, withPolicyOptions, type PolicyArgs } from "./policy-options.js";

interface ProxyArgs extends PolicyArgs {
  host?: string;
  token?: string;
}

export const proxyCommand: CommandModule<object, ProxyArgs> = {
  command: "proxy [options]",
  describe: "Run the egress proxy alone (sidecar use); the audit log goes to stdout as JSON lines",
  builder: (y) =>
    withPolicyOptions(y)
      .option("host", { type: "string", default: "127.0.0.1", describe: "Address to listen on (loopback)" })
      .option("token", { type: "string", describe: "Require Proxy-Authorization with this token (user 'cordon')" })
      .example("cordon proxy --allow-host registry.npmjs.org --proxy-port 3128", "") as never,
  handler: async (argv) => {
    const tmpdir = createPrivateTmpdir();
    let policy;
    try {
      policy = loadPolicy(policySourceFromArgs(argv), { cwd: process.cwd(), tmpdir });
    } finally {
      removePrivateTmpdir(tmpdir);
    }
    // The proxy alone has no sandbox to hand its CA to, nor a Landlock domain to keep secrets in.
    const inspected = policy.network.allow.filter((r) => r.http !== undefined || r.credentials !== undefined);
    if (inspected.length > 0) {
      throw new Error(`${inspected.map((r) => r.host).join(", ")}: http rules and credentials need \`cordon run\` (the proxy alone does not inspect TLS)`);
    }
    const proxy = await createProxy({
      network: policy.network,
      host: argv.host ?? "127.0.0.1",
      port: policy.network.proxyPort,
      ...(argv.token ? { token: argv.token } : {}),
      auditLog: process.stdout,
    });
    process.stderr.write(`cordon: proxy listening on ${proxy.url()}\n`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    await proxy.close();
  },
};
