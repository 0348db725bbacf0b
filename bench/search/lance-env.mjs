/**
 * Sets LanceDB's environment before it loads; every module of the benchmark that loads LanceDB imports this
 * first (ES modules run their imports in order, so this runs before `@lancedb/lancedb` does).
 */
import os from "node:os";

// LanceDB hangs building full-text indexes on small machines unless this is set before it loads.
process.env.LANCE_CPU_THREADS ??= String(os.availableParallelism());
// Hybrid queries log a deprecation warning per query about the implicit `_distance` column (a hybrid
// query cannot select it: the full-text side has no such field). Keep the benchmark output readable.
process.env.LANCEDB_LOG ??= "error";
