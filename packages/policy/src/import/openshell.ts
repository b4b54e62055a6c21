import { describeValue } from "../errors.js";
import { isPort } from "../host/entry.js";
import { compileHostPattern, parseCidr } from "../host/pattern.js";
import type { HostRule } from "../model.js";
import { checkPathSyntax } from "../paths.js";
import { emptyPolicy, ForeignDocument, isRecord, type ImportResult } from "./common.js";

const TOP_LEVEL = ["version", "filesystem_policy", "landlock", "process", "network_policies"];
const L7_KEYS = ["protocol", "tls", "enforcement", "access", "rules", "deny_rules", "allow_encoded_slash"];
const ENDPOINT_KEYS = ["host", "port", "ports", "allowed_ips", ...L7_KEYS];

/**
 * Import an NVIDIA OpenShell sandbox policy (YAML v1). Filesystem paths, the compatibility level
 * and L4 endpoints carry over; per-binary matching, L7 rules and process identity cannot and are
 * listed in `notes`.
 */
export function importOpenShell(yamlText: string, options: { filename?: string } = {}): ImportResult {
  const doc = new ForeignDocument(yamlText, "yaml", options.filename);
  const policy = emptyPolicy();
  if (doc.errors.length > 0 || !isRecord(doc.data)) return doc.result(policy);
  const data = doc.data;

  for (const key of Object.keys(data)) if (!TOP_LEVEL.includes(key)) doc.error([key], `unknown OpenShell key ${JSON.stringify(key)}`, `expected one of ${TOP_LEVEL.join(", ")}`, true);
  if (data["version"] !== 1) doc.error(["version"], `expected version: 1, got ${describeValue(data["version"])}`);

  const fs = data["filesystem_policy"];
  if (fs !== undefined) {
    if (!isRecord(fs)) doc.error(["filesystem_policy"], `expected a mapping, got ${describeValue(fs)}`);
    else {
      if (fs["include_workdir"] !== undefined) {
        if (typeof fs["include_workdir"] !== "boolean") doc.error(["filesystem_policy", "include_workdir"], `expected true or false, got ${describeValue(fs["include_workdir"])}`);
        else policy.filesystem.includeWorkdir = fs["include_workdir"];
      }
      for (const [from, to] of [["read_only", "readOnly"], ["read_write", "readWrite"]] as const) {
        const list = fs[from];
        if (list === undefined) continue;
        if (!Array.isArray(list)) {
          doc.error(["filesystem_policy", from], `expected a list of paths, got ${describeValue(list)}`);
          continue;
        }
        for (const [i, path] of list.entries()) {
          if (typeof path !== "string") doc.error(["filesystem_policy", from, i], `expected a path string, got ${describeValue(path)}`);
          else {
            const check = checkPathSyntax(path, to === "readWrite");
            if (!check.ok) doc.error(["filesystem_policy", from, i], check.reason, check.hint);
            else policy.filesystem[to].push(path);
          }
        }
      }
    }
  }

  const landlock = data["landlock"];
  if (isRecord(landlock) && landlock["compatibility"] !== undefined) {
    if (landlock["compatibility"] === "hard_requirement") policy.compat = "hard";
    else if (landlock["compatibility"] !== "best_effort") {
      doc.notes.push(`landlock.compatibility ${describeValue(landlock["compatibility"])} is not best_effort or hard_requirement; OpenShell treats it as best_effort, and so does this import`);
    }
  }
  if (data["process"] !== undefined) {
    doc.notes.push("process (run_as_user/run_as_group) not carried over: cordon runs the command as the invoking user, without root");
  }

  const policies = data["network_policies"];
  if (policies !== undefined) {
    if (!isRecord(policies)) doc.error(["network_policies"], `expected a mapping of named policies, got ${describeValue(policies)}`);
    else for (const [name, entry] of Object.entries(policies)) importNetworkPolicy(doc, name, entry, policy.network.allow);
  }
  return doc.result(policy);
}

