import type { KnowledgeBase } from "@zhiku/ingest";
import type { Logger } from "../../logger.js";

/**
 * Folds the newly stored chunks of each touched workspace into its full-text and vector indexes (see
 * `KnowledgeBase.optimize`) once the queue is quiet, then refreshes its relevance calibration (query mode's cut-off,
 * see `KnowledgeBase.refreshRelevanceCalibration`). Waiting for quiet keeps that compaction from racing the
 * workers' writes, and does it once per batch instead of once per document.
 */
export class IndexUpkeep {
  readonly #kb: KnowledgeBase;
  readonly #logger: Logger;
  /** Workspaces with chunks stored since their indexes were last brought up to date. */
  readonly #touched = new Set<string>();
  /** The upkeep running now, if any. */
  #running: Promise<void> | undefined;

  constructor(options: { kb: KnowledgeBase; logger: Logger }) {
    this.#kb = options.kb;
    this.#logger = options.logger;
  }

  /** Notes that a workspace got new chunks. */
  touch(workspaceSlug: string): void {
    this.#touched.add(workspaceSlug);
  }

  /** True while upkeep runs or is owed. */
  get pending(): boolean {
    return this.#running !== undefined || this.#touched.size > 0;
  }

  /** Starts the upkeep of every touched workspace unless it runs already; `onSettled` runs when it ends. */
  runNow(onSettled: () => void): void {
    if (this.#running || this.#touched.size === 0) return;
    const slugs = [...this.#touched];
    this.#touched.clear();
    this.#running = (async () => {
      for (const slug of slugs) {
        try {
          const started = performance.now();
          await this.#kb.optimize(slug);
          // LanceDB rewrites the workspace's table to do it: the time grows with the workspace (bench/ingest/fold.mjs).
          this.#logger.info(
            { workspace: slug, ms: Math.round(performance.now() - started) },
            "Search indexes updated with the new chunks",
          );
          // Measured on the folded indexes, as questions search them; only when new, of another model, doubled or halved.
          await this.#kb.refreshRelevanceCalibration(slug);
        } catch (error) {
          this.#logger.warn(
            { err: error, workspace: slug },
            "Updating the search indexes or the relevance calibration failed; the next batch retries",
          );
        }
      }
    })().finally(() => {
      this.#running = undefined;
      onSettled();
    });
  }

  /** Resolves once the running upkeep (if any) ended. */
  async settled(): Promise<void> {
    await this.#running;
  }
}
