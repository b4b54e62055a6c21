// The gateway's workloads, from two directories: policies (`<workload>.yaml|.yml|.json`,
// typically a mounted ConfigMap) and credentials (`<workload>`, typically a mounted Secret).
// Reloaded when either changes; a broken file keeps that workload's last good version.
import { readdirSync, readFileSync, watch, type FSWatcher } from "node:fs";
import { join } from "node:path";
import type { HostMatcher } from "../policy-types.js";
import { credentialDigest, presentedCredentials, sameDigest, tokenFromFile } from "./credentials.js";
import type { Tenant, TenantDirectory } from "./tenant-context.js";
import { compileTenantPolicy } from "./tenant-policy.js";

// A DNS label: also what Kubernetes allows as a ConfigMap key prefix and a Secret key.
const WORKLOAD_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const POLICY_FILE = /^(.+)\.(ya?ml|json)$/;

export type TenantEvent =
  | { type: "workload-loaded"; workload: string; rules: number }
  | { type: "workload-removed"; workload: string }
  | { type: "workload-error"; workload: string; message: string; kept: boolean };

interface Entry {
  tenant: Tenant;
  digest: Buffer;
  policyText: string;
  credentialText: string;
}

export interface TenantTableOptions {
  policiesDir: string;
  credentialsDir: string;
  onEvent?: (event: TenantEvent) => void;
}

export class TenantTable implements TenantDirectory {
  private entries = new Map<string, Entry>();
  private watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  private reloads = 0;

  constructor(private readonly options: TenantTableOptions) {}

  get size(): number {
    return this.entries.size;
  }

  get names(): string[] {
    return [...this.entries.keys()].sort();
  }

  /** How many times the directories were read (the first load included). */
  get reloadCount(): number {
    return this.reloads;
  }

  authenticate(header: string | undefined): Tenant | undefined {
    const presented = presentedCredentials(header);
    if (!presented) return undefined;
    const entry = this.entries.get(presented.workload);
    if (!entry || !sameDigest(entry.digest, presented.digest)) return undefined;
    return entry.tenant;
  }

  /** Reads both directories now; throws only if a directory cannot be listed. */
  reload(): void {
    this.reloads++;
    const emit = this.options.onEvent ?? (() => {});
    const next = new Map<string, Entry>();
    const seen = new Set<string>();
    // Dot names are the ConfigMap/Secret machinery (..data, ..2026_...); skip them.
    for (const file of readdirSync(this.options.policiesDir).filter((f) => !f.startsWith(".")).sort()) {
      const m = POLICY_FILE.exec(file);
      if (!m) continue;
      const workload = m[1]!;
      const previous = this.entries.get(workload);
      if (seen.has(workload)) {
        emit({ type: "workload-error", workload, message: `more than one policy file for ${workload}`, kept: false });
        next.delete(workload);
        continue;
      }
      seen.add(workload);
      if (!WORKLOAD_NAME.test(workload)) {
        emit({ type: "workload-error", workload, message: `${JSON.stringify(workload)} is not a valid workload name (a DNS label: a-z, 0-9, -)`, kept: false });
        continue;
      }
      try {
        const policyText = readFileSync(join(this.options.policiesDir, file), "utf8");
        const credentialText = readFileSync(join(this.options.credentialsDir, workload), "utf8");
        if (previous && previous.policyText === policyText && previous.credentialText === credentialText) {
          next.set(workload, previous);
          continue;
        }
        const token = tokenFromFile(workload, credentialText);
        const { matcher, rules } = compileTenantPolicy(policyText, file);
        next.set(workload, { tenant: tenant(workload, matcher), digest: credentialDigest(workload, token), policyText, credentialText });
        emit({ type: "workload-loaded", workload, rules });
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        const message = err.code === "ENOENT" ? `no credentials file ${workload} in ${this.options.credentialsDir}` : err.message;
        if (previous) next.set(workload, previous);
        emit({ type: "workload-error", workload, message, kept: previous !== undefined });
      }
    }
    for (const workload of this.entries.keys()) if (!next.has(workload) && !seen.has(workload)) emit({ type: "workload-removed", workload });
    this.entries = next;
  }

  /** Reloads shortly after anything changes in either directory (a ConfigMap update is a `..data` symlink swap). */
  watch(reload: () => void = () => this.reload(), debounceMs = 200): void {
    const schedule = () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => {
        try {
          reload();
        } catch (e) {
          this.options.onEvent?.({ type: "workload-error", workload: "*", message: (e as Error).message, kept: true });
        }
      }, debounceMs);
    };
    for (const dir of new Set([this.options.policiesDir, this.options.credentialsDir])) {
      this.watchers.push(watch(dir, { persistent: false }, schedule));
    }
  }

  close(): void {
    clearTimeout(this.timer);
    for (const w of this.watchers.splice(0)) w.close();
  }
}

function tenant(name: string, matcher: HostMatcher): Tenant {
  return { name, matcher };
}
