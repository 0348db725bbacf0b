import { act, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, useLocation } from "react-router";
import { describe, expect, it } from "vitest";
import { AppProviders, AppRoutes } from "../app";
import { createApiClient } from "../lib/api-client";

/** A chat answer the test streams piece by piece. */
interface OpenStream {
  push: (event: string, data: unknown) => void;
  close: () => void;
  signal: AbortSignal | undefined;
  body: unknown;
}

/**
 * The network collaborator, faked: JSON routes answer from fixtures, and each chat POST opens a stream the
 * test feeds. Everything above fetch (client, hooks, components, router) is the real code.
 */
function fakeNetwork() {
  const streams: OpenStream[] = [];
  const calls: { method: string; path: string; body: unknown }[] = [];
  let threads: { id: string; workspaceId: string; title: string; createdAt: string; updatedAt: string }[] =
    [];
  const json = (body: unknown, status = 200) =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    const path = new URL(request.url).pathname;
    const text = request.method === "GET" ? "" : await request.text();
    const body: unknown = text ? JSON.parse(text) : undefined;
    calls.push({ method: request.method, path, body });
    if (path === "/api/auth/status") {
      return json({
        needsSetup: false,
        user: { id: "u1", email: "admin@example.com", role: "admin", createdAt: "2026-01-01T00:00:00Z" },
      });
    }
    if (path === "/api/health") {
      return json({
        status: "ok",
        ollama: {
          reachable: true,
          chatModel: { name: "qwen2.5:7b", available: true },
          embedModel: { name: "bge-m3", available: true },
        },
      });
    }
    if (path === "/api/workspaces") return json({ workspaces: [{ slug: "hr", name: "人事", settings: {} }] });
    if (path === "/api/workspaces/hr/threads") return json({ threads });
    if (path === "/api/workspaces/hr/documents/d1/chunks") {
      return json({
        chunks: [
          { chunkId: "c0", index: 0, text: "员工手册", start: 0, end: 4, headings: [], page: 1, tokens: 2 },
          {
            chunkId: "c1",
            index: 1,
            text: "正式员工每年享有 15 天带薪年假。",
            start: 5,
            end: 22,
            headings: ["员工手册", "休假制度", "年假"],
            page: 2,
            tokens: 12,
          },
        ],
      });
    }
    if (path === "/api/messages/m1/feedback") return json({ messageId: "m1", rating: "up" });
    if (path === "/api/workspaces/hr/chat") {
      const encoder = new TextEncoder();
      let controller!: ReadableStreamDefaultController<Uint8Array>;
      const stream = new ReadableStream<Uint8Array>({
        start(streamController) {
          controller = streamController;
        },
      });
      const signal = init?.signal ?? undefined;
      signal?.addEventListener("abort", () => controller.error(new DOMException("aborted", "AbortError")));
      streams.push({
        push: (event, data) =>
          controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)),
        close: () => controller.close(),
        signal,
        body,
      });
      return new Response(stream, { headers: { "content-type": "text/event-stream" } });
    }
    return json({ error: { code: "not_found:route", message: `No route ${request.method} ${path}` } }, 404);
  };
  return {
    fetch,
    streams,
    calls,
    setThreads: (next: typeof threads) => {
      threads = next;
    },
  };
}

function LocationProbe() {
  const location = useLocation();
  return <output data-testid="location">{location.pathname}</output>;
}

function renderApp(network: ReturnType<typeof fakeNetwork>, path: string, locale: "en" | "zh" = "en") {
  window.localStorage.setItem("zhiku.locale", locale);
  render(
    <AppProviders client={createApiClient({ baseUrl: "http://zhiku.test", fetch: network.fetch })}>
      <MemoryRouter initialEntries={[path]}>
        <AppRoutes />
        <LocationProbe />
      </MemoryRouter>
    </AppProviders>,
  );
}

const source = {
  index: 1,
  documentId: "d1",
  documentName: "handbook.pdf",
  chunkId: "c1",
  text: "正式员工每年享有 15 天带薪年假。",
  page: 2,
  // A hybrid hit: the fused rank score is tiny, the cosine relevance is what a reader wants to see.
  score: 0.0161,
  relevance: 0.8234,
};

