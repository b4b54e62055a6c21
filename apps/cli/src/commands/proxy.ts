import type { CommandModule } from "yargs";
import { createProxy } from "@cordon/proxy";
import { loadPolicy, createPrivateTmpdir, removePrivateTmpdir } from "@cordon/sandbox";
import { policySourceFromArgs, withPolicyOptions, type PolicyArgs } from "./policy-options.js";
import { gatewayOptions, runGateway, type GatewayArgs } from "./proxy-gateway.js";

interface ProxyArgs extends PolicyArgs, GatewayArgs {
  host?: string;
  token?: string;
}

export const proxyCommand: CommandModule<object, ProxyArgs> = {
  command: "proxy [options]",
  describe: "Run the egress proxy alone (sidecar use), or as a shared gateway for many workloads (--gateway); the audit log goes to stdout as JSON lines",
  builder: (y) =>
    gatewayOptions(withPolicyOptions(y))
      .option("host", { type: "string", describe: "Address to listen on (default 127.0.0.1; with --gateway, 0.0.0.0)" })
      .option("token", { type: "string", describe: "Require Proxy-Authorization with this token (user 'cordon')" })
      .example("cordon proxy --allow-host registry.npmjs.org --proxy-port 3128", "")
      .example("cordon proxy --gateway --policies /etc/cordon/policies --credentials /etc/cordon/credentials", "") as never,
  handler: async (argv) => {
    if (argv.gateway) return runGateway(argv);
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
    // The audit log is the point of this command: once its reader is gone (EPIPE) or
    // the write fails, stop with an error instead of serving requests nobody records.
    // (Prepended: the CLI's own handler treats EPIPE on stdout as a quiet exit 0.)
    const auditFailed = (err: NodeJS.ErrnoException) => {
      const why = err.code === "EPIPE" ? "its reader went away" : (err.code ?? err.message);
      process.stderr.write(`cordon: proxy: the audit log on stdout cannot be written (${why}); stopping so no request goes unrecorded\n`);
      process.exit(1);
    };
    process.stdout.prependListener("error", auditFailed);
    const proxy = await createProxy({
      network: policy.network,
      host: argv.host ?? "127.0.0.1",
      port: policy.network.proxyPort,
      ...(argv.token ? { token: argv.token } : {}),
      auditLog: process.stdout,
    });
    proxy.on("audit-error", auditFailed);
    process.stderr.write(`cordon: proxy listening on ${proxy.url()}\n`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    await proxy.close();
  },
};
