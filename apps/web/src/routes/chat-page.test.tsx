import { act, cleanup, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, useLocation } from "react-router";
import { describe, expect, it } from "vitest";
import { AppProviders, AppRoutes } from "../app";
import { createApiClient } from "../lib/api-client";
import type { Thread, ThreadMessage } from "../lib/api-types";

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
const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

function fakeNetwork() {
  const streams: OpenStream[] = [];
  const calls: { method: string; path: string; body: unknown }[] = [];
  let threads: Thread[] = [];
  // Stored threads by id (`GET /api/threads/:id`), or the error the server answers for one.
  const stored = new Map<string, { thread: Thread; messages: ThreadMessage[] } | Response>();
  // What `POST .../chat/stop` answers; by default it stops the open stream as the server would.
  let stopAnswer: (stream: OpenStream | undefined) => boolean = () => true;

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
          checkedAt: "2026-12-03T12:00:00.000Z",
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
    if (path === "/api/workspaces/hr/chat/stop") {
      const open = streams.find(
        (stream) =>
          (stream.body as { requestId?: string }).requestId === (body as { requestId: string }).requestId,
      );
      return json({ stopped: stopAnswer(open) });
    }
    const threadMatch = /^\/api\/threads\/([^/]+)$/.exec(path);
    const storedThread = threadMatch ? stored.get(threadMatch[1]!) : undefined;
    if (storedThread instanceof Response) return storedThread.clone();
    if (storedThread) return json(storedThread);
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
    setThreads: (next: Thread[]) => {
      threads = next;
    },
    stored,
    onStop: (answer: typeof stopAnswer) => {
      stopAnswer = answer;
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

function thread(id: string, title: string, extra: Partial<Thread> = {}): Thread {
  return {
    id,
    workspaceId: "w",
    title,
    createdAt: "",
    updatedAt: "",
    owner: { id: "u1", email: "admin@example.com" },
    stopped: false,
    ...extra,
  };
}

const source = {
  index: 1,
  documentId: "d1",
  documentName: "handbook.pdf",
  chunkId: "c1",
  text: "正式员工每年享有 15 天带薪年假。",
  page: 2,
  headings: ["员工手册", "休假制度", "年假"],
  start: 10,
  end: 27,
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
    expect(network.streams[0]!.body).toEqual({
      message: "年假有几天？",
      mode: "chat",
      requestId: expect.any(String),
    });
    await act(async () => {
      network.streams[0]!.push("sources", { sources: [source] });
      network.streams[0]!.push("token", { text: "年假" });
    });
    await screen.findByText("年假");
    await act(async () => {
      network.streams[0]!.push("token", { text: "有 15 天[1]。" });
    });
    const citation = await screen.findByRole("button", { name: "Open source 1" });

    network.setThreads([thread("t1", "年假有几天？")]);
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
    // The original opens in the app's viewer at the cited chunk and page; the file itself is a separate download.
    expect(screen.getByRole("link", { name: "Open the original at page 2" }).getAttribute("href")).toBe(
      "/workspaces/hr/documents/d1/view?chunk=c1&page=2",
    );
    expect(screen.getByRole("link", { name: "Download" }).getAttribute("href")).toBe(
      "http://zhiku.test/api/workspaces/hr/documents/d1/file",
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

  it("stops generating through the server: the stopped answer is stored, listed at once and marked", async () => {
    const network = fakeNetwork();
    network.onStop((stream) => {
      // The server stops the answer, stores it and ends the stream with done.
      network.setThreads([thread("t1", "How many days?", { stopped: true })]);
      stream?.push("done", { threadId: "t1", messageId: "m1", status: "stopped" });
      stream?.close();
      return true;
    });
    renderApp(network, "/workspaces/hr");
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Your question"), "How many days?{Enter}");
    await screen.findByRole("button", { name: "Stop generating" });
    await act(async () => network.streams[0]!.push("token", { text: "Fifteen" }));
    await screen.findByText("Fifteen");

    await user.click(screen.getByRole("button", { name: "Stop generating" }));
    await screen.findByText("Stopped.");
    const requestId = (network.streams[0]!.body as { requestId: string }).requestId;
    expect(network.calls).toContainEqual({
      method: "POST",
      path: "/api/workspaces/hr/chat/stop",
      body: { requestId },
    });
    expect(network.streams[0]!.signal?.aborted).toBe(false);
    await waitFor(() => expect(screen.getByTestId("location").textContent).toBe("/workspaces/hr/threads/t1"));
    const link = await screen.findByRole("link", { name: /How many days\?/ });
    await waitFor(() => expect(link.textContent).toBe("How many days?Stopped"));
    expect(screen.getByText("Fifteen")).toBeTruthy();
    // A stopped answer can be asked again; the next question continues the stored thread.
    expect(screen.getByRole("button", { name: "Regenerate" })).toBeTruthy();
    await user.type(screen.getByLabelText("Your question"), "And more?{Enter}");
    await waitFor(() => expect(network.streams[1]?.body).toMatchObject({ threadId: "t1" }));
  });

  it("stops generating: when the server has no such answer, the request is cut and the partial answer stays", async () => {
    const network = fakeNetwork();
    network.onStop(() => false);
    renderApp(network, "/workspaces/hr");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("radio", { name: "Documents only" }));
    await user.type(screen.getByLabelText("Your question"), "How many days?{Enter}");
    await screen.findByRole("button", { name: "Stop generating" });
    expect(network.streams[0]!.body).toEqual({
      message: "How many days?",
      mode: "query",
      requestId: expect.any(String),
    });
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
    await user.click(screen.getByRole("button", { name: "重试" }));
    await act(async () => {
      network.streams[1]!.push("token", { text: "又一次" });
      network.streams[1]!.push("error", { code: "invalid:brand_new", message: "A new server failure" });
      network.streams[1]!.close();
    });
    await waitFor(() => expect(screen.getByRole("alert").textContent).toBe("回答失败：A new server failure"));
    // Nothing was stored (no thread yet), so regenerating is a plain send.
    expect(network.streams[1]!.body).toEqual({ message: "q", mode: "chat", requestId: expect.any(String) });
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
      requestId: expect.any(String),
    });
    await act(async () => {
      network.streams[1]!.push("token", { text: "十五天。" });
      network.streams[1]!.push("done", { threadId: "t1", messageId: "m2" });
      network.streams[1]!.close();
    });
    await screen.findByText("十五天。");
    expect(screen.getAllByText("年假有几天？", { selector: ".message.user p" })).toHaveLength(1);
  });

  it("retries a failed answer: the same question is sent again and the failure is replaced", async () => {
    const network = fakeNetwork();
    renderApp(network, "/workspaces/hr");
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Your question"), "年假有几天？{Enter}");
    await act(async () => {
      network.streams[0]!.push("error", { code: "unavailable:ollama", message: "Ollama is not reachable" });
      network.streams[0]!.close();
    });
    await screen.findByRole("alert");
    expect(screen.queryByRole("button", { name: "Regenerate" })).toBeNull();
    await user.click(screen.getByRole("button", { name: "Retry" }));
    await screen.findByRole("button", { name: "Stop generating" });
    expect(network.streams[1]!.body).toEqual({
      message: "年假有几天？",
      mode: "chat",
      requestId: expect.any(String),
    });
    await act(async () => {
      network.streams[1]!.push("token", { text: "十五天。" });
      network.streams[1]!.push("done", { threadId: "t1", messageId: "m1", status: "done" });
      network.streams[1]!.close();
    });
    await screen.findByText("十五天。");
    expect(screen.queryByRole("alert")).toBeNull();
    expect(screen.getAllByText("年假有几天？", { selector: ".message.user p" })).toHaveLength(1);
    // The failure was never stored, so the retry is no version of its own.
    expect(screen.queryByRole("button", { name: "Previous version" })).toBeNull();
  });

  it("keeps the earlier answer when regenerating: a 1/2 switcher goes between the versions", async () => {
    const network = fakeNetwork();
    renderApp(network, "/workspaces/hr");
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Your question"), "年假有几天？{Enter}");
    await act(async () => {
      network.streams[0]!.push("token", { text: "First answer." });
      network.streams[0]!.push("done", { threadId: "t1", messageId: "m1", status: "done" });
      network.streams[0]!.close();
    });
    await user.click(await screen.findByRole("button", { name: "Regenerate" }));
    await act(async () => {
      network.streams[1]!.push("token", { text: "Second answer." });
      network.streams[1]!.push("done", { threadId: "t1", messageId: "m2", status: "done" });
      network.streams[1]!.close();
    });
    await screen.findByText("Second answer.");
    expect(screen.getByText("2/2")).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Previous version" }));
    await screen.findByText("First answer.");
    expect(screen.getByText("1/2")).toBeTruthy();
    expect(screen.queryByText("Second answer.")).toBeNull();
    await user.click(screen.getByRole("button", { name: "Next version" }));
    await screen.findByText("Second answer.");
  });

  it("shows a reloaded thread's earlier versions and its stopped answer", async () => {
    const network = fakeNetwork();
    network.setThreads([thread("t1", "年假有几天？", { stopped: true })]);
    network.stored.set("t1", {
      thread: thread("t1", "年假有几天？", { stopped: true }),
      messages: [
        {
          id: "q1",
          threadId: "t1",
          role: "user",
          content: "年假有几天？",
          sources: [],
          feedback: null,
          createdAt: "2026-01-05T09:00:00Z",
          status: "done",
          earlierVersions: [],
        },
        {
          id: "m2",
          threadId: "t1",
          role: "assistant",
          content: "Cut short",
          sources: [],
          feedback: null,
          createdAt: "2026-01-05T09:01:00Z",
          status: "stopped",
          earlierVersions: [
            {
              id: "m1",
              content: "The first one.",
              sources: [],
              status: "done",
              createdAt: "2026-01-05T09:00:30Z",
            },
          ],
        },
      ],
    });
    renderApp(network, "/workspaces/hr/threads/t1");
    const user = userEvent.setup();
    await screen.findByText("Cut short");
    expect(screen.getByText("Stopped.")).toBeTruthy();
    expect(screen.getByText("2/2")).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Previous version" }));
    await screen.findByText("The first one.");
    expect(screen.queryByText("Stopped.")).toBeNull();
  });

  it("says a linked thread belongs to another user instead of showing an empty chat", async () => {
    const network = fakeNetwork();
    network.stored.set(
      "t9",
      json(
        { error: { code: "forbidden:thread", message: "This conversation belongs to another user" } },
        403,
      ),
    );
    renderApp(network, "/workspaces/hr/threads/t9");
    const user = userEvent.setup();
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("This conversation belongs to another user.");
    expect(screen.queryByText("Ask a question about the documents in 人事.")).toBeNull();
    expect(screen.queryByLabelText("Your question")).toBeNull();
    await user.click(within(alert).getByRole("button", { name: "New chat" }));
    await waitFor(() => expect(screen.getByTestId("location").textContent).toBe("/workspaces/hr"));
    await screen.findByLabelText("Your question");
  });

  it("says so in Chinese, and says a missing thread was not found", async () => {
    const network = fakeNetwork();
    network.stored.set(
      "t9",
      json(
        { error: { code: "forbidden:thread", message: "This conversation belongs to another user" } },
        403,
      ),
    );
    network.stored.set(
      "gone",
      json({ error: { code: "not_found:thread", message: 'No thread with id "gone"' } }, 404),
    );
    renderApp(network, "/workspaces/hr/threads/t9", "zh");
    expect((await screen.findByRole("alert")).textContent).toContain("此对话属于其他用户。");
    cleanup();
    renderApp(network, "/workspaces/hr/threads/gone");
    expect((await screen.findByRole("alert")).textContent).toContain(
      "This conversation was not found. It may have been deleted.",
    );
  });

  it("labels an admin's list with whose each other thread is", async () => {
    const network = fakeNetwork();
    network.setThreads([
      thread("t1", "Mine"),
      thread("t2", "Hers", { owner: { id: "u2", email: "mei@example.com" } }),
    ]);
    renderApp(network, "/workspaces/hr");
    expect((await screen.findByRole("link", { name: /Hers/ })).textContent).toBe("HersBy mei@example.com");
    expect(screen.getByRole("link", { name: /Mine/ }).textContent).toBe("Mine");
  });

  it("looks the workspace list up again before saying a deep-linked workspace does not exist", async () => {
    const network = fakeNetwork();
    renderApp(network, "/workspaces/nope/threads/t9");
    await screen.findByRole("heading", { name: "Workspace “nope” was not found." });
    expect(network.calls.filter((call) => call.path === "/api/workspaces")).toHaveLength(2);
    expect(network.calls.some((call) => call.path === "/api/threads/t9")).toBe(false);
  });
});
