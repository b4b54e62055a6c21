import type ipaddrModule from "ipaddr.js";
import { lazyRequire } from "../lazy.js";

/** ipaddr.js, loaded when an IPv6 literal or a CIDR is first met (most policies have neither). */
export const ipaddr = lazyRequire<typeof ipaddrModule>("ipaddr.js");
export type { ipaddrModule };
