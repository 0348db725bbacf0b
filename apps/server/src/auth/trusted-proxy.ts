import { BlockList, isIP } from "node:net";
import type { Context, MiddlewareHandler } from "hono";
import { canonicalAddress } from "../services/documents/address-policy.js";

/**
 * Which reverse proxies in front of the server may say who the client is (`TRUST_PROXY`): a number of proxy hops
 * (each hop's `X-Forwarded-For` entry is believed, counting from the socket's peer) or the proxies' addresses and
 * CIDR ranges. Without it no forwarded header is believed.
 */
export type TrustProxy = { hops: number } | { addresses: string[] };

/** Who the client is, as far as the server can tell. */
export interface ClientInfo {
  /** The client's address: the socket's peer, or what trusted proxies forwarded; "unknown" without either. */
  address: string;
  /** True when the client reached us over HTTPS, directly or as a trusted proxy says (`X-Forwarded-Proto`). */
  https: boolean;
  /** The host the client addressed: a trusted proxy's `X-Forwarded-Host`, else the request's own (lower case). */
  host: string;
}

declare module "hono" {
  interface ContextVariableMap {
    /** The client as {@link resolveClient} worked it out. */
    client: ClientInfo;
  }
}

/** What {@link clientFrom} reads from a request. */
export interface ClientEvidence {
  /** The socket's peer address, when there is a socket. */
  peer: string | undefined;
  /** The `X-Forwarded-For` header. */
  forwardedFor: string | undefined;
  /** The `X-Forwarded-Proto` header. */
  forwardedProto: string | undefined;
  /** The `X-Forwarded-Host` header. */
  forwardedHost?: string | undefined;
  /** True when the request's own URL is https. */
  https: boolean;
  /** The host of the request's own URL. */
  host?: string | undefined;
}

/** Builds the check "is this address one of the trusted proxies" for an address list (IPv4 and IPv6 kept apart). */
function trustedAddressCheck(addresses: readonly string[]): (address: string) => boolean {
  const v4 = new BlockList();
  const v6 = new BlockList();
  for (const entry of addresses) {
    const [address = "", prefix] = entry.split("/");
    const canonical = canonicalAddress(address);
    const family = isIP(canonical) === 4 ? "ipv4" : "ipv6";
    const list = family === "ipv4" ? v4 : v6;
    if (prefix === undefined) list.addAddress(canonical, family);
    else list.addSubnet(canonical, Number(prefix), family);
  }
  return (address) => {
    const canonical = canonicalAddress(address);
    const version = isIP(canonical);
    return version === 4 ? v4.check(canonical, "ipv4") : version === 6 && v6.check(canonical, "ipv6");
  };
}

/**
 * Works out the client from a request's evidence. With a hop count N, the peer and the last N - 1 `X-Forwarded-For`
 * entries are proxies and the entry before them is the client (without a socket, as in tests, the peer is taken
 * as the first hop). With addresses, entries are skipped from the right while the hop that reported them is a trusted
 * proxy. An entry that is not an address ends the walk at the proxy that sent it. `X-Forwarded-Proto` and
 * `X-Forwarded-Host` count only when the peer itself is trusted.
 */
export function createClientResolver(
  trust: TrustProxy | undefined,
): (evidence: ClientEvidence) => ClientInfo {
  const isTrusted = trust && "addresses" in trust ? trustedAddressCheck(trust.addresses) : undefined;
  const hops = trust && "hops" in trust ? trust.hops : 0;
  const isAddress = (entry: string) => isIP(canonicalAddress(entry)) !== 0;
  return (evidence) => {
    const forwarded = (evidence.forwardedFor ?? "")
      .split(",")
      .map((entry) => entry.trim())
      .filter(Boolean);
    const peer = evidence.peer;
    const peerTrusted = isTrusted ? peer !== undefined && isTrusted(peer) : hops > 0;
    let address = peer;
    if (peerTrusted) {
      // From the right: each step believes one more entry, while the hop that reported it is trusted.
      for (let index = forwarded.length - 1, believed = 1; index >= 0; index -= 1, believed += 1) {
        const reporter = address;
        const reporterTrusted = isTrusted ? reporter !== undefined && isTrusted(reporter) : believed <= hops;
        if (!reporterTrusted || !isAddress(forwarded[index]!)) break;
        address = forwarded[index];
      }
    }
    const proto = evidence.forwardedProto?.split(",")[0]?.trim().toLowerCase();
    const forwardedHost = peerTrusted ? evidence.forwardedHost?.split(",")[0]?.trim() : undefined;
    return {
      address: address ?? "unknown",
      https: evidence.https || (peerTrusted && proto === "https"),
      host: (forwardedHost || evidence.host || "").toLowerCase(),
    };
  };
}

/** Options for {@link resolveClient}. */
export interface ResolveClientOptions {
  /** The trusted proxies (`TRUST_PROXY`); none when omitted. */
  trustProxy?: TrustProxy | undefined;
}

/**
 * Middleware that puts the client's address and scheme on the context as `client`, believing `X-Forwarded-For` and
 * `X-Forwarded-Proto` only from the proxies `TRUST_PROXY` names. Read it with `clientAddress(c)` and `isHttps(c)`.
 */
export function resolveClient(options: ResolveClientOptions = {}): MiddlewareHandler {
  const resolve = createClientResolver(options.trustProxy);
  return async (c, next) => {
    c.set("client", resolve(evidenceOf(c)));
    return next();
  };
}

/** The evidence of a request: the Node socket's peer (from `@hono/node-server`'s `incoming`) and the headers. */
export function evidenceOf(c: Context): ClientEvidence {
  const environment = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  const url = new URL(c.req.url);
  return {
    peer: environment?.incoming?.socket?.remoteAddress,
    forwardedFor: c.req.header("x-forwarded-for"),
    forwardedProto: c.req.header("x-forwarded-proto"),
    forwardedHost: c.req.header("x-forwarded-host"),
    https: url.protocol === "https:",
    host: url.host,
  };
}
