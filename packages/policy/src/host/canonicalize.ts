import { domainToASCII } from "node:url";
import { ipaddr } from "./ipaddr.js";

export type CanonicalHost =
  | { kind: "domain" | "ipv4" | "ipv6"; value: string }
  | { kind: "invalid"; reason: string };

const MAX_NAME_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;
// After IDN conversion a label is ASCII letters, digits, hyphens; underscores occur in real names (_srv, CDN hosts).
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?$/;
// domainToASCII already rewrote every IPv4 spelling to a dotted quad of 0-255, so
// the shape alone decides. (ipaddr's validator costs ~10 µs a call by throwing,
// and this runs on every proxy request.)
const DOTTED_QUAD = /^(?:\d{1,3}\.){3}\d{1,3}$/;

/**
 * Canonicalise a host as a browser would: lowercase, no trailing dot, IDN → punycode,
 * IPv4 in any WHATWG spelling (127.1, 0x7f.0.0.1, 2130706433, 017700000001) → dotted quad,
 * IPv6 → RFC 5952 without brackets, IPv4-mapped IPv6 → the IPv4 address.
 */
export function canonicalizeHost(input: string): CanonicalHost {
  if (typeof input !== "string") return invalid("not a string");
  if (input.length === 0) return invalid("empty host");
  if (input.length > MAX_NAME_LENGTH + 1) return invalid(`longer than ${MAX_NAME_LENGTH} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(input)) return invalid("contains a control character");
  if (input.includes("%")) return invalid("contains '%' (zone ids and percent-encoding are not allowed)");
  if (/\s/.test(input)) return invalid("contains whitespace");

  let text = input;
  if (text.startsWith("[") || text.endsWith("]")) {
    if (!(text.startsWith("[") && text.endsWith("]"))) return invalid("unbalanced brackets");
    text = text.slice(1, -1);
    if (!text.includes(":")) return invalid("brackets are only for IPv6 addresses");
  }
  if (text.includes(":")) return canonicalIpv6(text);

  if (text.endsWith(".")) text = text.slice(0, -1);
  if (text.length === 0) return invalid("empty host");
  if (text.split(".").some((label) => label === "")) return invalid("empty label");

  // WHATWG host parsing: lowercases, converts IDN, and normalises every IPv4 spelling.
  const ascii = domainToASCII(text);
  if (ascii === "") return invalid("not a valid host name or IPv4 address");
  if (DOTTED_QUAD.test(ascii)) return { kind: "ipv4", value: ascii };
  return checkDomain(ascii);
}

function canonicalIpv6(text: string): CanonicalHost {
  if (!ipaddr().IPv6.isValid(text)) return invalid("not a valid IPv6 address");
  const address = ipaddr().IPv6.parse(text);
  if (address.isIPv4MappedAddress()) return { kind: "ipv4", value: address.toIPv4Address().toString() };
  return { kind: "ipv6", value: address.toRFC5952String() };
}

function checkDomain(name: string): CanonicalHost {
  if (name.length > MAX_NAME_LENGTH) return invalid(`longer than ${MAX_NAME_LENGTH} characters`);
  for (const label of name.split(".")) {
    if (label.length === 0) return invalid("empty label");
    if (label.length > MAX_LABEL_LENGTH) return invalid(`label "${label.slice(0, 20)}..." is longer than ${MAX_LABEL_LENGTH} characters`);
    if (!LABEL.test(label)) return invalid(`label "${label}" may only contain letters, digits, '-' and '_' and not start or end with '-'`);
  }
  // A name whose last label is numeric would have been parsed as IPv4 (or rejected) by WHATWG rules.
  return { kind: "domain", value: name };
}

function invalid(reason: string): CanonicalHost {
  return { kind: "invalid", reason };
}
