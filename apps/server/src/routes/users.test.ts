import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../testing/test-server.js";

const json = (method: string, body: unknown): RequestInit => ({
  method,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

describe("/users", () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await createTestServer();
  });

  afterEach(async () => {
    await server.close();
  });

  it("leaves an admin when two admins demote each other at once", async () => {
    const other = await server.createUser({ email: "second-admin@example.com", role: "admin" });
    // With a password reset each request waits for hashing, so both are in flight together.
    const [first, second] = await Promise.all([
      server.request(
        `/api/users/${other.user.id}`,
        json("PATCH", { role: "member", password: "new-password-1" }),
      ),
      other.request(
        `/api/users/${server.admin.user.id}`,
        json("PATCH", { role: "member", password: "new-password-2" }),
      ),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 409]);
    const refused = first.status === 409 ? first : second;
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("conflict:last_admin");
    const admins = server.deps.kb.db
      .prepare("SELECT COUNT(*) AS count FROM users WHERE role = 'admin'")
      .get();
    expect(admins).toEqual({ count: 1 });
  });

  it("revokes the user's API keys when an admin resets their password", async () => {
    const member = await server.createUser();
    expect((await member.request("/api/auth/me")).status).toBe(200);
    const reset = await server.request(
      `/api/users/${member.user.id}`,
      json("PATCH", { password: "reset-by-admin" }),
    );
    expect(reset.status).toBe(200);
    const withOldKey = await member.request("/api/auth/me");
    expect(withOldKey.status).toBe(401);
    expect(((await withOldKey.json()) as { error: { code: string } }).error.code).toBe(
      "unauthorized:api_key",
    );
  });

  it("lets an admin list and revoke any user's API key", async () => {
    const member = await server.createUser();
    const listed = await server.request(`/api/users/${member.user.id}/api-keys`);
    expect(listed.status).toBe(200);
    const { apiKeys } = (await listed.json()) as { apiKeys: { id: string; name: string }[] };
    expect(apiKeys.map((key) => key.name)).toEqual(["tests"]);
    expect((await member.request(`/api/users/${server.admin.user.id}/api-keys`)).status).toBe(403);
    const revoked = await server.request(`/api/api-keys/${apiKeys[0]!.id}`, {
      as: "session",
      method: "DELETE",
    });
    expect(revoked.status).toBe(204);
    expect((await member.request("/api/auth/me")).status).toBe(401);
    const audit = server.deps.kb.db
      .prepare("SELECT details FROM audit_events WHERE action = 'api_key.revoked'")
      .get() as { details: string };
    expect(JSON.parse(audit.details)).toEqual({ name: "tests", owner: member.user.email });
  });
});
