import { randomUUID } from "node:crypto";
import { ZhikuError } from "@zhiku/ingest";
import type { Database } from "better-sqlite3";
import type { ChatMode } from "../services/chat/types.js";
import type { SecretBox } from "../services/secrets/secret-box.js";
import {
  type BotPlatform,
  defaultApiBaseUrls,
  type PlatformSecrets,
  type PlatformSettings,
  platformFields,
} from "./platforms.js";

/** A connected bot, secrets decrypted: only the server's own code sees one. */
export interface IntegrationRecord {
  id: string;
  workspaceId: string;
  platform: BotPlatform;
  name: string;
  /** How the bot answers: `query` only from documents (refusing when nothing is relevant), `chat` may add more. */
  mode: ChatMode;
  /** The platform's non-secret fields. */
  settings: Record<string, string>;
  /** The platform's credentials, decrypted. */
  secrets: Record<string, string>;
  /** False while an admin has switched the bot off: its callbacks are verified and acknowledged, not answered. */
  enabled: boolean;
  /** When the bot last took a question (null: never). */
  lastActivityAt: string | null;
  /** Why answering that question failed (null: it was answered, or there was none). */
  lastError: string | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

interface IntegrationRow {
  id: string;
  workspace_id: string;
  platform: BotPlatform;
  name: string;
  mode: ChatMode;
  settings: string;
  secrets: string;
  enabled: 0 | 1;
  last_activity_at: string | null;
  last_error: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

/** Input of {@link IntegrationStore.create}. */
export interface CreateIntegrationInput {
  workspaceId: string;
  platform: BotPlatform;
  name: string;
  mode: ChatMode;
  settings: Record<string, string>;
  secrets: Record<string, string>;
  createdBy: string | null;
}

/** Input of {@link IntegrationStore.update}: only what is given changes; given secrets replace those stored. */
export interface UpdateIntegrationInput {
  name?: string | undefined;
  mode?: ChatMode | undefined;
  settings?: Record<string, string> | undefined;
  secrets?: Record<string, string> | undefined;
  enabled?: boolean | undefined;
}

/** How long a delivery id is remembered: far longer than any platform retries (hours). */
const deliveryMemoryMs = 7 * 24 * 60 * 60 * 1000;

/**
 * A secret as it may be shown again: the last four characters of a long one, nothing of a short one. Enough to
 * tell two tokens apart, not to use one.
 */
export function maskSecret(value: string): string {
  return value.length >= 16 ? `••••${value.slice(-4)}` : "••••";
}

/**
 * The `integrations` table (bots connected to workspaces, credentials sealed with the server's {@link SecretBox})
 * and the `bot_deliveries` table that makes each platform message answered once.
 */
export class IntegrationStore {
  readonly #db: Database;
  readonly #box: SecretBox;

  constructor(options: { db: Database; box: SecretBox }) {
    this.#db = options.db;
    this.#box = options.box;
  }

  /** Connects a bot. Settings and secrets must already be valid for the platform ({@link platformFields}). */
  create(input: CreateIntegrationInput): IntegrationRecord {
    const id = randomUUID();
    const at = new Date().toISOString();
    const row: IntegrationRow = {
      id,
      workspace_id: input.workspaceId,
      platform: input.platform,
      name: input.name,
      mode: input.mode,
      settings: JSON.stringify(input.settings),
      secrets: this.#box.seal(JSON.stringify(input.secrets), sealContext(id)),
      enabled: 1,
      last_activity_at: null,
      last_error: null,
      created_by: input.createdBy,
      created_at: at,
      updated_at: at,
    };
    this.#db
      .prepare(
        `INSERT INTO integrations (id, workspace_id, platform, name, mode, settings, secrets, enabled, last_activity_at, last_error,
           created_by, created_at, updated_at)
         VALUES (@id, @workspace_id, @platform, @name, @mode, @settings, @secrets, @enabled, @last_activity_at, @last_error,
           @created_by, @created_at, @updated_at)`,
      )
      .run(row);
    return this.#toRecord(row);
  }

