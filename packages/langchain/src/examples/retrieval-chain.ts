// The README's LangChain.js example: a retrieval chain that answers from a Zhiku workspace with a local Ollama model.
// A test runs it against a Zhiku server and the repository's stand-in Ollama (apps/server/src/integrations).
import { StringOutputParser } from "@langchain/core/output_parsers";
import { ChatPromptTemplate } from "@langchain/core/prompts";
import { RunnablePassthrough, RunnableSequence } from "@langchain/core/runnables";
import { ChatOllama } from "@langchain/ollama";
import { ZhikuRetriever } from "../index.js";

/** Answers `question` from a Zhiku workspace, citing passages as [1], [2], … */
export async function askWithZhiku(options: {
  zhikuUrl: string;
  apiKey: string;
  workspace: string;
  ollamaUrl: string;
  model: string;
  question: string;
}): Promise<string> {
  const retriever = new ZhikuRetriever({
    baseUrl: options.zhikuUrl,
    apiKey: options.apiKey,
    workspace: options.workspace,
    k: 4,
  });
  const prompt = ChatPromptTemplate.fromMessages([
    ["system", "Answer only from these passages and cite them as [n]:\n\n{context}"],
    ["human", "{question}"],
  ]);
  const chain = RunnableSequence.from([
    {
      context: retriever.pipe((documents) =>
        documents
          .map((document, index) => `[${index + 1}] ${document.metadata.source}\n${document.pageContent}`)
          .join("\n\n"),
      ),
      question: new RunnablePassthrough(),
    },
    prompt,
    new ChatOllama({ baseUrl: options.ollamaUrl, model: options.model }),
    new StringOutputParser(),
  ]);
  return chain.invoke(options.question);
}
