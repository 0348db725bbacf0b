import { ZhikuError } from "@zhiku/ingest";
import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import type { Authenticated } from "../auth/index.js";
import type { AppDeps } from "../deps.js";
import { chatSourceSchema } from "../services/chat/index.js";
import { abortAsError } from "./chat.js";
import { errorResponse, jsonResponse } from "./schemas.js";
import { requireOwnThread } from "./thread-access.js";
import { validate } from "./validation.js";

const threadSchema = z.object({
  id: z.string(),
  workspaceId: z.string(),
  title: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  owner: z
    .object({ id: z.string(), email: z.string() })
    .nullable()
    .describe("Who started the thread; null for a thread from before accounts or of a deleted user"),
  stopped: z.boolean().describe("True when the thread's newest answer was stopped before it finished"),
});

const answerStatusSchema = z
  .enum(["done", "stopped"])
  .describe("done: the model finished; stopped: the answer was stopped and is partial");

const messageSchema = z.object({
  id: z.string(),
  threadId: z.string(),
  role: z.enum(["user", "assistant"]),
  content: z.string(),
  sources: z.array(chatSourceSchema),
  feedback: z.enum(["up", "down"]).nullable(),
  createdAt: z.string(),
  status: answerStatusSchema,
  earlierVersions: z
    .array(
      z.object({
        id: z.string(),
        content: z.string(),
        sources: z.array(chatSourceSchema),
        status: answerStatusSchema,
        createdAt: z.string(),
      }),
    )
    .describe("Earlier answers to the same question that regenerating replaced, oldest first"),
});

const renameBodySchema = z.object({ title: z.string().trim().min(1).max(200) });
const feedbackBodySchema = z.object({ rating: z.enum(["up", "down"]) });

/** Runs a thread store call, giving its errors the API's codes and statuses. */
function mapped<T>(action: () => T): T {
  try {
    return action();
  } catch (error) {
    throw abortAsError(error);
  }
}

/**
 * Threads of a workspace (one's own; admins see all, each with its owner), one thread with its messages and the
 * earlier versions of regenerated answers, rename, delete, and feedback on a message. Threads are private to the user
 * who started them.
 */
export function createThreadRoutes(deps: AppDeps) {
  const { threads } = deps.chat;
  const { permissions } = deps.auth;
  const own = (auth: Authenticated, threadId: string) =>
    requireOwnThread({ auth, threadId, threads, permissions });
  return new Hono()
    .get(
      "/workspaces/:slug/threads",
      describeRoute({
        tags: ["Threads"],
        summary: "List a workspace's threads, most recently active first",
        responses: {
          200: jsonResponse("The threads", z.object({ threads: z.array(threadSchema) })),
          404: errorResponse("No such workspace"),
        },
      }),
      (c) => {
        const auth = c.get("auth");
        const { workspace } = permissions.requireWorkspace(auth, c.req.param("slug"), "viewer");
        const userId = auth.user.role === "admin" ? undefined : auth.user.id;
        return c.json({ threads: threads.listThreads(workspace.id, userId) }, 200);
      },
    )
    .get(
      "/threads/:id",
      describeRoute({
        tags: ["Threads"],
        summary: "Read a thread with its messages, oldest first",
        responses: {
          200: jsonResponse(
            "The thread",
            z.object({ thread: threadSchema, messages: z.array(messageSchema) }),
          ),
          403: errorResponse("Another user's thread (forbidden:thread)"),
          404: errorResponse("No such thread"),
        },
      }),
      (c) => {
        const id = c.req.param("id");
        own(c.get("auth"), id);
        const thread = mapped(() => threads.requireThread(id));
        return c.json({ thread, messages: threads.listMessages(id) }, 200);
      },
    )
    .patch(
      "/threads/:id",
      describeRoute({
        tags: ["Threads"],
        summary: "Rename a thread",
        responses: {
          200: jsonResponse("The renamed thread", z.object({ thread: threadSchema })),
          400: errorResponse("Invalid title"),
          403: errorResponse("Another user's thread (forbidden:thread)"),
          404: errorResponse("No such thread"),
        },
      }),
      validate("json", renameBodySchema),
      (c) => {
        const { title } = c.req.valid("json");
        own(c.get("auth"), c.req.param("id"));
        const thread = mapped(() => threads.renameThread(c.req.param("id"), title));
        return c.json({ thread }, 200);
      },
    )
    .delete(
      "/threads/:id",
      describeRoute({
        tags: ["Threads"],
        summary: "Delete a thread with its messages and feedback",
        responses: {
          204: { description: "Deleted" },
          403: errorResponse("Another user's thread (forbidden:thread)"),
          404: errorResponse("No such thread"),
        },
      }),
      (c) => {
        own(c.get("auth"), c.req.param("id"));
        mapped(() => threads.deleteThread(c.req.param("id")));
        return c.body(null, 204);
      },
    )
    .post(
      "/messages/:id/feedback",
      describeRoute({
        tags: ["Threads"],
        summary: "Rate an answer up or down (a new rating replaces the old one)",
        responses: {
          200: jsonResponse(
            "The rating",
            z.object({ messageId: z.string(), rating: z.enum(["up", "down"]) }),
          ),
          400: errorResponse("Invalid rating"),
          403: errorResponse("A message of another user's thread (forbidden:thread)"),
          404: errorResponse("No such message"),
        },
      }),
      validate("json", feedbackBodySchema),
      (c) => {
        const { rating } = c.req.valid("json");
        const messageId = c.req.param("id");
        const notFound = () => new ZhikuError("not_found:message", `No message with id "${messageId}"`);
        const threadId = threads.threadOfMessage(messageId);
        if (!threadId) throw notFound();
        requireOwnThread({ auth: c.get("auth"), threadId, threads, permissions, notFound });
        mapped(() => threads.setFeedback(messageId, rating));
        return c.json({ messageId, rating }, 200);
      },
    );
}
