import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { AppProviders } from "../../app";
import { createApiClient } from "../../lib/api-client";
import type { WidgetKey, Workspace } from "../../lib/api-types";
import { admin, fakeApi, json } from "../../testing/fake-api";
import { embedSnippet, parseOrigins, WidgetKeysPanel } from "./widget-keys-panel";

const docs: Workspace = {
  id: "w-docs",
  slug: "docs",
  name: "Docs",
  embedModel: null,
  embedDimension: null,
  settings: {},
  refusal: { cutoff: 0.35, fullTextCutoff: null, source: "default", calibration: null },
  createdAt: "2026-01-05T09:00:00Z",
  updatedAt: "2026-01-05T09:00:00Z",
  myRole: "owner",
};

const existing: WidgetKey = {
  id: "k1",
  key: "zw_existing",
  name: "Help centre",
  allowedOrigins: ["https://help.example.com"],
  requestsPerMinute: 10,
  createdAt: "2026-01-06T09:00:00Z",
  revokedAt: null,
};

describe("WidgetKeysPanel", () => {
  it("lists the active keys with their script tag and creates one for the origins typed", async () => {
    const user = userEvent.setup();
    const network = fakeApi({
      "GET /api/auth/status": () => json({ setupRequired: false, user: admin }),
      "GET /api/workspaces/docs/widget-keys": () =>
        json({
          widgetKeys: [existing, { ...existing, id: "k0", name: "Old", revokedAt: "2026-01-06T10:00:00Z" }],
        }),
      "POST /api/workspaces/docs/widget-keys": (call) =>
        json(
          {
            widgetKey: {
              ...existing,
              id: "k2",
              key: "zw_new",
              ...(call.body as { name: string; allowedOrigins: string[]; requestsPerMinute: number }),
            },
          },
          201,
        ),
    });
    window.localStorage.setItem("zhiku.locale", "en");
    render(
      <AppProviders client={createApiClient({ baseUrl: "http://zhiku.test", fetch: network.fetch })}>
        <WidgetKeysPanel workspace={docs} />
      </AppProviders>,
    );
    await screen.findByText("Help centre");
    expect(screen.queryByText("Old")).toBeNull();
    expect(screen.getByText(embedSnippet("zw_existing", window.location.origin))).toBeTruthy();

    await user.type(screen.getByLabelText("Label"), "Docs site");
    await user.type(
      screen.getByLabelText("Allowed origins (one per line)"),
      "https://docs.example.com/\nhttp://localhost:8080",
    );
    await user.click(screen.getByRole("button", { name: "Create widget key" }));
    await screen.findByText("Docs site");
    const created = network.calls.find((call) => call.method === "POST");
    expect(created?.body).toEqual({
      name: "Docs site",
      allowedOrigins: ["https://docs.example.com", "http://localhost:8080"],
      requestsPerMinute: 10,
    });
    await waitFor(() =>
      expect(screen.getByText(embedSnippet("zw_new", window.location.origin))).toBeTruthy(),
    );
  });

  it("asks for a name and an origin before sending anything", async () => {
    const user = userEvent.setup();
    const network = fakeApi({ "GET /api/workspaces/docs/widget-keys": () => json({ widgetKeys: [] }) });
    window.localStorage.setItem("zhiku.locale", "en");
    render(
      <AppProviders client={createApiClient({ baseUrl: "http://zhiku.test", fetch: network.fetch })}>
        <WidgetKeysPanel workspace={docs} />
      </AppProviders>,
    );
    await screen.findByText("No widget key yet.");
    await user.click(screen.getByRole("button", { name: "Create widget key" }));
    expect(screen.getByRole("alert").textContent).toContain("at least one origin");
    expect(network.calls.some((call) => call.method === "POST")).toBe(false);
    expect(parseOrigins(" https://a.example.com/, https://b.example.com ")).toEqual([
      "https://a.example.com",
      "https://b.example.com",
    ]);
  });
});
