import { join } from "node:path";

/** Where each part of the data lives under `DATA_DIR`. */
export function dataLayout(dataDir: string): { database: string; lancedb: string; files: string } {
  return {
    database: join(dataDir, "zhiku.db"),
    lancedb: join(dataDir, "lancedb"),
    files: join(dataDir, "files"),
  };
}
