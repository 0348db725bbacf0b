import { describe, expect, it } from "vitest";
import { createClientResolver } from "./trusted-proxy.js";

const evidence = (
  peer: string | undefined,
  forwardedFor?: string,
  forwardedProto?: string,
  forwardedHost?: string,
) => ({
  peer,
  forwardedFor,
  forwardedProto,
  forwardedHost,
  https: false,
  host: "App.Internal:3000",
});
const host = "app.internal:3000";

describe("createClientResolver", () => {
  it("believes no forwarded header without TRUST_PROXY, from loopback and private peers too", () => {
    const resolve = createClientResolver(undefined);
    for (const peer of ["127.0.0.1", "10.0.0.2", "::1", "203.0.113.5"]) {
      expect(resolve(evidence(peer, "198.51.100.1", "https"))).toEqual({ address: peer, https: false, host });
    }
    expect(resolve(evidence(undefined, "198.51.100.1"))).toEqual({ address: "unknown", https: false, host });
  });

  it("with a hop count, takes the entry that many hops from the peer", () => {
    const one = createClientResolver({ hops: 1 });
    expect(one(evidence("10.0.0.2", "203.0.113.7, 198.51.100.1", "https"))).toEqual({
      address: "198.51.100.1",
      https: true,
      host,
    });
    expect(one(evidence("10.0.0.2"))).toEqual({ address: "10.0.0.2", https: false, host });
    const two = createClientResolver({ hops: 2 });
    expect(two(evidence("10.0.0.2", "203.0.113.7, 198.51.100.1")).address).toBe("203.0.113.7");
    // More hops than entries: the leftmost entry; a forged non-address ends the walk before it.
    expect(createClientResolver({ hops: 5 })(evidence("10.0.0.2", "203.0.113.7, 198.51.100.1")).address).toBe(
      "203.0.113.7",
    );
    expect(two(evidence("10.0.0.2", "not-an-ip, 198.51.100.1")).address).toBe("198.51.100.1");
  });

  it("with addresses, skips trusted proxies from the right and believes nothing from other peers", () => {
    const resolve = createClientResolver({ addresses: ["127.0.0.1", "10.0.0.0/8"] });
    expect(resolve(evidence("127.0.0.1", "203.0.113.7, 10.1.2.3", "https"))).toEqual({
      address: "203.0.113.7",
      https: true,
      host,
    });
    // A client's own forged entry sits left of the real one and is never reached.
    expect(resolve(evidence("::ffff:127.0.0.1", "1.2.3.4, 203.0.113.7")).address).toBe("203.0.113.7");
    expect(resolve(evidence("192.168.1.9", "203.0.113.7", "https"))).toEqual({
      address: "192.168.1.9",
      https: false,
      host,
    });
    expect(resolve(evidence(undefined, "203.0.113.7")).address).toBe("unknown");
  });

  it("believes X-Forwarded-Host only from a trusted proxy", () => {
    const forwarded = evidence("10.0.0.2", "203.0.113.7", "https", "Zhiku.Example.com, inner.example");
    expect(createClientResolver(undefined)(forwarded).host).toBe(host);
    expect(createClientResolver({ addresses: ["192.168.0.0/16"] })(forwarded).host).toBe(host);
    expect(createClientResolver({ hops: 1 })(forwarded).host).toBe("zhiku.example.com");
    expect(createClientResolver({ addresses: ["10.0.0.0/8"] })(forwarded).host).toBe("zhiku.example.com");
  });
});
