import { afterEach, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../testing/test-server.js";

const login = (
  server: TestServer,
  input: { email: string; password: string; peer: string; headers?: Record<string, string> },
) =>
  server.app.request(
    "/api/auth/login",
    {
      method: "POST",
      headers: { "content-type": "application/json", ...input.headers },
      body: JSON.stringify({ email: input.email, password: input.password }),
    },
    { incoming: { socket: { remoteAddress: input.peer } } },
  );

describe("login throttling and forwarded headers", () => {
  let server: TestServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("ignores X-Forwarded-For without TRUST_PROXY, so rotating it does not reset the count", async () => {
    server = await createTestServer();
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const wrong = await login(server, {
        email: "admin@example.com",
        password: "wrong-password",
        peer: "127.0.0.1",
        headers: { "x-forwarded-for": `198.51.100.${attempt}` },
      });
      expect(wrong.status).toBe(401);
    }
    const sixth = await login(server, {
      email: "admin@example.com",
      password: "wrong-password",
      peer: "127.0.0.1",
      headers: { "x-forwarded-for": "198.51.100.99" },
    });
    expect(sixth.status).toBe(429);
    // Nor does X-Forwarded-Proto make the cookie Secure.
    const fresh = await login(server, {
      email: "admin@example.com",
      password: "admin-password-1",
      peer: "10.9.9.9",
      headers: { "x-forwarded-proto": "https" },
    });
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get("set-cookie")).not.toContain("Secure");
  });

  it("does not lock the owner out from their own address after a stranger's wrong guesses", async () => {
    server = await createTestServer();
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const wrong = await login(server, {
        email: "admin@example.com",
        password: "guess",
        peer: "203.0.113.66",
      });
      expect(wrong.status).toBe(401);
    }
    const stranger = await login(server, {
      email: "admin@example.com",
      password: "admin-password-1",
      peer: "203.0.113.66",
    });
    expect(stranger.status).toBe(429);
    const owner = await login(server, {
      email: "admin@example.com",
      password: "admin-password-1",
      peer: "198.51.100.7",
    });
    expect(owner.status).toBe(200);
  });

  it("believes the proxies TRUST_PROXY names: their X-Forwarded-For is the audited and throttled address", async () => {
    server = await createTestServer({ environment: { TRUST_PROXY: "127.0.0.1" } });
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await login(server, {
        email: "admin@example.com",
        password: "wrong-password",
        peer: "127.0.0.1",
        headers: { "x-forwarded-for": "203.0.113.66" },
      });
    }
    const sameClient = await login(server, {
      email: "admin@example.com",
      password: "admin-password-1",
      peer: "127.0.0.1",
      headers: { "x-forwarded-for": "203.0.113.66" },
    });
    expect(sameClient.status).toBe(429);
    const otherClient = await login(server, {
      email: "admin@example.com",
      password: "admin-password-1",
      peer: "127.0.0.1",
      headers: { "x-forwarded-for": "198.51.100.7", "x-forwarded-proto": "https" },
    });
    expect(otherClient.status).toBe(200);
    expect(otherClient.headers.get("set-cookie")).toContain("Secure");
    const audited = server.deps.kb.db
      .prepare("SELECT ip FROM audit_events WHERE action = 'auth.login' ORDER BY id DESC LIMIT 1")
      .get();
    expect(audited).toEqual({ ip: "198.51.100.7" });
  });
});
