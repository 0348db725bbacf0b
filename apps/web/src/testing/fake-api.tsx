import { render } from "@testing-library/react";
import { MemoryRouter, useLocation } from "react-router";
import { AppProviders, AppRoutes } from "../app";
import { createApiClient } from "../lib/api-client";
import type { User } from "../lib/api-types";

/** A request the fake server received. */
export interface RecordedCall {
  method: string;
  path: string;
  headers: Headers;
  credentials: RequestCredentials | undefined;
  body: unknown;
}

/** Answers one route of the fake server. */
export type FakeHandler = (call: RecordedCall) => Response | Promise<Response>;

/** A JSON response. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** An error response in the server's shape. */
export function errorJson(
  code: string,
  message: string,
  status: number,
  headers: Record<string, string> = {},
) {
  return json({ error: { code, message } }, status, headers);
}

/** A user for tests. */
export const admin: User = {
  id: "u-admin",
  email: "admin@example.com",
  role: "admin",
  createdAt: "2026-01-05T09:00:00Z",
};

/**
 * The network, faked at fetch: routes answer from handlers keyed "METHOD /path"; everything above fetch
 * (API client, hooks, components, router) is the real code. Unknown routes answer 404 like the server.
 */
export function fakeApi(handlers: Record<string, FakeHandler>) {
  const calls: RecordedCall[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const text = request.method === "GET" || request.method === "HEAD" ? "" : await request.text();
    const call: RecordedCall = {
      method: request.method,
      path: url.pathname,
      headers: request.headers,
      credentials: init?.credentials,
      body: text ? JSON.parse(text) : undefined,
    };
    calls.push(call);
    const handler =
      handlers[`${request.method} ${url.pathname}${url.search}`] ??
      handlers[`${request.method} ${url.pathname}`];
    if (handler) return handler(call);
    if (url.pathname === "/api/health") {
      return json({
        status: "ok",
        ollama: {
          reachable: true,
          chatModel: { name: "qwen2.5:7b", available: true },
          embedModel: { name: "bge-m3", available: true },
          checkedAt: "2026-12-03T12:00:00.000Z",
        },
        missingModels: [],
      });
    }
    return errorJson("not_found:route", `No route ${request.method} ${url.pathname}`, 404);
  };
  return { fetch, calls, handlers };
}

function LocationProbe() {
  const location = useLocation();
  return <output data-testid="location">{`${location.pathname}${location.search}`}</output>;
}

/** Renders the whole app at `path` in English against a fake network. */
export function renderApp(network: { fetch: typeof globalThis.fetch }, path: string) {
  window.localStorage.setItem("zhiku.locale", "en");
  return render(
    <AppProviders client={createApiClient({ baseUrl: "http://zhiku.test", fetch: network.fetch })}>
      <MemoryRouter initialEntries={[path]}>
        <AppRoutes />
        <LocationProbe />
      </MemoryRouter>
    </AppProviders>,
  );
}
