import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { I18nProvider } from "../../i18n/i18n";
import { MarkdownView } from "./markdown-view";
import { splitCitations } from "./remark-citations";

function renderMarkdown(markdown: string, onCite = vi.fn(), sourceCount?: number) {
  render(
    <I18nProvider initialLocale="en">
      <MarkdownView markdown={markdown} onCite={onCite} sourceCount={sourceCount} />
    </I18nProvider>,
  );
  return onCite;
}

describe("splitCitations", () => {
  it("splits markers, including lists of numbers, and keeps the text around them", () => {
    expect(splitCitations("A [1] b [2, 3].")).toEqual([
      { type: "text", value: "A " },
      { type: "link", url: "#cite-1", children: [{ type: "text", value: "1" }] },
      { type: "text", value: " b " },
      { type: "link", url: "#cite-2", children: [{ type: "text", value: "2" }] },
      { type: "link", url: "#cite-3", children: [{ type: "text", value: "3" }] },
      { type: "text", value: "." },
    ]);
    expect(splitCitations("no markers [x]")).toBeUndefined();
  });
});

describe("MarkdownView citations", () => {
  it("turns [n] markers into buttons that open source n", async () => {
    const onCite = renderMarkdown("年假为 **15 天**[1][2]，详见手册。");
    const buttons = screen.getAllByRole("button", { name: /Open source/ });
    expect(buttons.map((button) => button.textContent)).toEqual(["1", "2"]);
    await userEvent.click(screen.getByRole("button", { name: "Open source 2" }));
    expect(onCite).toHaveBeenCalledWith(2);
    expect(screen.getByText("15 天").tagName).toBe("STRONG");
  });

  it("leaves markers in code alone and markers beyond the sources as text", () => {
    renderMarkdown("Use `arr[1]` here [3] and [1].", vi.fn(), 2);
    expect(screen.getByText("arr[1]").tagName).toBe("CODE");
    expect(screen.getAllByRole("button", { name: /Open source/ })).toHaveLength(1);
    expect(screen.getByText("[3]")).toBeTruthy();
  });

  it("renders GFM tables", () => {
    renderMarkdown("| a | b |\n|---|---|\n| 1 | 2 |\n");
    expect(screen.getByRole("table")).toBeTruthy();
    expect(screen.getAllByRole("cell").map((cell) => cell.textContent)).toEqual(["1", "2"]);
  });

  it("loads KaTeX on demand for math and the highlighter for code", async () => {
    renderMarkdown("Energy $E = mc^2$.\n\n```ts\nconst x: number = 1;\n```\n");
    await waitFor(() => expect(document.querySelector(".katex")).not.toBeNull());
    await waitFor(() => expect(document.querySelector(".hljs-keyword")).not.toBeNull());
    expect(screen.getByRole("button", { name: "Copy code" })).toBeTruthy();
  });
});
