import type { Database } from "better-sqlite3";

/** One schema change, applied once, in order of `version`, inside a transaction. */
export interface Migration {
  /** Increasing integer, unique within a scope. */
  version: number;
  /** What the migration does, for logs. */
  description: string;
  /** SQL run as one script. */
  sql: string;
}

/**
 * Applies the migrations of `scope` that the database has not seen yet, each in its own transaction,
 * recording them in `schema_migrations`. Several packages share one SQLite file, each with its own scope
 * (`ingest` for workspaces and documents, `server` for jobs, threads and accounts).
 * @returns the versions applied now.
 */
export function applyMigrations(
  database: Database,
  scope: string,
  migrations: readonly Migration[],
): number[] {
  database.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    scope TEXT NOT NULL,
    version INTEGER NOT NULL,
    description TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    PRIMARY KEY (scope, version)
  )`);
  const applied = new Set(
    database
      .prepare<[string], { version: number }>("SELECT version FROM schema_migrations WHERE scope = ?")
      .all(scope)
      .map((row) => row.version),
  );
  const record = database.prepare(
    "INSERT INTO schema_migrations (scope, version, description, applied_at) VALUES (?, ?, ?, ?)",
  );
  const done: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(migration.version)) continue;
    // IMMEDIATE takes the write lock first, so two processes starting together cannot both apply it.
    database
      .transaction(() => {
        const again = database
          .prepare("SELECT 1 FROM schema_migrations WHERE scope = ? AND version = ?")
          .get(scope, migration.version);
        if (again) return;
        database.exec(migration.sql);
        record.run(scope, migration.version, migration.description, new Date().toISOString());
        done.push(migration.version);
      })
      .immediate();
  }
  return done;
}
