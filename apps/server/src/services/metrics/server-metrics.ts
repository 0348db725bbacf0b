import { Counter, collectDefaultMetrics, Gauge, Histogram, type Registry } from "prom-client";

/** How an ingestion job ended (or, for `retrying`, why it went back to the queue). */
export type IngestionOutcome = "ingested" | "unchanged" | "failed" | "cancelled" | "retrying";

const documentStatuses = ["queued", "processing", "ready", "failed"] as const;

/** Options for {@link createServerMetrics}. */
export interface ServerMetricsOptions {
  /** The registry the metrics are registered on and `GET /api/metrics` reads; never prom-client's global one. */
  registry: Registry;
  /** Unfinished ingestion jobs right now, read at scrape time (the job store's counts). */
  queueDepth: () => { queued: number; running: number };
  /** Documents of all workspaces by status, read at scrape time (the knowledge base's counts). */
  documentCounts: () => Record<(typeof documentStatuses)[number], number>;
  /** Also collect Node's process metrics (CPU, memory, event loop lag, GC). Default false; the server turns it on. */
  processMetrics?: boolean;
}

/** One finished HTTP request, as recorded by the logging middleware. */
export interface HttpRequestRecord {
  method: string;
  /** The matched route pattern (e.g. `/api/workspaces/:slug/documents`), never the raw URL. */
  route: string;
  status: number;
  durationSeconds: number;
}

/** One finished chat, as recorded by the chat instrumentation. */
export interface ChatRecord {
  /** `ok` when the answer completed, `aborted` when the client left or the server stopped, `error` otherwise. */
  outcome: "ok" | "aborted" | "error";
  /** Whether the answer was streamed (SSE or OpenAI `stream: true`) or returned whole. */
  streamed: boolean;
  /** Seconds from the request to the first token, when a token came. */
  timeToFirstTokenSeconds?: number;
  /** Prompt tokens (Ollama's `prompt_eval_count` when it reports it). */
  promptTokens?: number;
  /** Completion tokens (Ollama's `eval_count`, else the number of streamed token events). */
  completionTokens?: number;
}

/** The server's Prometheus metrics, all on one registry passed in through the app's dependencies. */
export interface ServerMetrics {
  /** The registry to expose. */
  readonly registry: Registry;
  /** Counts an HTTP request and observes its duration. */
  recordHttpRequest(record: HttpRequestRecord): void;
  /** Counts a finished (or aborted) chat, its time to first token and its tokens. */
  recordChat(record: ChatRecord): void;
  /** Counts an ingestion job that ended or was put back for a retry. */
  recordIngestion(outcome: IngestionOutcome): void;
}

/**
 * Registers Zhiku's metrics on `registry`: HTTP requests and latencies by route pattern, ingestion queue depth and
 * documents by status (both read from SQLite when scraped), ingestion outcomes, chats, time to first token and tokens.
 */
export function createServerMetrics(options: ServerMetricsOptions): ServerMetrics {
  const { registry } = options;
  const registers = [registry];
  if (options.processMetrics) collectDefaultMetrics({ register: registry });

  const httpRequests = new Counter({
    name: "zhiku_http_requests_total",
    help: "HTTP requests by method, matched route pattern and status code.",
    labelNames: ["method", "route", "status"] as const,
    registers,
  });
  const httpDuration = new Histogram({
    name: "zhiku_http_request_duration_seconds",
    help: "Time from receiving a request to its response headers (streams: until the stream starts).",
    labelNames: ["method", "route"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });

  new Gauge({
    name: "zhiku_ingestion_queue_depth",
    help: "Ingestion jobs waiting (queued) or being processed (running) right now.",
    labelNames: ["state"] as const,
    registers,
    collect() {
      const depth = options.queueDepth();
      this.set({ state: "queued" }, depth.queued);
      this.set({ state: "running" }, depth.running);
    },
  });
  new Gauge({
    name: "zhiku_documents",
    help: "Documents in all workspaces by status.",
    labelNames: ["status"] as const,
    registers,
    collect() {
      const counts = options.documentCounts();
      for (const status of documentStatuses) this.set({ status }, counts[status] ?? 0);
    },
  });
  const ingestionJobs = new Counter({
    name: "zhiku_ingestion_jobs_finished_total",
    help: "Ingestion jobs by outcome: ingested, unchanged (same content), failed, cancelled, retrying (back in the queue).",
    labelNames: ["outcome"] as const,
    registers,
  });

  const chats = new Counter({
    name: "zhiku_chat_requests_total",
    help: "Chat answers by outcome (ok, aborted, error) and whether they were streamed.",
    labelNames: ["outcome", "streamed"] as const,
    registers,
  });
  const timeToFirstToken = new Histogram({
    name: "zhiku_chat_time_to_first_token_seconds",
    help: "Time from a chat request to the first answer token (retrieval, prompt and model start-up).",
    buckets: [0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60],
    registers,
  });
  const tokens = new Counter({
    name: "zhiku_chat_tokens_total",
    help: "Tokens of chat answers: prompt and completion, as Ollama reports them.",
    labelNames: ["kind"] as const,
    registers,
  });

  return {
    registry,
    recordHttpRequest(record) {
      const method = record.method.toUpperCase();
      httpRequests.inc({ method, route: record.route, status: String(record.status) });
      httpDuration.observe({ method, route: record.route }, record.durationSeconds);
    },
    recordChat(record) {
      chats.inc({ outcome: record.outcome, streamed: String(record.streamed) });
      if (record.timeToFirstTokenSeconds !== undefined)
        timeToFirstToken.observe(record.timeToFirstTokenSeconds);
      if (record.promptTokens) tokens.inc({ kind: "prompt" }, record.promptTokens);
      if (record.completionTokens) tokens.inc({ kind: "completion" }, record.completionTokens);
    },
    recordIngestion(outcome) {
      ingestionJobs.inc({ outcome });
    },
  };
}
