import { randomUUID } from "node:crypto";
import { ZhikuError } from "../errors.js";
import { type RelevanceCalibration, type RelevanceCutoffs, relevanceCutoffs } from "../refuse/relevance.js";
import type { SearchMode } from "../search/search-types.js";
import { now, type StatementCache } from "./statements.js";

/** Per-workspace settings; every field optional, defaults applied by the server. */
export interface WorkspaceSettings {
  /** Ollama chat model for this workspace, overriding `CHAT_MODEL`. */
  chatModel?: string;
  /** Passages retrieved per question. */
  topK?: number;
  /** Default search mode for chat retrieval. */
  mode?: SearchMode;
  /** Extra system prompt text. */
  systemPrompt?: string;
  /** Sampling temperature for chat. */
  temperature?: number;
  /**
   * Minimum cosine similarity (0..1) a passage needs to be used, overriding the calibrated cut-off; 0 turns refusal
   * off. Below it query mode refuses, unless full text matched the passage strongly.
   */
  relevanceCutoff?: number;
}

/** A workspace: a named collection of documents with one embedding model. */
export interface WorkspaceRecord {
  id: string;
  slug: string;
  name: string;
  /** Embedding model whose vectors the workspace holds; null until the first document is embedded. */
  embedModel: string | null;
  /** Vector length of `embedModel`; null until the first document is embedded. */
  embedDimension: number | null;
  settings: WorkspaceSettings;
  /** The cut-offs passages are judged by for refusal, and where they come from (calibrated, manual, default). */
  refusal: RelevanceCutoffs;
  createdAt: string;
  updatedAt: string;
}

/** A `workspaces` row as stored, with the LanceDB table of its chunks (inside the ingest package only). */
export interface WorkspaceRow {
  id: string;
  slug: string;
  name: string;
  embed_model: string | null;
  embed_dimension: number | null;
  chunk_table: string | null;
  settings: string;
  /** JSON {@link RelevanceCalibration}, null until measured. */
  relevance_calibration: string | null;
  created_at: string;
  updated_at: string;
}

const SLUG_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** A slug for a workspace name: lower-case ASCII words joined by dashes, or `ws-` and a random suffix. */
export function slugify(name: string): string {
  const slug = name
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 48);
  return slug.length > 0 ? slug : `ws-${randomUUID().slice(0, 8)}`;
}

/** The stored calibration of a row, if any. */
export function calibrationOf(row: WorkspaceRow): RelevanceCalibration | null {
  return row.relevance_calibration ? (JSON.parse(row.relevance_calibration) as RelevanceCalibration) : null;
}

