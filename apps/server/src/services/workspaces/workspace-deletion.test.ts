import { afterEach, describe, expect, it } from "vitest";
import { createTestServer, filesForm, type TestServer } from "../../testing/test-server.js";

describe("workspace deletion", () => {
  let server: TestServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  /** A workspace with a document, a thread with feedback, a member, a key limited to it and a widget key. */
  async function populatedWorkspace(current: TestServer) {
    const created = await current.request("/api/workspaces", {
      method: "POST",
      body: JSON.stringify({ name: "Doomed", slug: "doomed" }),
      headers: { "content-type": "application/json" },
    });
    expect(created.status).toBe(201);
    const workspace = current.deps.kb.getWorkspace("doomed")!;
    const upload = await current.request("/api/workspaces/doomed/documents", {
      method: "POST",
      body: filesForm([{ name: "tides.md", content: "# Tides\n\nHigh water comes twice a day.\n" }]),
    });
    expect(upload.status).toBe(202);
    await current.deps.jobs.whenIdle();
    const member = await current.createUser();
    const { accounts } = current.deps.auth;
    accounts.setMember({ workspaceId: workspace.id, userId: member.user.id, role: "viewer" });
    accounts.createApiKey({ userId: member.user.id, name: "limited", workspaceId: workspace.id });
    current.deps.widgets.keys.create({
      workspaceId: workspace.id,
      name: "site",
      allowedOrigins: ["https://example.com"],
      requestsPerMinute: 10,
      createdBy: member.user.id,
    });
    const { threads } = current.deps.chat;
    const saved = threads.saveExchange({
      workspaceId: workspace.id,
      userId: member.user.id,
      title: "Tides",
      question: "When is high water?",
      answer: "Twice a day [1].",
      sources: [],
    });
    threads.setFeedback(saved.assistantMessageId, "up");
    return { workspace, member, threadId: saved.threadId };
  }

  function serverRowsOf(current: TestServer, workspaceId: string) {
    return {
      jobs: current.deps.jobs.store.workspaceIds().includes(workspaceId),
      threads: current.deps.chat.threads.workspaceIds().includes(workspaceId),
      accounts: current.deps.auth.accounts.workspaceIds().includes(workspaceId),
      widgetKeys: current.deps.widgets.keys.workspaceIds().includes(workspaceId),
    };
  }

  it("deletes the workspace with its documents, jobs, threads, messages, memberships and limited keys", async () => {
    server = await createTestServer();
    const { workspace, member, threadId } = await populatedWorkspace(server);
    expect(serverRowsOf(server, workspace.id)).toEqual({
      jobs: true,
      threads: true,
      accounts: true,
      widgetKeys: true,
    });

    const deleted = await server.request("/api/workspaces/doomed", { method: "DELETE" });
    expect(deleted.status).toBe(204);
    expect(server.deps.kb.getWorkspace("doomed")).toBeUndefined();
    expect(serverRowsOf(server, workspace.id)).toEqual({
      jobs: false,
      threads: false,
      accounts: false,
      widgetKeys: false,
    });
    expect(server.deps.chat.threads.listMessages(threadId)).toEqual([]);
    expect(server.deps.auth.accounts.listMembers(workspace.id)).toEqual([]);
    expect((await member.request("/api/workspaces/doomed")).status).toBe(404);
  });

  it("a run stopped after the knowledge base deleted the workspace leaves rows that the next start removes", async () => {
    server = await createTestServer();
    const { workspace, threadId } = await populatedWorkspace(server);
    // Step 1 done (jobs gone, the knowledge base deleted the workspace), then the process stopped before step 2.
    server.deps.jobs.forgetWorkspace(workspace.id);
    await server.deps.kb.deleteWorkspace("doomed");
    expect(serverRowsOf(server, workspace.id)).toEqual({
      jobs: false,
      threads: true,
      accounts: true,
      widgetKeys: true,
    });

    // What every start runs before serving.
    expect(server.deps.workspaceDeletion.finishInterrupted()).toEqual([workspace.id]);
    expect(serverRowsOf(server, workspace.id)).toEqual({
      jobs: false,
      threads: false,
      accounts: false,
      widgetKeys: false,
    });
    expect(server.deps.chat.threads.listMessages(threadId)).toEqual([]);
    // Nothing left to finish; live workspaces are untouched.
    expect(server.deps.workspaceDeletion.finishInterrupted()).toEqual([]);
  });
});
