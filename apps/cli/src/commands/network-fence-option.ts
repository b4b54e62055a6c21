import type { Options } from "yargs";
import type { NetworkFence } from "@cordon/sandbox";
import { UsageError } from "../usage-error.js";

/** The user's statement that a fence outside cordon (a cluster NetworkPolicy) is in place. */
export const NETWORK_FENCE_OPTION = {
  "network-fence": {
    type: "string",
    choices: ["networkpolicy", "none"],
    describe:
      "State that a cluster NetworkPolicy lets the pod out only through cordon's proxy (closes Landlock-only isolation's any-host-on-the-proxy-port gap); default: $CORDON_NETWORK_FENCE",
  },
} satisfies Record<string, Options>;

export const NETWORK_FENCE_ENV = "CORDON_NETWORK_FENCE";

/**
 * The fence the user states: the flag, else CORDON_NETWORK_FENCE (the generated Kubernetes
 * manifests set it). Never read from a policy file: a hostile repository could ship one.
 */
export function networkFenceFrom(flag: string | undefined, env: NodeJS.ProcessEnv): NetworkFence | undefined {
  const fromEnv = env[NETWORK_FENCE_ENV];
  const value = flag ?? (fromEnv === undefined || fromEnv === "" ? undefined : fromEnv);
  if (value === undefined || value === "none") return undefined;
  if (value !== "networkpolicy") {
    throw new UsageError(`${flag !== undefined ? "--network-fence" : NETWORK_FENCE_ENV}: expected "networkpolicy" or "none", got ${JSON.stringify(value)}`);
  }
  return value;
}
