import { describeValue } from "../errors.js";
import { parseHostEntry } from "../host/entry.js";
import { checkPathSyntax } from "../paths.js";
import { checkSecretEntry } from "../secrets.js";
import { emptyPolicy, ForeignDocument, isRecord, type ImportResult } from "./common.js";

const NETWORK_CARRIED = ["allowedDomains", "deniedDomains"];
const FILESYSTEM_CARRIED = ["allowWrite", "allowRead", "denyRead", "denyWrite", "allowGitConfig"];

/**
 * Import Anthropic sandbox-runtime (`srt`) settings JSON: the domain lists and the filesystem
 * allow lists carry over, denyRead as filesystem.secrets; denyWrite (Landlock is allow-only), proxy,
 * credential and platform settings cannot and are listed in `notes`.
 */
export function importSrt(jsonText: string, options: { filename?: string } = {}): ImportResult {
  const doc = new ForeignDocument(jsonText, "json", options.filename);
  const policy = emptyPolicy();
  if (doc.errors.length > 0 || !isRecord(doc.data)) return doc.result(policy);
  const data = doc.data;

  for (const key of Object.keys(data)) {
    if (key !== "network" && key !== "filesystem") doc.notes.push(`${key}: not carried over (no cordon equivalent)`);
  }

  const network = data["network"];
  if (network !== undefined && !isRecord(network)) doc.error(["network"], `expected a mapping, got ${describeValue(network)}`);
  if (isRecord(network)) {
    for (const key of Object.keys(network)) if (!NETWORK_CARRIED.includes(key)) doc.notes.push(`network.${key}: not carried over`);
    for (const [key, into] of [["allowedDomains", policy.network.allow], ["deniedDomains", policy.network.deny]] as const) {
      const list = network[key];
      if (list === undefined) continue;
      if (!Array.isArray(list)) {
        doc.error(["network", key], `expected a list of domains, got ${describeValue(list)}`);
        continue;
      }
      for (const [i, domain] of list.entries()) {
        if (typeof domain !== "string") {
          doc.error(["network", key, i], `expected a domain string, got ${describeValue(domain)}`);
          continue;
        }
        if (key === "deniedDomains" && (domain === "*" || domain.startsWith("*:"))) {
          doc.notes.push(`network.deniedDomains[${i}] ${JSON.stringify(domain)}: cordon denies every host not allowed already, so this entry is dropped`);
          continue;
        }
        const entry = parseHostEntry(domain);
        if (!entry.ok) {
          doc.error(["network", key, i], entry.reason, entry.hint);
          continue;
        }
        into.push(entry.rule);
        if (key === "allowedDomains" && entry.rule.ports === undefined) {
          doc.notes.push(`network.allowedDomains[${i}] ${JSON.stringify(domain)}: srt allows every port, cordon allows 80 and 443 (write "${domain}:PORT" for others)`);
        }
      }
    }
  }

  const fs = data["filesystem"];
  if (fs !== undefined && !isRecord(fs)) doc.error(["filesystem"], `expected a mapping, got ${describeValue(fs)}`);
  if (isRecord(fs)) {
    for (const key of Object.keys(fs)) if (!FILESYSTEM_CARRIED.includes(key)) doc.notes.push(`filesystem.${key}: not carried over`);
    for (const [key, into, writable] of [["allowWrite", policy.filesystem.readWrite, true], ["allowRead", policy.filesystem.readOnly, false]] as const) {
      const list = fs[key];
      if (list === undefined) continue;
      if (!Array.isArray(list)) {
        doc.error(["filesystem", key], `expected a list of paths, got ${describeValue(list)}`);
        continue;
      }
      for (const [i, raw] of list.entries()) {
        if (typeof raw !== "string") {
          doc.error(["filesystem", key, i], `expected a path string, got ${describeValue(raw)}`);
          continue;
        }
        if (/[*?[]/.test(raw)) {
          doc.notes.push(`filesystem.${key}[${i}] ${JSON.stringify(raw)}: globs are not supported (Landlock rules are per path); list the directories instead`);
          continue;
        }
        // srt resolves bare relative paths against the working directory; cordon spells that "./".
        const path = raw.startsWith("/") || raw.startsWith("~") || raw === "." || raw.startsWith("./") ? raw : `./${raw}`;
        const check = checkPathSyntax(path, writable);
        if (!check.ok) doc.error(["filesystem", key, i], check.reason, check.hint);
        else if (!into.includes(path)) into.push(path);
      }
    }
    if (fs["allowGitConfig"] === true) policy.filesystem.readOnly.push("~/.gitconfig");
    doc.notes.push("srt lets the command read everything except denyRead; cordon reads only the listed paths plus its defaults (the home directory among them): add readOnly paths the command needs");
    // denyRead is cordon's filesystem.secrets (absolute or ~/ paths, "*" in the last segment).
    const denyRead = fs["denyRead"];
    if (Array.isArray(denyRead)) {
      for (const [i, raw] of denyRead.entries()) {
        const check = typeof raw === "string" ? checkSecretEntry(raw) : { ok: false as const, reason: `expected a path string, got ${describeValue(raw)}` };
        if (check.ok) (policy.filesystem.secrets ??= []).push(raw as string);
        else doc.notes.push(`filesystem.denyRead[${i}] ${JSON.stringify(raw)} not carried over: ${check.reason}`);
      }
    }
    const denyWrite = fs["denyWrite"];
    if (Array.isArray(denyWrite) && denyWrite.length > 0) {
      doc.notes.push(`filesystem.denyWrite (${denyWrite.length} entries) not carried over: Landlock only grants access, so a path cannot be denied inside a writable directory; use filesystem.protected (read-only inside writable directories, in a mount namespace)`);
    }
  }
  return doc.result(policy);
}
