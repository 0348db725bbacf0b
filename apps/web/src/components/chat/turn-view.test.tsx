import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { ChatTurn } from "../../hooks/use-chat";
import { I18nProvider, type Locale } from "../../i18n/i18n";
import { TurnView } from "./turn-view";

const source = {
  index: 1,
  documentId: "d1",
  documentName: "handbook.pdf",
  chunkId: "c1",
  text: "正式员工每年享有 15 天带薪年假。",
  page: 2,
  score: 0.5,
  relevance: 0.8,
  headings: [],
  start: 0,
  end: 10,
};

function setup(turn: ChatTurn, options: { locale?: Locale; isLast?: boolean } = {}) {
  const onRegenerate = vi.fn();
  const onFeedback = vi.fn();
  const view = render(
    <I18nProvider initialLocale={options.locale ?? "en"}>
      <TurnView
        turn={turn}
        isLast={options.isLast ?? true}
        busy={false}
        onOpenSource={() => {}}
        onRegenerate={onRegenerate}
        onFeedback={onFeedback}
      />
    </I18nProvider>,
  );
  return { onRegenerate, onFeedback, ...view };
}

const answered: ChatTurn = {
  key: "q1",
  question: "年假有几天？",
  answer: "十五天[1]。",
  sources: [source],
  status: "done",
  messageId: "m3",
  earlierVersions: [
    { answer: "First try.", sources: [], status: "done" },
    { answer: "Second, cut", sources: [], status: "stopped" },
  ],
};

describe("TurnView", () => {
  it("switches through a regenerated answer's versions, newest first shown", async () => {
    const user = userEvent.setup();
    setup(answered);
    expect(screen.getByText("3/3")).toBeTruthy();
    await screen.findByText(/十五天/);
    const next = screen.getByRole("button", { name: "Next version" }) as HTMLButtonElement;
    const previous = screen.getByRole("button", { name: "Previous version" }) as HTMLButtonElement;
    expect(next.disabled).toBe(true);
    // Feedback belongs to the newest answer only.
    expect(screen.getByRole("button", { name: "Good answer" })).toBeTruthy();

    await user.click(previous);
    expect(screen.getByText("2/3")).toBeTruthy();
    await screen.findByText("Second, cut");
    expect(screen.getByText("Stopped.")).toBeTruthy();
    expect(screen.queryByText(/十五天/)).toBeNull();
    expect(screen.queryByRole("button", { name: "Good answer" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Source 1: handbook.pdf" })).toBeNull();

    await user.click(previous);
    expect(screen.getByText("1/3")).toBeTruthy();
    await screen.findByText("First try.");
    expect(screen.queryByText("Stopped.")).toBeNull();
    expect(previous.disabled).toBe(true);

    await user.click(next);
    await user.click(next);
    expect(screen.getByText("3/3")).toBeTruthy();
    await screen.findByText(/十五天/);
    expect(screen.getByRole("button", { name: "Source 1: handbook.pdf" })).toBeTruthy();
  });

  it("shows no switcher for an answer with a single version", () => {
    setup({ ...answered, earlierVersions: [] });
    expect(screen.queryByRole("button", { name: "Previous version" })).toBeNull();
    expect(screen.queryByText("1/1")).toBeNull();
  });

  it("offers Retry, not Regenerate, under a failed answer, and only on the last turn", async () => {
    const user = userEvent.setup();
    const failed: ChatTurn = {
      key: "q2",
      question: "q",
      answer: "",
      sources: [],
      status: "error",
      error: "Ollama is not reachable",
      errorCode: "unavailable:ollama",
      earlierVersions: [],
    };
    const { onRegenerate, unmount } = setup(failed);
    expect(screen.getByRole("alert").textContent).toContain("Ollama cannot be reached");
    expect(screen.queryByRole("button", { name: "Regenerate" })).toBeNull();
    await user.click(screen.getByRole("button", { name: "Retry" }));
    expect(onRegenerate).toHaveBeenCalledOnce();
    unmount();

    setup(failed, { isLast: false });
    expect(screen.queryByRole("button", { name: "Retry" })).toBeNull();
  });

  it("marks a stopped answer, in Chinese too", async () => {
    setup({ ...answered, status: "stopped", answer: "部分", earlierVersions: [] }, { locale: "zh" });
    expect(screen.getByText("已停止。")).toBeTruthy();
    expect(screen.getByRole("button", { name: "重新生成" })).toBeTruthy();
  });
});

describe("TurnView source chips", () => {
  it("show the page of a paged source, and the heading path of a source without pages", () => {
    setup({
      ...answered,
      earlierVersions: [],
      sources: [
        source,
        {
          ...source,
          index: 2,
          documentName: "员工手册.md",
          chunkId: "c9",
          page: null,
          headings: ["员工手册", "休假制度", "病假"],
        },
      ],
    });
    const chips = screen.getByRole("region", { name: "Sources" }).querySelectorAll(".chip");
    expect(chips[0]?.textContent).toBe("1handbook.pdfPage 2");
    expect(chips[1]?.textContent).toBe("2员工手册.md员工手册 › 休假制度 › 病假");
  });
});
