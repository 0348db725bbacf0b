import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { ChatTurn } from "../../hooks/use-chat";
import { I18nProvider, type Locale } from "../../i18n/i18n";
import type { RerankSummary } from "../../lib/api-types";
import { TurnView } from "./turn-view";

const turn: ChatTurn = {
  key: "q1",
  question: "How does failover work?",
  answer: "A replica is promoted [1].",
  sources: [
    {
      index: 1,
      documentId: "d1",
      documentName: "replicas.md",
      chunkId: "c1",
      text: "A replica takes over.",
      page: null,
      score: 0.03,
      relevance: 0.6,
      headings: ["Replicas"],
      start: 0,
      end: 21,
    },
  ],
  status: "done",
  earlierVersions: [],
};

const fellBack: RerankSummary = {
  applied: false,
  model: "bge-reranker-v2-m3",
  fallbackReason: "Reranker at http://reranker:8080/v1/rerank: no answer within 3000 ms",
};

function renderTurn(rerank: RerankSummary | undefined, locale: Locale = "en") {
  return render(
    <I18nProvider initialLocale={locale}>
      <TurnView
        turn={{ ...turn, ...(rerank ? { rerank } : {}) }}
        isLast
        busy={false}
        onOpenSource={() => {}}
        onRegenerate={() => {}}
        onFeedback={() => {}}
      />
    </I18nProvider>,
  );
}

describe("the rerank note under an answer's sources", () => {
  it("says the sources are in search order when the reranker fell back, with the reason as its tooltip", () => {
    renderTurn(fellBack);
    const note = screen.getByText("The reranker did not answer, so the sources are in search order.");
    expect(note.getAttribute("title")).toBe(fellBack.fallbackReason);
  });

  it("says it in Chinese too", () => {
    renderTurn(fellBack, "zh");
    expect(screen.getByText("重排序服务未响应，来源按检索顺序排列。")).toBeTruthy();
  });

  it("is absent when the reranker ordered the sources, or when none is configured", () => {
    const { container, unmount } = renderTurn({ applied: true, model: "bge-reranker-v2-m3" });
    expect(container.querySelector(".rerank-note")).toBeNull();
    expect(screen.getByText("replicas.md")).toBeTruthy();
    unmount();
    const without = renderTurn(undefined);
    expect(without.container.querySelector(".rerank-note")).toBeNull();
  });
});
