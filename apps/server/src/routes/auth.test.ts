import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LoginThrottle } from "../auth/index.js";
import { createLogger } from "../logger.js";
import { createTestServer, type TestServer } from "../testing/test-server.js";

const json = (method: string, body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method,
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});

/** The `name=value` part of a Set-Cookie header. */
const cookieOf = (response: Response) => (response.headers.get("set-cookie") ?? "").split(";")[0] ?? "";

const errorCode = async (response: Response) =>
  ((await response.json()) as { error: { code: string } }).error.code;

describe("accounts and sessions", () => {
  let server: TestServer;
  let logLines: string[];

  beforeEach(async () => {
    logLines = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logLines.push(chunk.toString());
        callback();
      },
    });
    server = await createTestServer({
      // One proxy hop is trusted, so the HTTPS test's X-Forwarded-Proto counts (requests here have no socket).
      environment: { TRUST_PROXY: "1" },
      logger: createLogger("trace", { destination }),
      deps: { loginThrottle: new LoginThrottle({ maxPerAccount: 5, maxPerAddress: 20 }) },
    });
  });

  afterEach(async () => {
    await server.close();
  });

  const login = (email: string, password: string, headers: Record<string, string> = {}) =>
    server.app.request("/api/auth/login", json("POST", { email, password }, headers));

  it("signs in with a HttpOnly SameSite=Lax cookie, Secure behind HTTPS, and signs out for good", async () => {
    const response = await login("ADMIN@example.com", "admin-password-1");
    expect(response.status).toBe(200);
    expect(((await response.json()) as { user: { email: string; role: string } }).user).toMatchObject({
      email: "admin@example.com",
      role: "admin",
    });
    const setCookie = response.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/^zhiku_session=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Lax");
    expect(setCookie).toContain("Path=/");
    expect(setCookie).not.toContain("Secure");
    const cookie = cookieOf(response);
    // Only the SHA-256 of the session id is stored.
    const stored = server.deps.kb.db.prepare("SELECT id_hash FROM sessions").all() as { id_hash: string }[];
    expect(stored.some((row) => row.id_hash === cookie.split("=")[1])).toBe(false);

    const secure = await login("admin@example.com", "admin-password-1", { "x-forwarded-proto": "https" });
    expect(secure.headers.get("set-cookie")).toContain("Secure");

    const me = await server.app.request("/api/auth/me", { headers: { cookie } });
    expect(me.status).toBe(200);
    const status = await server.app.request("/api/auth/status", { headers: { cookie } });
    expect(await status.json()).toMatchObject({ needsSetup: false, user: { email: "admin@example.com" } });

    const logout = await server.app.request("/api/auth/logout", {
      method: "POST",
      headers: { cookie, "x-zhiku-csrf": "1" },
    });
    expect(logout.status).toBe(204);
    expect(logout.headers.get("set-cookie")).toMatch(/zhiku_session=;.*Max-Age=0/);
    const after = await server.app.request("/api/auth/me", { headers: { cookie } });
    expect(after.status).toBe(401);
    expect(await errorCode(after)).toBe("unauthorized:session");
  });

  it("refuses an expired session and clears its cookie", async () => {
    const member = await server.createUser();
    expect((await member.request("/api/auth/me", { as: "session" })).status).toBe(200);
    server.deps.kb.db
      .prepare("UPDATE sessions SET expires_at = ? WHERE user_id = ?")
      .run(new Date(Date.now() - 1000).toISOString(), member.user.id);
    const expired = await member.request("/api/auth/me", { as: "session" });
    expect(expired.status).toBe(401);
    expect(expired.headers.get("set-cookie")).toMatch(/zhiku_session=;/);
    const left = server.deps.kb.db
      .prepare("SELECT COUNT(*) AS count FROM sessions WHERE user_id = ?")
      .get(member.user.id);
    expect(left).toEqual({ count: 0 });
  });

  it("throttles failed logins per account (5) and per address (20) with 429 and Retry-After", async () => {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const wrong = await login("admin@example.com", "wrong-password");
      expect(wrong.status).toBe(401);
      expect(await errorCode(wrong)).toBe("invalid:credentials");
    }
    const blocked = await login("admin@example.com", "admin-password-1");
    expect(blocked.status).toBe(429);
    expect(await errorCode(blocked)).toBe("too_many:attempts");
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(800);

    // Per address: failures spread over many accounts from one client.
    const environment = { incoming: { socket: { remoteAddress: "203.0.113.9" } } };
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const response = await server.app.request(
        "/api/auth/login",
        json("POST", { email: `nobody-${attempt}@example.com`, password: "wrong-password" }),
        environment,
      );
      expect(response.status).toBe(401);
    }
    const member = await server.createUser({ email: "member@example.com" });
    const fromAddress = await server.app.request(
      "/api/auth/login",
      json("POST", { email: member.user.email, password: member.password }),
      environment,
    );
    expect(fromAddress.status).toBe(429);
    // Another address still signs the member in.
    const elsewhere = await server.app.request(
      "/api/auth/login",
      json("POST", { email: member.user.email, password: member.password }),
      { incoming: { socket: { remoteAddress: "198.51.100.7" } } },
    );
    expect(elsewhere.status).toBe(200);
  });

  it("requires the CSRF header on cookie-authenticated changes and refuses cross-site origins", async () => {
    const { cookie } = server.admin;
    const withoutHeader = await server.app.request(
      "/api/workspaces",
      json("POST", { name: "A" }, { cookie }),
    );
    expect(withoutHeader.status).toBe(403);
    expect(await errorCode(withoutHeader)).toBe("forbidden:csrf");
    const withHeader = await server.app.request(
      "/api/workspaces",
      json("POST", { name: "A" }, { cookie, "x-zhiku-csrf": "1" }),
    );
    expect(withHeader.status).toBe(201);
    // Reads need no header; bearer keys are exempt (a cross-site form cannot send them).
    expect((await server.app.request("/api/workspaces", { headers: { cookie } })).status).toBe(200);
    const bearer = await server.app.request(
      "/api/workspaces",
      json("POST", { name: "B" }, { authorization: `Bearer ${server.admin.apiKey}` }),
    );
    expect(bearer.status).toBe(201);

    const crossSite = await server.app.request(
      "/api/workspaces",
      json("POST", { name: "C" }, { cookie, "x-zhiku-csrf": "1", origin: "https://evil.example" }),
    );
    expect(crossSite.status).toBe(403);
    expect(await errorCode(crossSite)).toBe("forbidden:origin");
    const crossSiteLogin = await server.app.request(
      "/api/auth/login",
      json(
        "POST",
        { email: "admin@example.com", password: "admin-password-1" },
        { "sec-fetch-site": "cross-site" },
      ),
    );
    expect(crossSiteLogin.status).toBe(403);
    const sameOrigin = await server.app.request(
      "/api/workspaces",
      json("POST", { name: "D" }, { cookie, "x-zhiku-csrf": "1", origin: "http://localhost" }),
    );
    expect(sameOrigin.status).toBe(201);
  });

  it("sends security headers on every response; the docs page gets its own policy", async () => {
    for (const path of ["/api/health", "/api/workspaces", "/api/nope"]) {
      const response = await server.app.request(path);
      const policy = response.headers.get("content-security-policy") ?? "";
      expect(policy).toContain("default-src 'self'");
      expect(policy).toContain("script-src 'self'");
      expect(policy).toContain("frame-ancestors 'none'");
      expect(policy).toContain("img-src 'self' data: blob:");
      expect(policy).toContain("connect-src 'self'");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("x-frame-options")).toBe("DENY");
      expect(response.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    }
    const docs = await server.app.request("/api/docs");
    expect(docs.status).toBe(200);
    // The page and its script come from this server (issue 15): the policy names no other origin.
    expect(docs.headers.get("content-security-policy")).toContain("script-src 'self' 'unsafe-inline'");
    expect(docs.headers.get("content-security-policy")).not.toMatch(/https?:/);
  });

  it("changes passwords (signing out other sessions), lets an admin reset one, and guards the last admin", async () => {
    const member = await server.createUser({ email: "m@example.com" });
    const otherSession = cookieOf(await login(member.user.email, member.password));
    const change = await member.request("/api/auth/password", {
      as: "session",
      ...json("POST", { currentPassword: member.password, newPassword: "brand-new-password" }),
    });
    expect(change.status).toBe(204);
    expect((await member.request("/api/auth/me", { as: "session" })).status).toBe(200);
    expect((await server.app.request("/api/auth/me", { headers: { cookie: otherSession } })).status).toBe(
      401,
    );
    expect((await login(member.user.email, "brand-new-password")).status).toBe(200);
    const wrongCurrent = await member.request("/api/auth/password", {
      as: "session",
      ...json("POST", { currentPassword: "not-it-at-all", newPassword: "another-password" }),
    });
    expect(wrongCurrent.status).toBe(400);

    const reset = await server.request(
      `/api/users/${member.user.id}`,
      json("PATCH", { password: "reset-by-admin" }),
    );
    expect(reset.status).toBe(200);
    expect((await member.request("/api/auth/me", { as: "session" })).status).toBe(401);
    expect((await login(member.user.email, "reset-by-admin")).status).toBe(200);

    const demoteLast = await server.request(
      `/api/users/${server.admin.user.id}`,
      json("PATCH", { role: "member" }),
    );
    expect(demoteLast.status).toBe(409);
    const deleteSelf = await server.request(`/api/users/${server.admin.user.id}`, { method: "DELETE" });
    expect(deleteSelf.status).toBe(409);
    const duplicate = await server.request(
      "/api/users",
      json("POST", { email: "M@example.com", password: "long-enough", role: "member" }),
    );
    expect(duplicate.status).toBe(409);
    expect(await errorCode(duplicate)).toBe("conflict:user");
    const removed = await server.request(`/api/users/${member.user.id}`, { method: "DELETE" });
    expect(removed.status).toBe(204);
    expect((await member.request("/api/auth/me")).status).toBe(401);
  });

  it("creates API keys shown once, lists them by prefix with lastUsedAt, and revokes them at once", async () => {
    const member = await server.createUser({ email: "keys@example.com" });
    const created = await member.request("/api/api-keys", {
      as: "session",
      ...json("POST", { name: "script" }),
    });
    expect(created.status).toBe(201);
    const { apiKey, key } = (await created.json()) as {
      apiKey: { id: string; prefix: string; workspace: string | null; lastUsedAt: string | null };
      key: string;
    };
    expect(key).toMatch(/^zk_[A-Za-z0-9_-]{43}$/);
    expect(key.startsWith(apiKey.prefix)).toBe(true);
    expect(apiKey).toMatchObject({ workspace: null, lastUsedAt: null });
    const stored = server.deps.kb.db.prepare("SELECT key_hash FROM api_keys WHERE id = ?").get(apiKey.id) as {
      key_hash: string;
    };
    expect(stored.key_hash).not.toContain(key.slice(3));

    const used = await server.app.request("/api/auth/me", { headers: { authorization: `Bearer ${key}` } });
    expect(used.status).toBe(200);
    const listed = (await (await member.request("/api/api-keys", { as: "session" })).json()) as {
      apiKeys: { id: string; lastUsedAt: string | null; key?: string }[];
    };
    const entry = listed.apiKeys.find((candidate) => candidate.id === apiKey.id);
    expect(entry?.lastUsedAt).toEqual(expect.any(String));
    expect(JSON.stringify(listed)).not.toContain(key);

    const revoke = await member.request(`/api/api-keys/${apiKey.id}`, { as: "session", method: "DELETE" });
    expect(revoke.status).toBe(204);
    const afterRevoke = await server.app.request("/v1/models", {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(afterRevoke.status).toBe(401);
    expect(((await afterRevoke.json()) as { error: { type: string } }).error.type).toBe(
      "authentication_error",
    );
    // Someone else's key id is not found.
    const admins = await server.request("/api/api-keys", { as: "session" });
    const adminKeyId = ((await admins.json()) as { apiKeys: { id: string }[] }).apiKeys[0]!.id;
    expect(
      (await member.request(`/api/api-keys/${adminKeyId}`, { as: "session", method: "DELETE" })).status,
    ).toBe(404);
  });

  it("shows members only shared workspaces with myRole; old workspaces without members only to admins", async () => {
    const legacy = server.deps.kb.createWorkspace({ name: "Legacy", slug: "legacy" });
    const member = await server.createUser({ email: "member@example.com" });
    const own = await member.request("/api/workspaces", json("POST", { name: "Mine", slug: "mine" }));
    expect(own.status).toBe(201);
    expect(((await own.json()) as { workspace: { myRole: string } }).workspace.myRole).toBe("owner");
    const memberList = (await (await member.request("/api/workspaces")).json()) as {
      workspaces: { slug: string; myRole: string }[];
    };
    expect(memberList.workspaces.map((workspace) => [workspace.slug, workspace.myRole])).toEqual([
      ["mine", "owner"],
    ]);
    const adminList = (await (await server.request("/api/workspaces")).json()) as {
      workspaces: { slug: string; myRole: string }[];
    };
    expect(adminList.workspaces.map((workspace) => workspace.slug).sort()).toEqual(["legacy", "mine"]);
    expect(adminList.workspaces.every((workspace) => workspace.myRole === "owner")).toBe(true);

    // A hidden workspace answers exactly as a missing one.
    const hidden = await member.request(`/api/workspaces/${legacy.slug}`);
    const missing = await member.request("/api/workspaces/no-such-one");
    expect(hidden.status).toBe(404);
    expect(await hidden.json()).toEqual({
      error: { code: "not_found:workspace", message: 'No workspace "legacy"' },
    });
    expect(await missing.json()).toEqual({
      error: { code: "not_found:workspace", message: 'No workspace "no-such-one"' },
    });
    const models = (await (await member.request("/v1/models")).json()) as { data: { id: string }[] };
    expect(models.data.map((model) => model.id)).toEqual(["mine"]);
    const completion = await member.request(
      "/v1/chat/completions",
      json("POST", { model: "legacy", messages: [{ role: "user", content: "hi" }] }),
    );
    expect(completion.status).toBe(404);
    expect(((await completion.json()) as { error: { type: string } }).error.type).toBe("not_found_error");

    // Sharing, then unsharing.
    const share = await server.request(
      "/api/workspaces/legacy/members",
      json("POST", { email: member.user.email, role: "viewer" }),
    );
    expect(share.status).toBe(201);
    const shared = (await (await member.request("/api/workspaces/legacy")).json()) as {
      workspace: { myRole: string };
    };
    expect(shared.workspace.myRole).toBe("viewer");
    const members = (await (await server.request("/api/workspaces/legacy/members")).json()) as {
      members: { email: string; role: string }[];
    };
    expect(members.members).toEqual([
      { userId: member.user.id, email: "member@example.com", role: "viewer" },
    ]);
    const unshare = await server.request(`/api/workspaces/legacy/members/${member.user.id}`, {
      method: "DELETE",
    });
    expect(unshare.status).toBe(204);
    expect((await member.request("/api/workspaces/legacy")).status).toBe(404);
  });

  it("limits a key to its workspace", async () => {
    server.deps.kb.createWorkspace({ name: "One", slug: "one" });
    server.deps.kb.createWorkspace({ name: "Two", slug: "two" });
    const created = await server.request("/api/api-keys", {
      as: "session",
      ...json("POST", { name: "one", workspace: "one" }),
    });
    const { key, apiKey } = (await created.json()) as { key: string; apiKey: { workspace: string } };
    expect(apiKey.workspace).toBe("one");
    const headers = { authorization: `Bearer ${key}` };
    const list = (await (await server.app.request("/api/workspaces", { headers })).json()) as {
      workspaces: { slug: string }[];
    };
    expect(list.workspaces.map((workspace) => workspace.slug)).toEqual(["one"]);
    expect((await server.app.request("/api/workspaces/two", { headers })).status).toBe(404);
    expect((await server.app.request("/api/users", { headers })).status).toBe(403);
    const escalate = await server.app.request("/api/api-keys", json("POST", { name: "all" }, headers));
    expect(escalate.status).toBe(403);
  });

  it("records sign-ins, failures, account, member and key changes in the audit log for admins", async () => {
    await login("admin@example.com", "wrong-password");
    await login("admin@example.com", "admin-password-1");
    const created = await server.request(
      "/api/users",
      json("POST", { email: "a@example.com", password: "long-enough", role: "member" }),
    );
    const user = ((await created.json()) as { user: { id: string } }).user;
    await server.request("/api/workspaces", json("POST", { name: "Audited", slug: "audited" }));
    await server.request(
      "/api/workspaces/audited/members",
      json("POST", { email: "a@example.com", role: "editor" }),
    );
    await server.request(`/api/workspaces/audited/members/${user.id}`, { method: "DELETE" });
    await server.request("/api/workspaces/audited", json("PATCH", { settings: { topK: 3 } }));
    const form = new FormData();
    form.append("file", new File(["# Audited\n\ntext"], "audited.md"));
    const uploaded = await server.request("/api/workspaces/audited/documents", {
      method: "POST",
      body: form,
    });
    const documentId = ((await uploaded.json()) as { documents: { id: string }[] }).documents[0]!.id;
    await server.deps.jobs.whenIdle();
    await server.request(`/api/workspaces/audited/documents/${documentId}`, { method: "DELETE" });
    const key = await server.request("/api/api-keys", { as: "session", ...json("POST", { name: "k" }) });
    const keyId = ((await key.json()) as { apiKey: { id: string } }).apiKey.id;
    await server.request(`/api/api-keys/${keyId}`, { as: "session", method: "DELETE" });
    await server.request(`/api/users/${user.id}`, { method: "DELETE" });
    await server.request("/api/workspaces/audited", { method: "DELETE" });

    const response = await server.request("/api/audit?limit=100");
    const { events } = (await response.json()) as {
      events: { id: number; action: string; actor: { email: string } | null; target: string | null }[];
    };
    const actions = events.map((event) => event.action).reverse();
    expect(actions).toEqual([
      "auth.login_failed",
      "auth.login",
      "user.created",
      "workspace.created",
      "member.added",
      "member.removed",
      "workspace.updated",
      "document.uploaded",
      "document.deleted",
      "api_key.created",
      "api_key.revoked",
      "user.deleted",
      "workspace.deleted",
    ]);
    expect(events.at(-1)).toMatchObject({ actor: null, target: "admin@example.com" });
    const page = (await (await server.request(`/api/audit?limit=2&before=${events[1]!.id}`)).json()) as {
      events: { id: number }[];
    };
    expect(page.events.map((event) => event.id)).toEqual([events[2]!.id, events[3]!.id]);
    const member = await server.createUser();
    expect((await member.request("/api/audit")).status).toBe(403);
  });

  it("never logs passwords, API keys or session ids", async () => {
    const signedIn = await login("admin@example.com", "admin-password-1");
    const cookie = cookieOf(signedIn);
    await login("admin@example.com", "a-wrong-password-xyz");
    const created = await server.app.request(
      "/api/api-keys",
      json("POST", { name: "logged?" }, { cookie, "x-zhiku-csrf": "1" }),
    );
    const { key } = (await created.json()) as { key: string };
    await server.app.request("/v1/models", { headers: { authorization: `Bearer ${key}` } });
    await server.app.request("/api/auth/me", { headers: { authorization: "Bearer zk_forged-key-value" } });
    await server.app.request(
      "/api/auth/password",
      json(
        "POST",
        { currentPassword: "admin-password-1", newPassword: "a-new-password-123" },
        { cookie, "x-zhiku-csrf": "1" },
      ),
    );
    const text = logLines.join("");
    expect(text).toContain('"msg":"Request"');
    for (const secret of [
      "admin-password-1",
      "a-wrong-password-xyz",
      "a-new-password-123",
      key,
      key.slice(3),
      "zk_forged-key-value",
      cookie.split("=")[1]!,
      server.admin.apiKey,
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it("believes X-Forwarded-Host for the cross-site check only from a proxy TRUST_PROXY names", async () => {
    const forged = { origin: "https://evil.example", "x-forwarded-host": "evil.example" };
    const untrusting = await createTestServer();
    try {
      const { cookie } = untrusting.admin;
      const refused = await untrusting.app.request(
        "/api/workspaces",
        json("POST", { name: "C" }, { cookie, "x-zhiku-csrf": "1", ...forged }),
      );
      expect(refused.status).toBe(403);
      expect(await errorCode(refused)).toBe("forbidden:origin");
    } finally {
      await untrusting.close();
    }
    // This suite's server trusts one proxy hop: the host that proxy forwards is the one the browser addressed.
    const behindProxy = await server.app.request(
      "/api/workspaces",
      json(
        "POST",
        { name: "C" },
        {
          cookie: server.admin.cookie,
          "x-zhiku-csrf": "1",
          origin: "https://kb.example",
          "x-forwarded-host": "kb.example",
        },
      ),
    );
    expect(behindProxy.status).toBe(201);
  });

  it("creates the first admin once through setup", async () => {
    const fresh = await createTestServer();
    try {
      const { accounts } = fresh.deps.auth;
      // Remove the test admin to get an empty install.
      for (const user of accounts.listUsers()) accounts.deleteUser(user.id);
      const status = await fresh.app.request("/api/auth/status");
      expect(await status.json()).toEqual({ needsSetup: true, user: null });
      const short = await fresh.app.request(
        "/api/auth/setup",
        json("POST", { email: "boss@example.com", password: "short" }),
      );
      expect(short.status).toBe(400);
      const setup = await fresh.app.request(
        "/api/auth/setup",
        json("POST", { email: "boss@example.com", password: "long-enough" }),
      );
      expect(setup.status).toBe(201);
      expect(((await setup.json()) as { user: { role: string } }).user.role).toBe("admin");
      const me = await fresh.app.request("/api/auth/me", { headers: { cookie: cookieOf(setup) } });
      expect(me.status).toBe(200);
      const again = await fresh.app.request(
        "/api/auth/setup",
        json("POST", { email: "evil@example.com", password: "long-enough" }),
      );
      expect(again.status).toBe(409);
      expect(await errorCode(again)).toBe("conflict:setup");
      const stored = fresh.deps.kb.db.prepare("SELECT password_hash FROM users").get() as {
        password_hash: string;
      };
      expect(stored.password_hash).toMatch(/^\$argon2id\$/);
    } finally {
      await fresh.close();
    }
  });
});
