/**
 * @zhiku/langchain: Zhiku in LangChain.js. A retriever over a workspace (HTTP API), Zhiku's Chinese-aware text
 * splitter, and embeddings both ways (a workspace's model as LangChain `Embeddings`; any LangChain `Embeddings` as
 * Zhiku's embedder).
 */
export {
  embedderFromLangChain,
  ZhikuEmbeddings,
  type ZhikuEmbeddingsInput,
} from "./zhiku-embeddings.js";
export {
  type ZhikuPassageMetadata,
  ZhikuRetriever,
  type ZhikuRetrieverInput,
  type ZhikuSearchMode,
} from "./zhiku-retriever.js";
export {
  type ZhikuSplitMetadata,
  ZhikuTextSplitter,
  type ZhikuTextSplitterInput,
} from "./zhiku-text-splitter.js";
