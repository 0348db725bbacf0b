import type { Database, Statement } from "better-sqlite3";

/** Prepares each SQL text once per database: preparing costs more than running most statements. */
export type StatementCache = <Parameters extends unknown[] = unknown[], Result = unknown>(
  source: string,
) => Statement<Parameters, Result>;

/** A {@link StatementCache} over `db`, shared by the repositories and the writer of one knowledge base. */
export function createStatementCache(db: Database): StatementCache {
  const statements = new Map<string, Statement<unknown[], unknown>>();
  return <Parameters extends unknown[] = unknown[], Result = unknown>(source: string) => {
    let prepared = statements.get(source);
    if (!prepared) {
      prepared = db.prepare(source);
      statements.set(source, prepared);
    }
    return prepared as Statement<Parameters, Result>;
  };
}

/** The time stamp stored in `created_at` and `updated_at` columns. */
export function now(): string {
  return new Date().toISOString();
}