describe("chat page", () => {
  it("streams an answer, moves to the new thread's address, opens a citation and records feedback", async () => {
    const network = fakeNetwork();
    renderApp(network, "/workspaces/hr");
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Your question"), "年假有几天？{Enter}");

    await screen.findByRole("button", { name: "Stop generating" });
    expect(network.streams[0]!.body).toEqual({ message: "年假有几天？", mode: "chat" });
    await act(async () => {
      network.streams[0]!.push("sources", { sources: [source] });
      network.streams[0]!.push("token", { text: "年假" });
    });
    await screen.findByText("年假");
    await act(async () => {
      network.streams[0]!.push("token", { text: "有 15 天[1]。" });
    });
    const citation = await screen.findByRole("button", { name: "Open source 1" });

    network.setThreads([{ id: "t1", workspaceId: "w", title: "年假有几天？", createdAt: "", updatedAt: "" }]);
    await act(async () => {
      network.streams[0]!.push("done", { threadId: "t1", messageId: "m1" });
      network.streams[0]!.close();
    });
    await screen.findByRole("button", { name: "Regenerate" });
    await waitFor(() => expect(screen.getByTestId("location").textContent).toBe("/workspaces/hr/threads/t1"));
    await screen.findByRole("link", { name: "年假有几天？" });
    // Arriving at the thread's address keeps the streamed answer instead of reloading it.
    expect(network.calls.some((call) => call.path === "/api/threads/t1")).toBe(false);

    await user.click(citation);
    const panel = await screen.findByRole("complementary", { name: "Source 1" });
    await waitFor(() => expect(panel.textContent).toContain("员工手册 › 休假制度 › 年假"));
    expect(panel.querySelector("mark")?.textContent).toBe("正式员工每年享有 15 天带薪年假。");
    expect(panel.textContent).toContain("Relevance 82%");
    expect(panel.textContent).not.toContain("0.016");
    expect(screen.getByRole("link", { name: "Open the original at page 2" }).getAttribute("href")).toBe(
      "http://zhiku.test/api/workspaces/hr/documents/d1/file#page=2",
    );
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByRole("complementary", { name: "Source 1" })).toBeNull());

    await user.click(screen.getByRole("button", { name: "Good answer" }));
    await waitFor(() =>
      expect(network.calls).toContainEqual({
        method: "POST",
        path: "/api/messages/m1/feedback",
        body: { rating: "up" },
      }),
    );
    expect(screen.getByRole("button", { name: "Good answer" }).getAttribute("aria-pressed")).toBe("true");
  });

  it("stops generating: the request is aborted and the partial answer stays", async () => {
    const network = fakeNetwork();
    renderApp(network, "/workspaces/hr");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("radio", { name: "Documents only" }));
    await user.type(screen.getByLabelText("Your question"), "How many days?{Enter}");
    await screen.findByRole("button", { name: "Stop generating" });
    expect(network.streams[0]!.body).toEqual({ message: "How many days?", mode: "query" });
    await act(async () => network.streams[0]!.push("token", { text: "Fifteen" }));
    await screen.findByText("Fifteen");

    await user.click(screen.getByRole("button", { name: "Stop generating" }));
    await screen.findByText("Stopped.");
    expect(network.streams[0]!.signal?.aborted).toBe(true);
    expect(screen.getByText("Fifteen")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Send" })).toBeTruthy();
  });

  it("shows the server's error message when the answer fails", async () => {
    const network = fakeNetwork();
    renderApp(network, "/workspaces/hr");
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Your question"), "q{Enter}");
    await screen.findByRole("button", { name: "Stop generating" });
    await act(async () => {
      network.streams[0]!.push("error", { code: "unavailable:ollama", message: "Ollama is not reachable" });
      network.streams[0]!.close();
    });
    expect((await screen.findByRole("alert")).textContent).toBe(
      "The answer failed: Ollama cannot be reached. Check that it is running, then try again.",
    );
  });

  it("says a chat error with an unknown code in the server's words, and a known one in Chinese", async () => {
    const network = fakeNetwork();
    renderApp(network, "/workspaces/hr", "zh");
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("你的问题"), "q{Enter}");
    await act(async () => {
      // Ollama went away mid-answer: the partial answer stays, with the reason under it.
      network.streams[0]!.push("token", { text: "部分回答" });
      network.streams[0]!.push("error", { code: "unavailable:ollama", message: "Ollama is not reachable" });
      network.streams[0]!.close();
    });
    expect((await screen.findByRole("alert")).textContent).toBe(
      "回答失败：无法连接 Ollama。请确认它正在运行，然后重试。",
    );
    await user.click(screen.getByRole("button", { name: "重新生成" }));
    await act(async () => {
      network.streams[1]!.push("token", { text: "又一次" });
      network.streams[1]!.push("error", { code: "invalid:brand_new", message: "A new server failure" });
      network.streams[1]!.close();
    });
    await waitFor(() => expect(screen.getByRole("alert").textContent).toBe("回答失败：A new server failure"));
    // Nothing was stored (no thread yet), so regenerating is a plain send.
    expect(network.streams[1]!.body).toEqual({ message: "q", mode: "chat" });
  });

  it("regenerates the last answer in its thread: the server is asked to replace it, the question shows once", async () => {
    const network = fakeNetwork();
    renderApp(network, "/workspaces/hr");
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Your question"), "年假有几天？{Enter}");
    await act(async () => {
      network.streams[0]!.push("sources", { sources: [{ ...source, relevance: null }] });
      network.streams[0]!.push("token", { text: "15 天[1]。" });
      network.streams[0]!.push("done", { threadId: "t1", messageId: "m1" });
      network.streams[0]!.close();
    });
    await user.click(await screen.findByRole("button", { name: "Source 1: handbook.pdf" }));
    const panel = await screen.findByRole("complementary", { name: "Source 1" });
    expect(panel.textContent).toContain("Keyword match");
    await user.keyboard("{Escape}");

    await user.click(screen.getByRole("button", { name: "Regenerate" }));
    await screen.findByRole("button", { name: "Stop generating" });
    expect(network.streams[1]!.body).toEqual({
      message: "年假有几天？",
      mode: "chat",
      threadId: "t1",
      regenerate: true,
    });
    await act(async () => {
      network.streams[1]!.push("token", { text: "十五天。" });
      network.streams[1]!.push("done", { threadId: "t1", messageId: "m2" });
      network.streams[1]!.close();
    });
    await screen.findByText("十五天。");
    expect(screen.getAllByText("年假有几天？", { selector: ".message.user p" })).toHaveLength(1);
  });

  it("looks the workspace list up again before saying a deep-linked workspace does not exist", async () => {
    const network = fakeNetwork();
    renderApp(network, "/workspaces/nope/threads/t9");
    await screen.findByRole("heading", { name: "Workspace “nope” was not found." });
    expect(network.calls.filter((call) => call.path === "/api/workspaces")).toHaveLength(2);
    expect(network.calls.some((call) => call.path === "/api/threads/t9")).toBe(false);
  });
});
