import type { CallbackManagerForRetrieverRun } from "@langchain/core/callbacks/manager";
import { Document } from "@langchain/core/documents";
import { BaseRetriever, type BaseRetrieverInput } from "@langchain/core/retrievers";

/** How Zhiku searches: hybrid (vector + full text, the default), vector only or full text only. */
export type ZhikuSearchMode = "hybrid" | "vector" | "fulltext";

/** Options of {@link ZhikuRetriever}. */
export interface ZhikuRetrieverInput extends BaseRetrieverInput {
  /** Where Zhiku runs, e.g. `http://localhost:3000`. */
  baseUrl: string;
  /** An API key (`zk_...`), created under *API keys* in Zhiku. */
  apiKey: string;
  /** The workspace's slug. */
  workspace: string;
  /** Passages to return. Default 4. */
  k?: number;
  /** Search mode. Default `hybrid`. */
  mode?: ZhikuSearchMode;
  /** The fetch to use (tests, proxies). Default the global one. */
  fetch?: typeof fetch;
}

/** What a passage's `metadata` holds. */
export interface ZhikuPassageMetadata {
  /** The document's name in Zhiku, e.g. `guide/install.md`. */
  source: string;
  documentId: string;
  chunkId: string;
  /** Page the passage starts on, for PDFs; null elsewhere. */
  page: number | null;
  /** Heading path, outermost first. */
  headings: string[];
  /** Zhiku's score, higher is better (the fused rank score in hybrid mode). */
  score: number;
}

/** One hit of `POST /api/workspaces/:slug/search`. */
interface SearchHit {
  documentName: string;
  documentId: string;
  chunkId: string;
  text: string;
  score: number;
  page: number | null;
  headings: string[];
}

/**
 * A LangChain retriever over a Zhiku workspace, through Zhiku's HTTP search API: Chinese and English hybrid search,
 * passages with their document, page and heading path.
 */
export class ZhikuRetriever extends BaseRetriever {
  static override lc_name(): string {
    return "ZhikuRetriever";
  }

  override lc_namespace = ["zhiku", "retrievers"];

  readonly baseUrl: string;
  readonly workspace: string;
  readonly k: number;
  readonly mode: ZhikuSearchMode;
  readonly #apiKey: string;
  readonly #fetch: typeof fetch;

  constructor(input: ZhikuRetrieverInput) {
    super(input);
    this.baseUrl = input.baseUrl.replace(/\/+$/, "");
    this.workspace = input.workspace;
    this.k = input.k ?? 4;
    this.mode = input.mode ?? "hybrid";
    this.#apiKey = input.apiKey;
    this.#fetch = input.fetch ?? fetch;
  }

  override async _getRelevantDocuments(
    query: string,
    _runManager?: CallbackManagerForRetrieverRun,
  ): Promise<Document<ZhikuPassageMetadata>[]> {
    const url = `${this.baseUrl}/api/workspaces/${encodeURIComponent(this.workspace)}/search`;
    const response = await this.#fetch(url, {
      method: "POST",
      headers: { authorization: `Bearer ${this.#apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ query, limit: this.k, mode: this.mode }),
    });
    if (!response.ok) throw await zhikuError(response, url);
    const { results } = (await response.json()) as { results: SearchHit[] };
    return results.map(
      (hit) =>
        new Document<ZhikuPassageMetadata>({
          pageContent: hit.text,
          id: hit.chunkId,
          metadata: {
            source: hit.documentName,
            documentId: hit.documentId,
            chunkId: hit.chunkId,
            page: hit.page,
            headings: hit.headings,
            score: hit.score,
          },
        }),
    );
  }
}

/** Zhiku's `{error:{code,message}}` (or OpenAI's shape under /v1) as an Error naming the URL and the code. */
export async function zhikuError(response: Response, url: string): Promise<Error> {
  const body = (await response.json().catch(() => undefined)) as
    | { error?: { code?: string; message?: string } }
    | undefined;
  const code = body?.error?.code ?? `http:${response.status}`;
  const message = body?.error?.message ?? response.statusText;
  return Object.assign(new Error(`Zhiku ${url} answered ${response.status} ${code}: ${message}`), {
    code,
    status: response.status,
  });
}
