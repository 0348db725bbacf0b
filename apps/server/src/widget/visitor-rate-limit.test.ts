import { describe, expect, it } from "vitest";
import { VisitorRateLimit } from "./visitor-rate-limit.js";

describe("VisitorRateLimit", () => {
  it("allows `limit` requests a minute per visitor, then says when to come back", () => {
    let now = 1_000_000;
    const limit = new VisitorRateLimit({ now: () => now });
    expect(limit.take("a", 2)).toEqual({ allowed: true });
    now += 10_000;
    expect(limit.take("a", 2)).toEqual({ allowed: true });
    expect(limit.take("a", 2)).toEqual({ allowed: false, retryAfterSeconds: 50 });
    expect(limit.take("b", 2)).toEqual({ allowed: true });
    now += 50_000;
    expect(limit.take("a", 2)).toEqual({ allowed: true });
  });

  it("forgets the oldest visitor past its capacity", () => {
    const limit = new VisitorRateLimit({ maxVisitors: 2, now: () => 0 });
    limit.take("a", 1);
    limit.take("b", 1);
    limit.take("c", 1);
    expect(limit.take("a", 1)).toEqual({ allowed: true });
    expect(limit.take("c", 1)).toEqual({ allowed: false, retryAfterSeconds: 60 });
  });
});
