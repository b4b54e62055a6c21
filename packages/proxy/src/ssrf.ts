// The resolved-address guard. Anything that is not ordinary public unicast
// (loopback, link-local, cloud metadata, private, multicast, ...) is refused unless
// the matching rule's allowedIps covers it. IPv6 forms that embed an IPv4 address
// (mapped, compatible, NAT64, 6to4, Teredo) are judged by the address they embed too.
import { isIPv4 } from "node:net";
import { ipaddr, type ipaddrModule } from "./ipaddr.js";

type Addr = ipaddrModule.IPv4 | ipaddrModule.IPv6;
type Cidr = [Addr, number];

// Order matters: the first match names the category, so specific entries come first.
const SPECIAL_V4: Array<[string, string]> = [
  ["169.254.169.254/32", "cloud-metadata"],
  ["169.254.169.253/32", "cloud-metadata"],
  ["169.254.170.2/32", "cloud-metadata"],
  ["100.100.100.200/32", "cloud-metadata"],
  ["168.63.129.16/32", "cloud-metadata"],
  ["255.255.255.255/32", "broadcast"],
  ["0.0.0.0/8", "unspecified"],
  ["127.0.0.0/8", "loopback"],
  ["169.254.0.0/16", "link-local"],
  ["10.0.0.0/8", "private"],
  ["172.16.0.0/12", "private"],
  ["192.168.0.0/16", "private"],
  ["100.64.0.0/10", "shared-address-space"],
  ["192.0.0.0/24", "ietf-protocol"],
  ["192.0.2.0/24", "documentation"],
  ["198.51.100.0/24", "documentation"],
  ["203.0.113.0/24", "documentation"],
  ["198.18.0.0/15", "benchmarking"],
  ["192.88.99.0/24", "6to4-relay"],
  ["224.0.0.0/4", "multicast"],
  ["240.0.0.0/4", "reserved"],
];

const SPECIAL_V6: Array<[string, string]> = [
  ["fd00:ec2::254/128", "cloud-metadata"],
  ["fd00:ec2::/32", "cloud-metadata"],
  ["::/128", "unspecified"],
  ["::1/128", "loopback"],
  ["::/96", "ipv4-compatible"],
  ["64:ff9b:1::/48", "nat64-local"],
  ["fe80::/10", "link-local"],
  ["fec0::/10", "site-local"],
  ["fc00::/7", "private"],
  ["ff00::/8", "multicast"],
  ["100::/64", "discard"],
  ["2001:db8::/32", "documentation"],
  ["2001:2::/48", "benchmarking"],
];

type SpecialTable = ReadonlyArray<readonly [ReturnType<typeof ipaddrModule.parseCIDR>, string]>;
let tables: { v4: SpecialTable; v6: SpecialTable } | undefined;
/** Parsed on first use, like ipaddr.js itself. */
function specialTables(): { v4: SpecialTable; v6: SpecialTable } {
  return (tables ??= {
    v4: SPECIAL_V4.map(([cidr, name]) => [ipaddr().parseCIDR(cidr), name] as const),
    v6: SPECIAL_V6.map(([cidr, name]) => [ipaddr().parseCIDR(cidr), name] as const),
  });
}

function v4FromBytes(bytes: number[]): ipaddrModule.IPv4 {
  return new (ipaddr().IPv4)(bytes);
}

/** IPv4 addresses an IPv6 address carries, with the form that carries them. */
function embeddedV4(addr: ipaddrModule.IPv6): Array<{ v4: ipaddrModule.IPv4; form: string }> {
  const b = addr.toByteArray();
  const out: Array<{ v4: ipaddrModule.IPv4; form: string }> = [];
  const range = addr.range();
  if (range === "ipv4Mapped") out.push({ v4: addr.toIPv4Address(), form: "ipv4-mapped" });
  if (range === "rfc6145") out.push({ v4: v4FromBytes(b.slice(12)), form: "ipv4-translated" });
  if (range === "rfc6052") out.push({ v4: v4FromBytes(b.slice(12)), form: "nat64" });
  if (range === "6to4") out.push({ v4: v4FromBytes(b.slice(2, 6)), form: "6to4" });
  if (range === "teredo") out.push({ v4: v4FromBytes(b.slice(12).map((x: number) => x ^ 0xff)), form: "teredo" });
  if (addr.match(ipaddr().parseCIDR("::/96")) && !addr.match(ipaddr().parseCIDR("::/127")))
    out.push({ v4: v4FromBytes(b.slice(12)), form: "ipv4-compatible" });
  return out;
}

function categoryOf(addr: Addr): string | undefined {
  if (addr.kind() === "ipv4") {
    for (const [cidr, name] of specialTables().v4) if (cidr[0].kind() === "ipv4" && addr.match(cidr as Cidr)) return name;
    return undefined;
  }
  const v6 = addr as ipaddrModule.IPv6;
  for (const [cidr, name] of specialTables().v6) if (cidr[0].kind() === "ipv6" && v6.match(cidr as Cidr)) return name;
  for (const { v4, form } of embeddedV4(v6)) {
    const inner = categoryOf(v4);
    if (inner) return `${inner} (${form})`;
  }
  return undefined;
}

// Rules repeat their allowedIps on every request: parse each distinct list once.
const parsedLists = new Map<string, Cidr[]>();
const MAX_CACHED_LISTS = 1024;

function parseCidrs(cidrs: readonly string[]): Cidr[] {
  const key = cidrs.join(",");
  const cached = parsedLists.get(key);
  if (cached) return cached;
  const out = parseCidrList(cidrs);
  if (parsedLists.size >= MAX_CACHED_LISTS) parsedLists.clear();
  parsedLists.set(key, out);
  return out;
}

function parseCidrList(cidrs: readonly string[]): Cidr[] {
  const out: Cidr[] = [];
  for (const text of cidrs) {
    try {
      out.push(text.includes("/") ? ipaddr().parseCIDR(text) : [ipaddr().parse(text), ipaddr().parse(text).kind() === "ipv4" ? 32 : 128]);
    } catch {
      // An unparsable entry covers nothing; policy validation reports it.
    }
  }
  return out;
}

function covered(addr: Addr, cidrs: Cidr[]): boolean {
  const candidates: Addr[] = [addr];
  if (addr.kind() === "ipv6") for (const { v4 } of embeddedV4(addr as ipaddrModule.IPv6)) candidates.push(v4);
  return candidates.some((a) => cidrs.some((c) => c[0].kind() === a.kind() && a.match(c)));
}

export type AddressVerdict = { allowed: true; category?: string } | { allowed: false; category: string };

/** Judges one resolved address against the rule's allowedIps. */
export function checkAddress(address: string, allowedIps: readonly string[]): AddressVerdict {
  let addr: Addr;
  try {
    addr = isIPv4(address) ? ipaddr().IPv4.parse(address) : ipaddr().parse(address);
  } catch {
    return { allowed: false, category: "unparsable" };
  }
  const category = categoryOf(addr);
  if (category === undefined) return { allowed: true };
  if (covered(addr, parseCidrs(allowedIps))) return { allowed: true, category };
  return { allowed: false, category };
}