  /** A workspace's bots, oldest first. */
  list(workspaceId: string): IntegrationRecord[] {
    return this.#db
      .prepare<[string], IntegrationRow>(
        "SELECT * FROM integrations WHERE workspace_id = ? ORDER BY created_at, id",
      )
      .all(workspaceId)
      .map((row) => this.#toRecord(row));
  }

  /** A bot by id, whatever its workspace (the platforms' callbacks name only the integration). */
  get(id: string): IntegrationRecord | undefined {
    const row = this.#db.prepare<[string], IntegrationRow>("SELECT * FROM integrations WHERE id = ?").get(id);
    return row ? this.#toRecord(row) : undefined;
  }

  /** A bot of a workspace; undefined when the workspace has none with this id. */
  find(workspaceId: string, id: string): IntegrationRecord | undefined {
    const found = this.get(id);
    return found?.workspaceId === workspaceId ? found : undefined;
  }

  /** Changes a bot; the caller validates the merged settings and secrets for the platform first. */
  update(existing: IntegrationRecord, input: UpdateIntegrationInput): IntegrationRecord {
    const settings = { ...existing.settings, ...input.settings };
    const secrets = { ...existing.secrets, ...input.secrets };
    this.#db
      .prepare(
        "UPDATE integrations SET name = ?, mode = ?, settings = ?, secrets = ?, enabled = ?, updated_at = ? WHERE id = ?",
      )
      .run(
        input.name ?? existing.name,
        input.mode ?? existing.mode,
        JSON.stringify(settings),
        this.#box.seal(JSON.stringify(secrets), sealContext(existing.id)),
        (input.enabled ?? existing.enabled) ? 1 : 0,
        new Date().toISOString(),
        existing.id,
      );
    const updated = this.get(existing.id);
    if (!updated) throw new ZhikuError("not_found:integration", `No integration ${existing.id}`);
    return updated;
  }

  /**
   * Records that a bot took a question and how answering it went: `error` is why it failed, null when it was
   * answered. Leaves `updatedAt` alone (that dates the admin's changes, and the platforms' clients are cached by it).
   */
  recordActivity(id: string, activity: { at: string; error: string | null }): void {
    this.#db
      .prepare("UPDATE integrations SET last_activity_at = ?, last_error = ? WHERE id = ?")
      .run(activity.at, activity.error, id);
  }

  /** Disconnects a bot of a workspace (its delivery ids go with it); undefined when there is none. */
  delete(workspaceId: string, id: string): IntegrationRecord | undefined {
    const found = this.find(workspaceId, id);
    if (!found) return undefined;
    this.#db.transaction(() => {
      this.#db.prepare("DELETE FROM bot_deliveries WHERE integration_id = ?").run(id);
      this.#db.prepare("DELETE FROM integrations WHERE id = ?").run(id);
    })();
    return found;
  }

  /**
   * Records that a platform delivered a message or event id to a bot. True the first time, false for a repeat (a
   * platform retrying the delivery), so each question is asked once across restarts. Forgets ids after a week.
   */
  claimDelivery(integrationId: string, deliveryId: string): boolean {
    const now = Date.now();
    const result = this.#db
      .prepare(
        "INSERT OR IGNORE INTO bot_deliveries (integration_id, delivery_id, received_at) VALUES (?, ?, ?)",
      )
      .run(integrationId, deliveryId, new Date(now).toISOString());
    if (result.changes === 1) {
      this.#db
        .prepare("DELETE FROM bot_deliveries WHERE received_at < ?")
        .run(new Date(now - deliveryMemoryMs).toISOString());
    }
    return result.changes === 1;
  }

  /** Ids of the workspaces that have bots (to finish a workspace deletion a stopped run left half done). */
  workspaceIds(): string[] {
    return (
      this.#db.prepare("SELECT DISTINCT workspace_id FROM integrations").all() as { workspace_id: string }[]
    ).map((row) => row.workspace_id);
  }

  /** Deletes a workspace's bots and their delivery ids (with the workspace). */
  deleteWorkspace(workspaceId: string): void {
    this.#db
      .prepare(
        "DELETE FROM bot_deliveries WHERE integration_id IN (SELECT id FROM integrations WHERE workspace_id = ?)",
      )
      .run(workspaceId);
    this.#db.prepare("DELETE FROM integrations WHERE workspace_id = ?").run(workspaceId);
  }

  #toRecord(row: IntegrationRow): IntegrationRecord {
    return {
      id: row.id,
      workspaceId: row.workspace_id,
      platform: row.platform,
      name: row.name,
      mode: row.mode,
      settings: JSON.parse(row.settings) as Record<string, string>,
      secrets: JSON.parse(this.#box.open(row.secrets, sealContext(row.id))) as Record<string, string>,
      enabled: row.enabled === 1,
      lastActivityAt: row.last_activity_at,
      lastError: row.last_error,
      createdBy: row.created_by,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }
}

/** Ties a sealed secret to its row, so it cannot be copied into another. */
function sealContext(id: string): string {
  return `integration:${id}`;
}

/** An integration's settings and secrets read with its platform's schema, and its API base URL without a trailing slash. */
export function platformConfig<P extends BotPlatform>(
  integration: IntegrationRecord,
  platform: P,
): { settings: PlatformSettings<P>; secrets: PlatformSecrets<P>; apiBaseUrl: string } {
  if (integration.platform !== platform) {
    throw new ZhikuError("not_found:integration", `Integration ${integration.id} is not a ${platform} bot`);
  }
  const fields = platformFields[platform];
  const settings = fields.settings.parse(integration.settings) as PlatformSettings<P>;
  const secrets = fields.secrets.parse(integration.secrets) as PlatformSecrets<P>;
  const base = (settings as { apiBaseUrl?: string }).apiBaseUrl ?? defaultApiBaseUrls[platform];
  return { settings, secrets, apiBaseUrl: base.replace(/\/+$/, "") };
}
