import { BlockList, isIP } from "node:net";

/** Address ranges URL ingestion never reaches unless allow-listed: loopback, private, link-local, metadata and the like. */
const blockedRanges: [string, number, "ipv4" | "ipv6"][] = [
  ["0.0.0.0", 8, "ipv4"], // "this network"; 0.0.0.0 reaches the local host
  ["10.0.0.0", 8, "ipv4"],
  ["100.64.0.0", 10, "ipv4"], // carrier-grade NAT
  ["127.0.0.0", 8, "ipv4"],
  ["169.254.0.0", 16, "ipv4"], // link-local, cloud metadata (169.254.169.254)
  ["172.16.0.0", 12, "ipv4"],
  ["192.0.0.0", 24, "ipv4"], // IETF protocol assignments
  ["192.168.0.0", 16, "ipv4"],
  ["198.18.0.0", 15, "ipv4"], // benchmarking
  ["224.0.0.0", 4, "ipv4"], // multicast
  ["240.0.0.0", 4, "ipv4"], // reserved, broadcast
  ["::", 96, "ipv6"], // unspecified, loopback (::1) and IPv4-compatible forms
  ["::ffff:0:0", 96, "ipv6"], // IPv4-mapped (checked as IPv4 first)
  ["64:ff9b::", 96, "ipv6"], // NAT64: embeds an IPv4 address
  ["fc00::", 7, "ipv6"], // unique local
  ["fe80::", 10, "ipv6"], // link-local
  ["fec0::", 10, "ipv6"], // site-local (deprecated)
  ["ff00::", 8, "ipv6"], // multicast
];

// One list per family: Node's BlockList matches IPv4 addresses against IPv4-mapped IPv6 rules (::ffff:0:0/96 would
// block every IPv4 address), and mapped forms are turned into IPv4 before checking anyway.
const blockedV4 = new BlockList();
const blockedV6 = new BlockList();
for (const [network, prefix, type] of blockedRanges) {
  (type === "ipv4" ? blockedV4 : blockedV6).addSubnet(network, prefix, type);
}

/**
 * An address in canonical form: brackets removed, IPv4-mapped IPv6 (`::ffff:127.0.0.1`, `::ffff:7f00:1`) turned into
 * the IPv4 address it stands for, so a mapped form cannot slip past the IPv4 rules.
 */
export function canonicalAddress(address: string): string {
  const bare = address.replace(/^\[|\]$/g, "").toLowerCase();
  if (isIP(bare) !== 6) return bare;
  // The URL parser writes IPv6 in its shortest form; mapped addresses come out as ::ffff:xxxx:yyyy.
  const normalised = new URL(`http://[${bare}]/`).hostname.replace(/^\[|\]$/g, "");
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(normalised);
  if (!mapped) return normalised;
  const high = Number.parseInt(mapped[1]!, 16);
  const low = Number.parseInt(mapped[2]!, 16);
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join(".");
}

/** True when an address is loopback, private, link-local, unique-local, CGNAT, metadata, multicast or reserved. */
export function isBlockedAddress(address: string): boolean {
  const canonical = canonicalAddress(address);
  const version = isIP(canonical);
  if (version === 0) return true;
  return version === 4 ? blockedV4.check(canonical, "ipv4") : blockedV6.check(canonical, "ipv6");
}

/** Which hosts and addresses URL ingestion may reach. */
export interface AddressPolicy {
  /** True when the host name itself is allow-listed (any address it resolves to may then be reached). */
  hostAllowed(hostname: string): boolean;
  /** True when the address is public, or allow-listed by an address or CIDR entry. */
  addressAllowed(address: string): boolean;
}

/**
 * The policy from `URL_ALLOWLIST` entries: host names (exact, case-insensitive) and addresses or CIDR ranges. Every
 * public address is allowed; blocked ones ({@link isBlockedAddress}) only when an entry covers them.
 */
export function createAddressPolicy(allowlist: readonly string[]): AddressPolicy {
  const hosts = new Set<string>();
  const allowedV4 = new BlockList();
  const allowedV6 = new BlockList();
  for (const entry of allowlist) {
    const [address = "", prefix] = entry.split("/");
    const canonical = canonicalAddress(address);
    const version = isIP(canonical);
    if (version === 0) hosts.add(entry.toLowerCase());
    else if (version === 4) {
      if (prefix === undefined) allowedV4.addAddress(canonical, "ipv4");
      else allowedV4.addSubnet(canonical, Number(prefix), "ipv4");
    } else if (prefix === undefined) allowedV6.addAddress(canonical, "ipv6");
    else allowedV6.addSubnet(canonical, Number(prefix), "ipv6");
  }
  return {
    hostAllowed: (hostname) => hosts.has(hostname.replace(/^\[|\]$/g, "").toLowerCase()),
    addressAllowed: (address) => {
      const canonical = canonicalAddress(address);
      if (!isBlockedAddress(canonical)) return true;
      const version = isIP(canonical);
      if (version === 4) return allowedV4.check(canonical, "ipv4");
      return version === 6 && allowedV6.check(canonical, "ipv6");
    },
  };
}
