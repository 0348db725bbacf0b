import { screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { DocumentText } from "../lib/api-types";
import { admin, errorJson, fakeApi, json, renderApp } from "../testing/fake-api";

const text = "# 手册\n\n## 休假\n\n年假 15 天。\n\n## 报销\n\n发票在 30 天内提交。";
const documentText: DocumentText = {
  document: {
    id: "d1",
    workspaceId: "w1",
    name: "手册.md",
    type: "markdown",
    bytes: text.length,
    contentHash: "h",
    status: "ready",
    error: null,
    chunks: 2,
    title: "手册",
    byline: null,
    pages: null,
    createdAt: "2026-01-01T00:00:00Z",
    updatedAt: "2026-01-01T00:00:00Z",
  },
  text,
  chunks: [
    { chunkId: "c0", index: 0, start: 0, end: 20, headings: ["手册", "休假"], page: null },
    { chunkId: "c1", index: 1, start: 22, end: text.length, headings: ["手册", "报销"], page: null },
  ],
};

function network(textAnswer: () => Response) {
  return fakeApi({
    "GET /api/auth/status": () => json({ needsSetup: false, user: admin }),
    "GET /api/workspaces": () =>
      json({ workspaces: [{ slug: "hr", name: "人事", settings: {}, myRole: "viewer" }] }),
    "GET /api/workspaces/hr/threads": () => json({ threads: [] }),
    "GET /api/workspaces/hr/documents/d1/text": textAnswer,
  });
}

describe("document viewer page", () => {
  it("marks the cited chunk in the text, with its heading path as breadcrumbs and a separate download", async () => {
    renderApp(
      network(() => json(documentText)),
      "/workspaces/hr/documents/d1/view?chunk=c1",
    );
    const mark = await waitFor(() => {
      const element = document.querySelector(".viewer-text mark");
      expect(element).not.toBeNull();
      return element!;
    });
    // The whole text is shown once, the cited chunk (and only it) inside the mark.
    expect(mark.textContent).toBe(`Cited passage: ${text.slice(22)}`);
    expect(document.querySelector(".viewer-text")?.textContent).toBe(
      `${text.slice(0, 22)}Cited passage: ${text.slice(22)}`,
    );
    const breadcrumbs = screen.getByRole("navigation", { name: "Section of the cited passage" });
    expect([...breadcrumbs.querySelectorAll("li")].map((item) => item.textContent)).toEqual(["手册", "报销"]);
    expect(screen.getByRole("link", { name: "Download the original" }).getAttribute("href")).toBe(
      "http://zhiku.test/api/workspaces/hr/documents/d1/file",
    );
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("手册");
  });

  it("says so when the document no longer exists", async () => {
    renderApp(
      network(() => errorJson("not_found:document", "No document d1 in workspace hr", 404)),
      "/workspaces/hr/documents/d1/view?chunk=c1",
    );
    const alert = await screen.findByText("This document no longer exists.");
    expect(alert.getAttribute("role")).toBe("alert");
    expect(document.querySelector("mark")).toBeNull();
  });

  it("opens a passage link of the bots and MCP tools in the viewer", async () => {
    renderApp(
      network(() => json(documentText)),
      "/workspaces/hr/documents?document=d1&chunk=c0",
    );
    await waitFor(() =>
      expect(screen.getByTestId("location").textContent).toBe("/workspaces/hr/documents/d1/view?chunk=c0"),
    );
    await waitFor(() =>
      expect(document.querySelector(".viewer-text mark")?.textContent).toBe(
        `Cited passage: ${text.slice(0, 20)}`,
      ),
    );
  });
});
