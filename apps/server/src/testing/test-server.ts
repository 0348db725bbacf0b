import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type StandInOllama, type StandInOllamaOptions, startStandInOllama } from "@zhiku/stand-in-ollama";
import { createParser } from "eventsource-parser";
import { createApp } from "../app.js";
import {
  csrfHeaderName,
  hashPassword,
  type LoginThrottle,
  sessionCookieName,
  type User,
  type UserRole,
} from "../auth/index.js";
import type { AppDeps } from "../deps.js";
import { parseEnvironment } from "../env.js";
import { createLogger, type Logger } from "../logger.js";
import { openAppDeps } from "../open-app-deps.js";

/** Options for {@link createTestServer}. */
export interface TestServerOptions {
  /** Options of the stand-in Ollama. */
  ollama?: StandInOllamaOptions;
  /** Extra environment (e.g. `MAX_UPLOAD_MB`). */
  environment?: Record<string, string>;
  /** Job attempts before giving up. Default 4. */
  maxAttempts?: number;
  /** Backoff between job attempts, in ms. Default 50. */
  retryDelayMs?: number;
  /** Logger for the app and its jobs; silent (or `TEST_LOG_LEVEL`) when omitted. */
  logger?: Logger;
  /** Source scheduler tick and folder-watch debounce, in ms (the service's defaults when omitted). */
  sourceTiming?: { tickMs?: number; watchDebounceMs?: number };
  /** Extra app dependencies (webRoot, keepAliveSeconds, loginThrottle). */
  deps?: Partial<Pick<AppDeps, "webRoot" | "keepAliveSeconds" | "urlFetchTimeoutMs">> & {
    loginThrottle?: LoginThrottle;
  };
}

/** A user of a test server with a way to call the app as them. */
export interface TestUser {
  user: User;
  /** Their password. */
  password: string;
  /** An API key of theirs without a workspace limit (`Authorization: Bearer`). */
  apiKey: string;
  /** Their session cookie, `zhiku_session=...`. */
  cookie: string;
  /**
   * `app.request` as this user: with their API key, or with `as: "session"` their session cookie and the CSRF header.
   * Headers given in `init` win.
   */
  request(path: string, init?: RequestInit & { as?: "key" | "session" }): Promise<Response>;
}

/** Options for {@link TestServer.createUser}. */
export interface CreateTestUserOptions {
  /** Email; a unique one when omitted. */
  email?: string;
  /** Default member. */
  role?: UserRole;
  /** Default "test-password-1". */
  password?: string;
}

/** An app on a temp data dir with a stand-in Ollama and real ingest workers. */
export interface TestServer {
  app: ReturnType<typeof createApp>;
  deps: AppDeps;
  standIn: StandInOllama;
  dataDir: string;
  /** The admin every test server starts with. */
  admin: TestUser;
  /** `app.request` as the admin, with the admin's API key: the route tests' default caller. */
  request(path: string, init?: RequestInit & { as?: "key" | "session" }): Promise<Response>;
  /** Creates a user with a session and an API key. */
  createUser(options?: CreateTestUserOptions): Promise<TestUser>;
  /** Stops workers, closes the knowledge base and the stand-in, removes the data dir. */
  close(): Promise<void>;
}

/** Builds the app as the server does, on a fresh temp `DATA_DIR` and a stand-in Ollama. For tests. */
export async function createTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), "zhiku-server-test-"));
  const standIn = await startStandInOllama({ embeddingDimension: 64, ...options.ollama });
  const config = parseEnvironment({
    DATA_DIR: dataDir,
    OLLAMA_HOST: standIn.url,
    LOG_LEVEL: "silent",
    ...options.environment,
  });
  const logger = options.logger ?? createLogger(process.env.TEST_LOG_LEVEL ?? "silent");
  const { deps, shutdown } = await openAppDeps({
    config,
    logger,
    maxAttempts: options.maxAttempts ?? 4,
    retryDelayMs: () => options.retryDelayMs ?? 50,
    ...(options.sourceTiming === undefined ? {} : { sourceTiming: options.sourceTiming }),
    ...(options.deps?.loginThrottle === undefined ? {} : { loginThrottle: options.deps.loginThrottle }),
    extra: {
      ...(options.deps?.webRoot === undefined ? {} : { webRoot: options.deps.webRoot }),
      ...(options.deps?.keepAliveSeconds === undefined
        ? {}
        : { keepAliveSeconds: options.deps.keepAliveSeconds }),
      ...(options.deps?.urlFetchTimeoutMs === undefined
        ? {}
        : { urlFetchTimeoutMs: options.deps.urlFetchTimeoutMs }),
    },
  });
  deps.workspaceDeletion.finishInterrupted();
  const { kb, jobs, events } = deps;
  const app = createApp(deps);
  jobs.start();
  await deps.sources.start();
  const { accounts } = deps.auth;
  let userCount = 0;
  const createUser = async (userOptions: CreateTestUserOptions = {}): Promise<TestUser> => {
    userCount += 1;
    const password = userOptions.password ?? "test-password-1";
    const user = accounts.createUser({
      email: userOptions.email ?? `user-${userCount}@example.com`,
      passwordHash: await hashPassword(password),
      role: userOptions.role ?? "member",
    });
    if (!user) throw new Error(`A test user ${userOptions.email} exists already`);
    const { key } = accounts.createApiKey({ userId: user.id, name: "tests", workspaceId: null });
    const cookie = `${sessionCookieName}=${accounts.createSession(user.id).sessionId}`;
    return {
      user,
      password,
      apiKey: key,
      cookie,
      request: (path, init = {}) => {
        const { as, ...rest } = init;
        const headers = new Headers(
          as === "session" ? { cookie, [csrfHeaderName]: "1" } : { authorization: `Bearer ${key}` },
        );
        for (const [name, value] of new Headers(rest.headers)) headers.set(name, value);
        return Promise.resolve(app.request(path, { ...rest, headers }));
      },
    };
  };
  const admin = await createUser({ email: "admin@example.com", role: "admin", password: "admin-password-1" });
  return {
    app,
    deps,
    standIn,
    dataDir,
    admin,
    request: admin.request,
    createUser,
    async close() {
      shutdown.abort();
      events.close();
      await deps.sources.close();
      await jobs.close();
      await kb.close();
      await standIn.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** One parsed server-sent event. */
export interface ServerSentEvent {
  event: string;
  data: string;
}

/**
 * Reads server-sent events from a response until `until` returns true for one (or the stream ends), then
 * cancels the stream. Returns the events read, in order.
 */
export async function readEvents(
  response: Response,
  until: (event: ServerSentEvent, all: ServerSentEvent[]) => boolean,
): Promise<ServerSentEvent[]> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: ServerSentEvent[] = [];
  let stop = false;
  const parser = createParser({
    onEvent: (message) => {
      if (stop) return;
      const parsed = { event: message.event ?? "message", data: message.data };
      events.push(parsed);
      stop = until(parsed, events);
    },
  });
  try {
    while (!stop) {
      const { value, done } = await reader.read();
      if (done) return events;
      parser.feed(value);
    }
    return events;
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/** Builds a multipart body with one `file` field per entry. */
export function filesForm(files: { name: string; content: string | Uint8Array; type?: string }[]): FormData {
  const form = new FormData();
  for (const file of files) {
    form.append("file", new File([file.content], file.name, { type: file.type ?? "text/plain" }));
  }
  return form;
}
