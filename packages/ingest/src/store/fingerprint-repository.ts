import type { StatementCache } from "./statements.js";

/**
 * Fingerprints of the first and last lines of each document of a workspace (see `edgeLineFingerprints`): a line
 * that enough documents share is boilerplate and is left out of what gets indexed.
 */
export interface FingerprintRepository {
  /** Fingerprints among `fingerprints` that, with this document, enough documents of the workspace carry. */
  shared(workspaceId: string, documentId: string, fingerprints: string[]): Set<string>;
  /** Replaces a document's fingerprints (run inside the writer's transaction). */
  replace(workspaceId: string, documentId: string, fingerprints: string[]): void;
}

/** Options for {@link createFingerprintRepository}. */
export interface FingerprintRepositoryOptions {
  /** A line is boilerplate once it appears in this many documents of a workspace. */
  minDocuments: number;
}

/** The {@link FingerprintRepository} of one database (table `line_fingerprints`). */
export function createFingerprintRepository(
  statement: StatementCache,
  options: FingerprintRepositoryOptions,
): FingerprintRepository {
  return {
    shared(workspaceId, documentId, fingerprints) {
      if (fingerprints.length === 0) return new Set();
      // One query for the whole document: the fingerprints go in as a JSON array.
      const shared = statement<[string, string, string, number], { fingerprint: string }>(
        `SELECT fingerprint FROM line_fingerprints
           WHERE workspace_id = ? AND document_id != ? AND fingerprint IN (SELECT value FROM json_each(?))
           GROUP BY fingerprint HAVING COUNT(*) + 1 >= ?`,
      ).all(workspaceId, documentId, JSON.stringify(fingerprints), options.minDocuments);
      // This document plus the others that carry the line.
      return new Set(shared.map((row) => row.fingerprint));
    },

    replace(workspaceId, documentId, fingerprints) {
      statement("DELETE FROM line_fingerprints WHERE document_id = ?").run(documentId);
      // A document's fingerprints go in with one statement, as a JSON array.
      statement(
        `INSERT OR IGNORE INTO line_fingerprints (workspace_id, fingerprint, document_id)
         SELECT ?, value, ? FROM json_each(?)`,
      ).run(workspaceId, documentId, JSON.stringify(fingerprints));
    },
  };
}