function importNetworkPolicy(doc: ForeignDocument, name: string, entry: unknown, allow: HostRule[]): void {
  const at = ["network_policies", name];
  if (!isRecord(entry)) return doc.error(at, `expected a mapping with endpoints and binaries, got ${describeValue(entry)}`);
  if (entry["binaries"] !== undefined) {
    doc.notes.push(`network_policies.${name}.binaries: cordon does not match by binary; these endpoints apply to every program in the sandbox`);
  } else {
    doc.notes.push(`network_policies.${name} has no binaries: OpenShell matches nothing for it, but cordon allows its endpoints to every program`);
  }
  const endpoints = entry["endpoints"];
  if (!Array.isArray(endpoints)) return doc.error([...at, "endpoints"], `expected a list of endpoints, got ${describeValue(endpoints)}`);
  for (const [i, endpoint] of endpoints.entries()) {
    const path = [...at, "endpoints", i];
    if (!isRecord(endpoint)) {
      doc.error(path, `expected an endpoint mapping, got ${describeValue(endpoint)}`);
      continue;
    }
    for (const key of Object.keys(endpoint)) if (!ENDPOINT_KEYS.includes(key)) doc.error([...path, key], `unknown endpoint key ${JSON.stringify(key)}`, undefined, true);
    const l7 = L7_KEYS.filter((k) => endpoint[k] !== undefined);
    if (l7.length > 0) doc.notes.push(`network_policies.${name}.endpoints[${i}]: ${l7.join(", ")} not carried over (cordon filters at L4: host and port only)`);

    const ports: number[] = [];
    for (const [key, value] of [["port", endpoint["port"] === undefined ? undefined : [endpoint["port"]]], ["ports", endpoint["ports"]]] as const) {
      if (value === undefined) continue;
      if (!Array.isArray(value)) {
        doc.error([...path, key], `expected a list of ports, got ${describeValue(value)}`);
        continue;
      }
      for (const [j, port] of value.entries()) {
        if (!isPort(port)) doc.error(key === "port" ? [...path, key] : [...path, key, j], `expected an integer 1-65535, got ${describeValue(port)}`);
        else if (!ports.includes(port)) ports.push(port);
      }
    }
    const allowedIps: string[] = [];
    const ips = endpoint["allowed_ips"];
    if (ips !== undefined) {
      if (!Array.isArray(ips)) doc.error([...path, "allowed_ips"], `expected a list of CIDRs, got ${describeValue(ips)}`);
      else
        for (const [j, ip] of ips.entries()) {
          const cidr = typeof ip === "string" ? parseCidr(ip) : { ok: false as const, reason: `expected a CIDR string, got ${describeValue(ip)}` };
          if (!cidr.ok) doc.error([...path, "allowed_ips", j], cidr.reason);
          else allowedIps.push(ip as string);
        }
    }

    const host = endpoint["host"];
    if (host === undefined) {
      // Hostless endpoint: OpenShell matches any name resolving into the CIDRs; cordon can only allow the addresses.
      if (allowedIps.length === 0) doc.error(path, "an endpoint needs a host or allowed_ips");
      for (const cidr of allowedIps) allow.push(ports.length ? { host: cidr, ports: [...ports] } : { host: cidr });
      if (allowedIps.length > 0) doc.notes.push(`network_policies.${name}.endpoints[${i}] has no host: its allowed_ips are allowed as IP literals only; names that resolve into them are not matched`);
      continue;
    }
    if (typeof host !== "string") {
      doc.error([...path, "host"], `expected a host string, got ${describeValue(host)}`);
      continue;
    }
    const pattern = compileHostPattern(host);
    if (!pattern.ok) {
      doc.error([...path, "host"], pattern.reason, pattern.hint);
      continue;
    }
    const rule: HostRule = { host };
    if (ports.length > 0) rule.ports = ports;
    else doc.notes.push(`network_policies.${name}.endpoints[${i}] (${host}) has no port: cordon allows 80 and 443`);
    if (allowedIps.length > 0) rule.allowedIps = allowedIps;
    allow.push(rule);
  }
}
