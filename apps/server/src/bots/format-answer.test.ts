import { describe, expect, it } from "vitest";
import type { ChatSource } from "../services/chat/chat-source.js";
import { citedNumbers, formatBotAnswer, formatPartialAnswer } from "./format-answer.js";

const source = (index: number, name: string, page: number | null = null): ChatSource => ({
  index,
  documentName: name,
  documentId: `doc-${index}`,
  chunkId: `doc-${index}:h:0`,
  text: "…",
  score: 1,
  relevance: 0.8,
  page,
  headings: [],
  start: 0,
  end: 1,
});

describe("formatBotAnswer", () => {
  const sources = [source(1, "backup.md"), source(2, "restore.pdf", 3), source(3, "unused.md")];

  it("lists the cited passages in the order first cited, each linked to its passage", () => {
    expect(citedNumbers("B [2], A [1, 2], again [2]")).toEqual([2, 1]);
    const text = formatBotAnswer({
      answer: "Restore from the copy [2]; copies are nightly [1, 2].",
      sources,
      language: "other",
      workspaceSlug: "ops",
      publicUrl: "https://zhiku.example.com",
      linkStyle: "markdown",
    });
    expect(text).toBe(
      [
        "Restore from the copy [2]; copies are nightly [1, 2].",
        "",
        "Sources:",
        "[2] [restore.pdf, p. 3](https://zhiku.example.com/workspaces/ops/documents?document=doc-2&chunk=doc-2%3Ah%3A0)",
        "[1] [backup.md](https://zhiku.example.com/workspaces/ops/documents?document=doc-1&chunk=doc-1%3Ah%3A0)",
      ].join("\n"),
    );
  });

  it("writes the heading in Chinese for a Chinese question, names without links when PUBLIC_URL is unset, escapes Slack text", () => {
    expect(
      formatBotAnswer({
        answer: "每晚备份 [2]。",
        sources,
        language: "zh",
        workspaceSlug: "ops",
        linkStyle: "plain",
      }),
    ).toBe("每晚备份 [2]。\n\n来源：\n[2] restore.pdf，第 3 页");
    expect(
      formatBotAnswer({
        answer: "Use <b> & x [1]",
        sources: [source(1, "a|b.md")],
        language: "other",
        workspaceSlug: "ops",
        publicUrl: "https://z.example",
        linkStyle: "slack",
      }),
    ).toBe(
      "Use &lt;b&gt; &amp; x [1]\n\nSources:\n[1] <https://z.example/workspaces/ops/documents?document=doc-1&chunk=doc-1%3Ah%3A0|a¦b.md>",
    );
  });

  it("sends a refusal, which cites nothing, alone", () => {
    expect(
      formatBotAnswer({
        answer: "Nothing found.",
        sources: [],
        language: "other",
        workspaceSlug: "ops",
        linkStyle: "plain",
      }),
    ).toBe("Nothing found.");
  });

  it("shows a streaming answer so far with an ellipsis, escaped for Slack, without sources", () => {
    expect(formatPartialAnswer({ answer: "Backups run at 2 <am> [1", linkStyle: "slack" })).toBe(
      "Backups run at 2 &lt;am&gt; [1 …",
    );
    expect(formatPartialAnswer({ answer: " 每晚备份 ", linkStyle: "plain" })).toBe("每晚备份 …");
  });
});