function toWorkspace(row: WorkspaceRow): WorkspaceRecord {
  const settings = JSON.parse(row.settings) as WorkspaceSettings;
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    embedModel: row.embed_model,
    embedDimension: row.embed_dimension,
    settings,
    refusal: relevanceCutoffs({
      embedModel: row.embed_model,
      settings,
      relevanceCalibration: calibrationOf(row),
    }),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The embedding model, its vector length and the chunk table a workspace switches to. */
export interface WorkspaceEmbedding {
  model: string;
  dimension: number;
  table: string;
}

/** Workspaces in SQLite: records for callers, rows (with the chunk table) for the rest of the package. */
export interface WorkspaceRepository {
  /** Every workspace, by name. */
  list(): WorkspaceRecord[];
  /** The workspace with this slug, if any. */
  get(slug: string): WorkspaceRecord | undefined;
  /** The workspace with this id, if any. */
  getById(id: string): WorkspaceRecord | undefined;
  /** The workspace with this slug; fails with `not_found:workspace`. */
  require(slug: string): WorkspaceRecord;
  /** Creates a workspace; the slug is derived from the name unless given. Fails with `conflict:workspace`. */
  create(input: { name: string; slug?: string; settings?: WorkspaceSettings }): WorkspaceRecord;
  /** Renames a workspace or replaces fields of its settings (a field set to null is removed). */
  update(slug: string, patch: { name?: string; settings?: WorkspaceSettings }): WorkspaceRecord;
  /** The stored row of a slug, if any. */
  findRow(slug: string): WorkspaceRow | undefined;
  /** The stored row of a slug; fails with `not_found:workspace`. */
  requireRow(slug: string): WorkspaceRow;
  /** The stored row of an id, read again (another process may have changed it). */
  rowById(id: string): WorkspaceRow | undefined;
  /**
   * Records the embedding of a workspace. With `firstOnly` only a workspace without a chunk table is changed, so
   * two processes creating the first table do not overwrite each other.
   */
  setEmbedding(id: string, embedding: WorkspaceEmbedding, options?: { firstOnly?: boolean }): void;
  /**
   * Stores a workspace's relevance calibration, measured on `table`: when the workspace has switched to another
   * table meanwhile (re-embedding), the measurement is of vectors no longer searched and is dropped.
   */
  setRelevanceCalibration(id: string, table: string, calibration: RelevanceCalibration): void;
  /** Deletes the row; its documents and line fingerprints go with it (foreign keys cascade). */
  remove(id: string): void;
}

/** The {@link WorkspaceRepository} of one database. */
export function createWorkspaceRepository(statement: StatementCache): WorkspaceRepository {
  const findRow = (slug: string) =>
    statement<[string], WorkspaceRow>("SELECT * FROM workspaces WHERE slug = ?").get(slug);
  const requireRow = (slug: string): WorkspaceRow => {
    const row = findRow(slug);
    if (!row) throw new ZhikuError("not_found:workspace", `No workspace "${slug}"`);
    return row;
  };
  const requireWorkspace = (slug: string) => toWorkspace(requireRow(slug));

  return {
    findRow,
    requireRow,
    require: requireWorkspace,

    list() {
      return statement<[], WorkspaceRow>("SELECT * FROM workspaces ORDER BY name COLLATE NOCASE")
        .all()
        .map(toWorkspace);
    },

    get(slug) {
      const row = findRow(slug);
      return row ? toWorkspace(row) : undefined;
    },

    getById(id) {
      const row = statement<[string], WorkspaceRow>("SELECT * FROM workspaces WHERE id = ?").get(id);
      return row ? toWorkspace(row) : undefined;
    },

    create(input) {
      const name = input.name.trim();
      if (name.length === 0) throw new ZhikuError("invalid:input", "name: a workspace needs a name");
      const slug = input.slug ?? slugify(name);
      if (!SLUG_PATTERN.test(slug)) {
        throw new ZhikuError(
          "invalid:input",
          `slug: "${slug}" is not a valid workspace slug (lower-case letters, digits, "-" and "_", at most 64)`,
        );
      }
      if (findRow(slug)) throw new ZhikuError("conflict:workspace", `A workspace "${slug}" already exists`);
      const time = now();
      statement(
        "INSERT INTO workspaces (id, slug, name, settings, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
      ).run(randomUUID(), slug, name, JSON.stringify(input.settings ?? {}), time, time);
      return requireWorkspace(slug);
    },

    update(slug, patch) {
      const current = requireWorkspace(slug);
      const name = patch.name?.trim() ?? current.name;
      if (name.length === 0) throw new ZhikuError("invalid:input", "name: a workspace needs a name");
      const settings = Object.fromEntries(
        Object.entries({ ...current.settings, ...patch.settings }).filter(
          ([, value]) => value !== null && value !== undefined,
        ),
      );
      statement("UPDATE workspaces SET name = ?, settings = ?, updated_at = ? WHERE id = ?").run(
        name,
        JSON.stringify(settings),
        now(),
        current.id,
      );
      return requireWorkspace(slug);
    },

    rowById(id) {
      return statement<[string], WorkspaceRow>("SELECT * FROM workspaces WHERE id = ?").get(id);
    },

    setEmbedding(id, embedding, options = {}) {
      const sql = options.firstOnly
        ? "UPDATE workspaces SET embed_model = ?, embed_dimension = ?, chunk_table = ?, updated_at = ? WHERE id = ? AND chunk_table IS NULL"
        : "UPDATE workspaces SET embed_model = ?, embed_dimension = ?, chunk_table = ?, updated_at = ? WHERE id = ?";
      statement(sql).run(embedding.model, embedding.dimension, embedding.table, now(), id);
    },

    setRelevanceCalibration(id, table, calibration) {
      statement("UPDATE workspaces SET relevance_calibration = ? WHERE id = ? AND chunk_table = ?").run(
        JSON.stringify(calibration),
        id,
        table,
      );
    },

    remove(id) {
      statement("DELETE FROM workspaces WHERE id = ?").run(id);
    },
  };
}
