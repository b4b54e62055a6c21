// TLS inspection set-up on the sandbox side: the secrets are read here (never by the command), the
// command's environment gets placeholders instead, and the run's CA certificate is written where
// the common tools look for trust.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describeCredential, expandPath, placeholderVariable, type ResolvedPolicy } from "@cordon/policy";
import type { InjectedCredential, InspectHost } from "@cordon/proxy";

export interface InspectionSetup {
  hosts: InspectHost[];
  /** Variables the command must not see (credential sources). */
  removeEnv: string[];
  /** Placeholder variables for the command. */
  placeholders: Record<string, string>;
  /** Every problem found (a missing variable, a readable credential file), for a refusal. */
  errors: string[];
}

/** The allow entries with http rules or credentials, with their secrets read; undefined when none. */
export function prepareInspection(policy: ResolvedPolicy, env: NodeJS.ProcessEnv): InspectionSetup | undefined {
  const entries = policy.network.allow.filter((r) => r.http !== undefined || (r.credentials?.length ?? 0) > 0);
  if (entries.length === 0) return undefined;
  const setup: InspectionSetup = { hosts: [], removeEnv: [], placeholders: {}, errors: [] };
  const where = policy.facts;
  for (const rule of entries) {
    const credentials: InjectedCredential[] = [];
    for (const c of rule.credentials ?? []) {
      const name = `${rule.host}: ${describeCredential(c)}`;
      let secret: string | undefined;
      if (c.env !== undefined) {
        secret = env[c.env];
        setup.removeEnv.push(c.env);
        if (secret === undefined || secret === "") setup.errors.push(`${name}: $${c.env} is not set in cordon's environment`);
      } else if (c.file !== undefined) {
        const file = expandPath(c.file, where);
        const inside = readableInside(policy, file);
        if (inside) setup.errors.push(`${name}: ${file} is readable inside the sandbox (under ${inside}); keep credential files outside every policy path`);
        try {
          secret = readFileSync(file, "utf8").replace(/\r?\n$/, "");
        } catch (e) {
          setup.errors.push(`${name}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
        }
      }
      if (secret !== undefined && /[\r\n\0]/.test(secret)) setup.errors.push(`${name}: the secret holds a line break or NUL`);
      const variable = placeholderVariable(c);
      const placeholder = `cordon-placeholder-${(variable ?? "credential").toLowerCase()}-${randomBytes(6).toString("hex")}`;
      if (variable !== undefined) setup.placeholders[variable] = placeholder;
      credentials.push({
        name,
        secret: secret ?? "",
        placeholder,
        ...(c.header !== undefined && { header: c.header }),
        ...(c.prefix !== undefined && { prefix: c.prefix }),
        ...(c.basic !== undefined && { basic: c.basic }),
        ...(c.query !== undefined && { query: c.query }),
        ...(c.allowPlainHttp !== undefined && { allowPlainHttp: c.allowPlainHttp }),
      });
    }
    // Any other variable carrying the same secret (GH_TOKEN beside GITHUB_TOKEN) goes too.
    for (const { secret } of credentials) {
      if (secret.length < 8) continue;
      for (const [k, v] of Object.entries(env)) if (v?.includes(secret) && !setup.removeEnv.includes(k)) setup.removeEnv.push(k);
    }
    setup.hosts.push({
      host: rule.host,
      ...(rule.ports && { ports: rule.ports }),
      ...(rule.http && { http: rule.http }),
      ...(credentials.length > 0 && { credentials }),
    });
  }
  return setup;
}

/** The policy path under which `file` (or where its links lead) can be read, if any. */
function readableInside(policy: ResolvedPolicy, file: string): string | undefined {
  const names = [file];
  try {
    names.push(realpathSync(file));
  } catch {
    // A missing file is reported when it is read.
  }
  for (const p of policy.filesystem.paths) {
    // Default and preset grants (the home baseline) leave secrets out, credential files included.
    if (p.source === "default" && p.optional) continue;
    for (const n of names) if (n === p.path || n.startsWith(p.path === "/" ? "/" : `${p.path}/`)) return p.path;
  }
  return undefined;
}

const SYSTEM_BUNDLES = [
  "/etc/ssl/certs/ca-certificates.crt",
  "/etc/pki/tls/certs/ca-bundle.crt",
  "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
  "/etc/ssl/ca-bundle.pem",
  "/etc/ssl/cert.pem",
];

/** Variables naming a whole trust store (the system's plus the run's CA). */
const BUNDLE_VARIABLES = [
  "SSL_CERT_FILE",
  "REQUESTS_CA_BUNDLE",
  "CURL_CA_BUNDLE",
  "GIT_SSL_CAINFO",
  "PIP_CERT",
  "AWS_CA_BUNDLE",
  "CARGO_HTTP_CAINFO",
  "npm_config_cafile",
  "NIX_SSL_CERT_FILE",
  "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH",
  "HTTPLIB2_CA_CERTS",
  "CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE",
];
/** Variables naming certificates added to the built-in store. */
const EXTRA_VARIABLES = ["NODE_EXTRA_CA_CERTS", "DENO_CERT"];

/** Writes the run's CA (and a bundle with the system store) into the private TMPDIR; returns the variables. */
export async function writeCaFiles(tmpdir: string, caPem: string): Promise<Record<string, string>> {
  const dir = join(tmpdir, "cordon-ca");
  mkdirSync(dir, { mode: 0o755 });
  const caFile = join(dir, "ca.pem");
  const bundleFile = join(dir, "bundle.pem");
  writeFileSync(caFile, caPem, { mode: 0o444 });
  const system = SYSTEM_BUNDLES.find((f) => existsSync(f));
  // Without a system store, Node's own (Mozilla's) list; node:tls is loaded only then.
  const base = system ? readFileSync(system, "utf8") : (await import("node:tls")).rootCertificates.join("\n");
  writeFileSync(bundleFile, `${base.trimEnd()}\n${caPem}`, { mode: 0o444 });
  const vars: Record<string, string> = {};
  for (const v of BUNDLE_VARIABLES) vars[v] = bundleFile;
  for (const v of EXTRA_VARIABLES) vars[v] = caFile;
  return vars;
}
