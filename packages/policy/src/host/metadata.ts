import { canonicalizeHost } from "./canonicalize.js";

// Cloud instance metadata endpoints hand out the machine's credentials: a refusal to reach one is
// never answered with an "allow it" suggestion.
const NAMES = new Set(["metadata.google.internal", "metadata.goog", "metadata", "instance-data", "instance-data.ec2.internal", "metadata.azure.internal", "metadata.tencentyun.com"]);
const IPV4 = new Set(["169.254.169.254", "169.254.169.253", "169.254.170.2", "169.254.170.23", "100.100.100.200", "168.63.129.16"]);

/** Whether a host (any spelling) is a cloud metadata endpoint, or link-local where they live. */
export function isCloudMetadataHost(host: string): boolean {
  const c = canonicalizeHost(host.replace(/^\[(.*)\]$/, "$1"));
  if (c.kind === "invalid") return false;
  if (c.kind === "domain") return NAMES.has(c.value);
  if (c.kind === "ipv4") return IPV4.has(c.value) || c.value.startsWith("169.254.");
  return /^fd00:ec2:/.test(c.value) || /^fe[89ab][0-9a-f]?:/.test(c.value);
}
