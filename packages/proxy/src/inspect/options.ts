// What the embedder hands the proxy for TLS inspection (plain data: it crosses into the worker).
import type { HttpRules } from "@cordon/policy";

export interface InjectedCredential {
  /** How it is named in reports ("header Authorization from $GH_TOKEN"): never the value. */
  name: string;
  secret: string;
  /** What the command holds instead; replaced by the secret on the way out, put back on the way in. */
  placeholder?: string;
  header?: string;
  prefix?: string;
  basic?: string;
  query?: string;
  allowPlainHttp?: boolean;
}

export interface InspectHost {
  /** A host pattern as in the allowlist; the first entry matching host and port applies. */
  host: string;
  /** Absent: any port the allowlist allows. */
  ports?: number[];
  http?: HttpRules;
  credentials?: InjectedCredential[];
}

export interface InspectOptions {
  hosts: InspectHost[];
  /** PEM certificates trusted for upstream servers besides the system store (tests, private CAs). */
  upstreamCa?: string[];
  /** Set: credentials are never injected and their hosts are refused, with this explanation. */
  credentialsBlocked?: string;
}
