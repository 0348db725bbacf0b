import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyMigrations } from "@zhiku/ingest";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { migrateServerDatabase, serverMigrations } from "./migrations.js";

describe("server migrations", () => {
  let directory: string;
  let db: Database.Database;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), "zhiku-migrations-"));
    db = new Database(join(directory, "zhiku.db"));
    db.pragma("foreign_keys = ON");
  });

  afterEach(async () => {
    db.close();
    await rm(directory, { recursive: true, force: true });
  });

  it("creates the tables once and records the versions under the server scope", () => {
    expect(migrateServerDatabase(db)).toEqual(serverMigrations.map((migration) => migration.version));
    expect(migrateServerDatabase(db)).toEqual([]);
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
      .map((row) => (row as { name: string }).name);
    expect(tables).toEqual(
      expect.arrayContaining([
        "api_keys",
        "audit_events",
        "bot_deliveries",
        "feedback",
        "integrations",
        "jobs",
        "messages",
        "schema_migrations",
        "sessions",
        "threads",
        "users",
        "widget_keys",
        "answer_versions",
        "source_documents",
        "sources",
        "workspace_members",
      ]),
    );
    const recorded = db.prepare("SELECT scope, version FROM schema_migrations").all();
    expect(recorded).toEqual([
      { scope: "server", version: 1 },
      { scope: "server", version: 2 },
      { scope: "server", version: 3 },
      { scope: "server", version: 5 },
      { scope: "server", version: 6 },
      { scope: "server", version: 7 },
      { scope: "server", version: 8 },
    ]);
  });

  it("deletes messages and feedback with their thread and enforces the allowed values", () => {
    migrateServerDatabase(db);
    const now = new Date().toISOString();
    db.prepare(
      "INSERT INTO threads (id, workspace_id, title, created_at, updated_at) VALUES ('t1', 'w1', 'Title', ?, ?)",
    ).run(now, now);
    db.prepare(
      "INSERT INTO messages (id, thread_id, role, content, created_at) VALUES ('m1', 't1', 'user', 'hi', ?)",
    ).run(now);
    db.prepare("INSERT INTO feedback VALUES ('m1', 'up', ?)").run(now);
    expect(db.prepare("SELECT sources, status FROM messages WHERE id = 'm1'").get()).toEqual({
      sources: "[]",
      status: "done",
    });
    expect(() =>
      db
        .prepare(
          "INSERT INTO messages (id, thread_id, role, content, created_at, status) VALUES ('m2', 't1', 'assistant', 'a', ?, 'lost')",
        )
        .run(now),
    ).toThrow();
    db.prepare(
      "INSERT INTO answer_versions (id, question_id, content, status, created_at) VALUES ('v1', 'm1', 'old', 'stopped', ?)",
    ).run(now);
    expect(() => db.prepare("INSERT INTO feedback VALUES ('m1', 'meh', ?)").run(now)).toThrow();
    expect(() =>
      db
        .prepare(
          "INSERT INTO jobs (id, workspace_id, document_id, file_hash, name, status, created_at, updated_at) VALUES ('j', 'w', 'd', 'h', 'n', 'lost', ?, ?)",
        )
        .run(now, now),
    ).toThrow();
    db.prepare("DELETE FROM threads WHERE id = 't1'").run();
    expect(db.prepare("SELECT COUNT(*) AS count FROM messages").get()).toEqual({ count: 0 });
    expect(db.prepare("SELECT COUNT(*) AS count FROM feedback").get()).toEqual({ count: 0 });
    expect(db.prepare("SELECT COUNT(*) AS count FROM answer_versions").get()).toEqual({ count: 0 });
  });

  it("deletes a source's item rows with it and allows only the three kinds", () => {
    migrateServerDatabase(db);
    const now = new Date().toISOString();
    const insert = db.prepare(
      "INSERT INTO sources (id, workspace_id, kind, name, config, interval_minutes, created_at, updated_at) VALUES (?, 'w1', ?, 'n', '{}', 0, ?, ?)",
    );
    insert.run("s1", "git", now, now);
    expect(() => insert.run("s2", "ftp", now, now)).toThrow();
    db.prepare("INSERT INTO source_documents VALUES ('s1', 'README.md', 'hash', 'd1')").run();
    db.prepare("DELETE FROM sources WHERE id = 's1'").run();
    expect(db.prepare("SELECT COUNT(*) AS count FROM source_documents").get()).toEqual({ count: 0 });
  });

  it("rolls back a failing migration with its record", () => {
    const broken = [
      { version: 1, description: "broken", sql: "CREATE TABLE ok (id TEXT); CREATE TABLE ok (id TEXT);" },
    ];
    expect(() => applyMigrations(db, "test", broken)).toThrow();
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'ok'").get()).toBeUndefined();
    expect(db.prepare("SELECT COUNT(*) AS count FROM schema_migrations WHERE scope = 'test'").get()).toEqual({
      count: 0,
    });
  });
});
