import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { migrateServerDatabase } from "../db/migrations.js";
import { AccountStore } from "./account-store.js";

/**
 * A worker thread with its own connection to the database, so two of them really run at once. It loads the compiled
 * store (tests run after `tsc -b`), and for each round waits at a barrier shared with the other worker, then applies
 * its change to the other admin; between rounds the first worker puts both admins back.
 */
const raceWorker = `
const { workerData, parentPort } = require("node:worker_threads");
const Database = require(workerData.sqlitePath);
const shared = new Int32Array(workerData.barrier);
function barrier() {
  const generation = Atomics.load(shared, 1);
  if (Atomics.add(shared, 0, 1) === 1) {
    Atomics.store(shared, 0, 0);
    Atomics.add(shared, 1, 1);
    Atomics.notify(shared, 1);
  } else {
    while (Atomics.load(shared, 1) === generation) Atomics.wait(shared, 1, generation, 50);
  }
}
import(workerData.storeUrl).then(({ AccountStore }) => {
  const db = new Database(workerData.databasePath);
  db.pragma("journal_mode = WAL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 10000");
  const store = new AccountStore(db);
  const outcomes = [];
  for (let round = 0; round < workerData.rounds; round += 1) {
    barrier();
    const result =
      workerData.operation === "demote"
        ? store.updateUser(workerData.otherId, { role: "member" })
        : store.deleteUser(workerData.otherId, { keepAnAdmin: true });
    outcomes.push("user" in result ? "done" : result.refused);
    barrier();
    if (workerData.leader) {
      const admins = db.prepare("SELECT COUNT(*) AS count FROM users WHERE role = 'admin'").get().count;
      outcomes[round] += "/" + admins;
      for (const user of workerData.users) {
        db.prepare(
          "INSERT INTO users (id, email, password_hash, role, created_at, updated_at) VALUES (?, ?, 'x', 'admin', '', '') " +
            "ON CONFLICT (id) DO UPDATE SET role = 'admin'",
        ).run(user.id, user.email);
      }
    }
    barrier();
  }
  db.close();
  parentPort.postMessage(outcomes);
});
`;

describe("AccountStore: the last admin", () => {
  let directory: string;
  let db: Database.Database;
  let store: AccountStore;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), "zhiku-accounts-"));
    db = new Database(join(directory, "kb.db"));
    db.pragma("journal_mode = WAL");
    db.pragma("foreign_keys = ON");
    migrateServerDatabase(db);
    store = new AccountStore(db);
  });

  afterEach(async () => {
    db.close();
    await rm(directory, { recursive: true, force: true });
  });

  const twoAdmins = () => [
    store.createUser({ email: "a@example.com", passwordHash: "x", role: "admin" })!,
    store.createUser({ email: "b@example.com", passwordHash: "x", role: "admin" })!,
  ];

  it("refuses to demote or delete the last admin, and says when the user is missing", () => {
    const [first, second] = twoAdmins();
    expect(store.updateUser(first!.id, { role: "member" })).toMatchObject({ user: { role: "member" } });
    expect(store.updateUser(second!.id, { role: "member" })).toEqual({ refused: "last_admin" });
    expect(store.deleteUser(second!.id, { keepAnAdmin: true })).toEqual({ refused: "last_admin" });
    expect(store.updateUser("nobody", { role: "admin" })).toEqual({ refused: "not_found" });
    expect(store.countAdmins()).toBe(1);
  });

  it("revokes sessions, and on request API keys, with a new password", () => {
    const [user] = twoAdmins();
    const kept = store.createSession(user!.id);
    store.createSession(user!.id);
    const { key } = store.createApiKey({ userId: user!.id, name: "k", workspaceId: null });
    const keptHash = store.useSession(kept.sessionId)!.session.idHash;
    store.updateUser(user!.id, { passwordHash: "y", keepSessionIdHash: keptHash });
    expect(db.prepare("SELECT COUNT(*) AS count FROM sessions").get()).toEqual({ count: 1 });
    expect(store.useApiKey(key)).toBeDefined();
    store.updateUser(user!.id, { passwordHash: "z", revokeApiKeys: true });
    expect(store.useApiKey(key)).toBeUndefined();
    expect(db.prepare("SELECT COUNT(*) AS count FROM sessions").get()).toEqual({ count: 0 });
  });

  for (const operation of ["demote", "delete"] as const) {
    it(`keeps an admin when two connections ${operation} each other at the same moment`, async () => {
      const users = twoAdmins().map((user) => ({ id: user.id, email: user.email }));
      const barrier = new SharedArrayBuffer(8);
      const rounds = 150;
      const require = createRequire(import.meta.url);
      const run = (index: number) =>
        new Promise<string[]>((resolve, reject) => {
          const worker = new Worker(raceWorker, {
            eval: true,
            workerData: {
              sqlitePath: require.resolve("better-sqlite3"),
              storeUrl: new URL("../../dist/auth/account-store.js", import.meta.url).href,
              databasePath: join(directory, "kb.db"),
              barrier,
              rounds,
              operation,
              otherId: users[1 - index]!.id,
              users,
              leader: index === 0,
            },
          });
          worker.once("message", resolve);
          worker.once("error", reject);
        });
      const [leader, follower] = await Promise.all([run(0), run(1)]);
      for (let round = 0; round < rounds; round += 1) {
        const [leaderOutcome, admins] = leader[round]!.split("/");
        // Exactly one of the two changes went through, and one admin is left.
        expect([leaderOutcome, follower[round]].sort()).toEqual(["done", "last_admin"]);
        expect(admins).toBe("1");
      }
    });
  }
});
