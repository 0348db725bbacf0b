import type { KnowledgeBase } from "@zhiku/ingest";
import { ZhikuError } from "@zhiku/ingest";
import type { Authenticated, Permissions } from "../auth/index.js";
import type { ChatService } from "../services/chat/index.js";
import type { McpAccess } from "./mcp-server.js";

/** Where the web client shows a passage: the workspace's documents page, opened at the document and chunk. */
export function passageUrl(baseUrl: string, workspace: string, documentId: string, chunkId: string): string {
  const query = new URLSearchParams({ document: documentId, chunk: chunkId });
  return `${baseUrl.replace(/\/+$/, "")}/workspaces/${encodeURIComponent(workspace)}/documents?${query}`;
}

/** What both transports share: the knowledge base and the chat service, answering without storing threads. */
interface AccessParts {
  kb: KnowledgeBase;
  chat: ChatService;
  /** Origin of the web client, for passage links. */
  baseUrl: string;
}

function commonAccess(
  parts: AccessParts,
  userId: string | null,
): Omit<McpAccess, "listWorkspaces" | "requireWorkspace"> {
  const { kb, chat, baseUrl } = parts;
  return {
    search: (options) => kb.search(options),
    answer: ({ workspace, question, signal }) =>
      chat.answer({ workspace, message: question, persist: false, userId, signal }),
    getDocument: (workspace, documentId) => kb.getDocument(workspace, documentId),
    listChunks: (workspace, documentId) => kb.listChunks(workspace, documentId),
    passageLink: (workspace, documentId, chunkId) => passageUrl(baseUrl, workspace, documentId, chunkId),
  };
}

/** Access for an authenticated HTTP caller: the workspaces its user (and API key limit) may read, as a viewer. */
export function accessForCaller(
  parts: AccessParts & { permissions: Permissions; auth: Authenticated },
): McpAccess {
  const { permissions, auth } = parts;
  return {
    ...commonAccess(parts, auth.user.id),
    listWorkspaces: () => permissions.visibleWorkspaces(auth).map((access) => access.workspace),
    requireWorkspace: (slug) => permissions.requireWorkspace(auth, slug, "viewer").workspace,
  };
}

/**
 * Access for the local stdio server (`zhiku mcp`): whoever can read DATA_DIR reads every workspace, as with the
 * CLI's `search`.
 */
export function accessForDataDir(parts: AccessParts): McpAccess {
  const { kb } = parts;
  return {
    ...commonAccess(parts, null),
    listWorkspaces: () => kb.listWorkspaces(),
    requireWorkspace: (slug) => {
      const workspace = kb.getWorkspace(slug);
      if (!workspace) throw new ZhikuError("not_found:workspace", `No workspace "${slug}"`);
      return workspace;
    },
  };
}
