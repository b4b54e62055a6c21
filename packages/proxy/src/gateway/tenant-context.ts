// The one hook the gateway needs inside the proxy: a request's context derived
// from the workload (tenant) its credentials name. The handlers (connect, forward)
// are unchanged; they see this tenant's allowlist and label their events with it.
import type { IncomingMessage } from "node:http";
import { compileHostRules } from "@cordon/policy";
import type { ProxyContext } from "../context.js";
import type { HostMatcher } from "../policy-types.js";

export interface Tenant {
  /** The workload's name: the user part of its proxy credentials, and the label on its events. */
  readonly name: string;
  /** The allowlist as of the request (a reload swaps it for later requests only). */
  readonly matcher: HostMatcher;
}

/** Who sent a request, from its Proxy-Authorization header; undefined means 407. */
export interface TenantDirectory {
  authenticate(proxyAuthorization: string | undefined): Tenant | undefined;
}

const NOTHING_ALLOWED = compileHostRules({ allow: [], deny: [] });

export function tenantContext(base: ProxyContext, tenants: TenantDirectory, req: IncomingMessage): ProxyContext {
  const tenant = tenants.authenticate(req.headers["proxy-authorization"]);
  const label = tenant ? { tenant: tenant.name } : {};
  return {
    ...base,
    preflight(r) {
      // Credentials first: base.preflight moves an authenticated connection into the counted budget.
      if (!tenant) {
        return { reason: "auth-required", message: "this gateway needs the workload's credentials (Proxy-Authorization: Basic <workload>:<token>)" };
      }
      return base.preflight(r);
    },
    gate: () => ({ ...base.gate(), matcher: tenant?.matcher ?? NOTHING_ALLOWED }),
    decided: (e) => base.decided({ ...e, ...label }),
    tunnelClosed: (e) => base.tunnelClosed({ ...e, ...label }),
    requestClosed: (e) => base.requestClosed({ ...e, ...label }),
  };
}
