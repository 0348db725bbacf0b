import { ZhikuError } from "@zhiku/ingest";
import type { Logger } from "../logger.js";
import type { BotAnswerer } from "./bot-answerer.js";
import type { IntegrationRecord, IntegrationStore } from "./integration-store.js";
import type { BotPlatform } from "./platforms.js";

/** What each platform's callback routes need. */
export interface BotRouteDeps {
  integrations: IntegrationStore;
  answerer: BotAnswerer;
  logger: Logger;
  /** The clock the timestamp windows are checked against (ms since the epoch); `Date.now` in the server. */
  now: () => number;
}

/** The integration a callback URL names, if it is a bot of that platform; else 404 (as for one that was deleted). */
export function requireIntegration(
  integrations: IntegrationStore,
  id: string,
  platform: BotPlatform,
): IntegrationRecord {
  const found = integrations.get(id);
  if (!found || found.platform !== platform) {
    throw new ZhikuError("not_found:integration", `No ${platform} integration ${id}`);
  }
  return found;
}

/** Parses a verified body as JSON, or refuses it as `invalid:body`. */
export function parseJsonBody(body: string, platform: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new ZhikuError("invalid:body", `The ${platform} request body is not JSON`);
  }
}
