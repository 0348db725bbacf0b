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
  /** The workspaces of the running upkeep not started yet. */
  #round: string[] = [];
  /** The workspace whose indexes are being folded now. */
  #folding: string | undefined;
  /** Set by {@link close}: nothing new starts. */
  #closing = false;

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
    if (this.#closing || this.#running || this.#touched.size === 0) return;
    // This round's workspaces; chunks stored meanwhile wait for the next quiet moment.
    this.#round = [...this.#touched];
    this.#touched.clear();
    this.#running = (async () => {
      for (let slug = this.#round.shift(); slug !== undefined && !this.#closing; slug = this.#round.shift()) {
        this.#folding = slug;
        try {
          const started = performance.now();
          await this.#kb.optimize(slug);
          this.#folding = undefined;
          // LanceDB rewrites the workspace's table to do it: the time grows with the workspace (bench/ingest/fold.mjs).
          this.#logger.info(
            { workspace: slug, ms: Math.round(performance.now() - started) },
            "Search indexes updated with the new chunks",
          );
          // Measured on the folded indexes, as questions search them; only when new, of another model, doubled or
          // halved. Not while stopping: the next fold refreshes it.
          if (!this.#closing) await this.#kb.refreshRelevanceCalibration(slug);
        } catch (error) {
          this.#logger.warn(
            { err: error, workspace: slug },
            "Updating the search indexes or the relevance calibration failed; the next batch retries",
          );
        }
      }
    })().finally(() => {
      this.#folding = undefined;
      this.#running = undefined;
      onSettled();
    });
  }

  /**
   * Stops the upkeep: nothing new starts, and the fold running now (if any) is waited for up to `graceMs`. A
   * LanceDB fold cannot be cancelled and may take a minute on a large workspace; stopping without it loses nothing,
   * since each fold commits at once or not at all. Resolves to whether the upkeep ended, and the workspaces whose
   * fold is unfinished or was never started (`owed`).
   */
  async close(options: { graceMs: number }): Promise<{ settled: boolean; owed: string[] }> {
    this.#closing = true;
    const running = this.#running;
    let timer: NodeJS.Timeout | undefined;
    const settled = running
      ? await Promise.race([
          running.then(() => true),
          new Promise<false>((resolve) => {
            timer = setTimeout(() => resolve(false), options.graceMs);
          }),
        ])
      : true;
    clearTimeout(timer);
    const folding = settled || this.#folding === undefined ? [] : [this.#folding];
    const owed = [...new Set([...folding, ...this.#round, ...this.#touched])];
    return { settled, owed };
  }
}
