import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { AppProviders } from "../../app";
import { createApiClient } from "../../lib/api-client";
import type { SyncedSource } from "../../lib/api-types";
import { admin, errorJson, fakeApi, json } from "../../testing/fake-api";
import { newSourceFrom, SourcesPanel, sourceLocation } from "./sources-panel";

const site: SyncedSource = {
  id: "s1",
  workspaceId: "w-docs",
  name: "docs.example.com",
  kind: "website",
  config: { url: "https://docs.example.com/", maxDepth: 2, maxPages: 200 },
  intervalMinutes: 60,
  createdAt: "2026-01-05T09:00:00Z",
  updatedAt: "2026-01-05T09:00:00Z",
  documents: 12,
  lastSync: {
    status: "done",
    startedAt: "2026-01-06T09:00:00Z",
    finishedAt: "2026-01-06T09:01:00Z",
    added: 2,
    updated: 1,
    deleted: 1,
    unchanged: 8,
    failed: 1,
    error: "https://docs.example.com/broken: it answered HTTP 500",
  },
};

function renderPanel(
  handlers: Parameters<typeof fakeApi>[0],
  options: { isAdmin?: boolean; canEdit?: boolean } = {},
) {
  const network = fakeApi({
    "GET /api/auth/status": () => json({ setupRequired: false, user: admin }),
    ...handlers,
  });
  window.localStorage.setItem("zhiku.locale", "en");
  let synced = 0;
  render(
    <AppProviders client={createApiClient({ baseUrl: "http://zhiku.test", fetch: network.fetch })}>
      <SourcesPanel
        slug="docs"
        canEdit={options.canEdit ?? true}
        isAdmin={options.isAdmin ?? false}
        onSynced={() => {
          synced += 1;
        }}
      />
    </AppProviders>,
  );
  return { network, synced: () => synced };
}

describe("SourcesPanel", () => {
  it("shows each source's last sync with its counts and last error", async () => {
    renderPanel({ "GET /api/workspaces/docs/sources": () => json({ sources: [site] }) });
    const list = await screen.findByRole("list", { name: "Sources of this workspace" });
    expect(within(list).getByText("docs.example.com")).toBeTruthy();
    expect(within(list).getByText("12 documents · Every hour")).toBeTruthy();
    expect(
      within(list).getByText("2 added, 1 updated, 1 deleted, 8 unchanged, 1 failed", { exact: false }),
    ).toBeTruthy();
    expect(within(list).getByText("https://docs.example.com/broken: it answered HTTP 500")).toBeTruthy();
  });

  it("adds a Git source with its branch and starts its first sync", async () => {
    const user = userEvent.setup();
    const created: SyncedSource = {
      ...site,
      id: "s2",
      name: "handbook",
      kind: "git",
      config: { url: "https://git.example.com/team/handbook.git", branch: "trunk" },
      documents: 0,
      lastSync: null,
    };
    const { network } = renderPanel({
      "GET /api/workspaces/docs/sources": () => json({ sources: [] }),
      "POST /api/workspaces/docs/sources": () => json({ source: created }, 201),
      "POST /api/workspaces/docs/sources/s2/sync": () =>
        json(
          {
            source: {
              ...created,
              lastSync: { ...site.lastSync, status: "running", finishedAt: null, error: null },
            },
          },
          202,
        ),
    });
    await screen.findByText("No sources yet.");
    const kind = screen.getByLabelText("Kind");
    expect(within(kind).queryByRole("option", { name: "Folder on the server" })).toBeNull();
    await user.selectOptions(kind, "git");
    await user.type(screen.getByLabelText("Repository address"), "https://git.example.com/team/handbook.git");
    await user.clear(screen.getByLabelText("Branch"));
    await user.type(screen.getByLabelText("Branch"), "trunk");
    await user.selectOptions(screen.getByLabelText("Sync"), "1440");
    await user.click(screen.getByRole("button", { name: "Add source" }));
    await screen.findByText("Syncing…");
    expect(
      network.calls.find((call) => call.path === "/api/workspaces/docs/sources" && call.method === "POST")
        ?.body,
    ).toEqual({
      kind: "git",
      config: { url: "https://git.example.com/team/handbook.git", branch: "trunk" },
      intervalMinutes: 1440,
    });
  });

  it("offers folders to admins and says why the server refused one", async () => {
    const user = userEvent.setup();
    renderPanel(
      {
        "GET /api/workspaces/docs/sources": () => json({ sources: [] }),
        "POST /api/workspaces/docs/sources": () =>
          errorJson(
            "forbidden:source_folder",
            "config.path: /etc is outside the directories folder sources may read (SOURCE_FOLDER_ROOTS: /srv)",
            403,
          ),
      },
      { isAdmin: true },
    );
    await screen.findByText("No sources yet.");
    await user.selectOptions(screen.getByLabelText("Kind"), "folder");
    await user.type(screen.getByLabelText("Folder on the server"), "/etc");
    await user.click(screen.getByRole("button", { name: "Add source" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toBe(
      "This folder may not be read: config.path: /etc is outside the directories folder sources may read (SOURCE_FOLDER_ROOTS: /srv)",
    );
  });

  it("syncs a source now, and tells the page when the sync is over", async () => {
    const user = userEvent.setup();
    let running = false;
    const { synced } = renderPanel({
      "GET /api/workspaces/docs/sources": () =>
        json({ sources: [running ? { ...site, lastSync: { ...site.lastSync, status: "running" } } : site] }),
      "POST /api/workspaces/docs/sources/s1/sync": () => {
        running = true;
        return json({ source: { ...site, lastSync: { ...site.lastSync, status: "running" } } }, 202);
      },
    });
    await user.click(await screen.findByRole("button", { name: "Sync docs.example.com now" }));
    await screen.findByText("Syncing…");
    expect(screen.getByRole("button", { name: "Sync docs.example.com now" })).toHaveProperty(
      "disabled",
      true,
    );
    running = false;
    await waitFor(() => expect(synced()).toBe(1), { timeout: 5_000 });
    await screen.findByText("2 added, 1 updated, 1 deleted, 8 unchanged, 1 failed", { exact: false });
  });

  it("builds the request from the form's fields", () => {
    const fields = {
      name: " ",
      location: " https://docs.example.com/ ",
      branch: "",
      maxDepth: "1",
      maxPages: "",
      intervalMinutes: 0,
    };
    expect(newSourceFrom({ ...fields, kind: "website" })).toEqual({
      kind: "website",
      config: { url: "https://docs.example.com/", maxDepth: 1 },
      intervalMinutes: 0,
    });
    expect(newSourceFrom({ ...fields, kind: "git", name: "Handbook" })).toEqual({
      kind: "git",
      name: "Handbook",
      config: { url: "https://docs.example.com/", branch: "main" },
      intervalMinutes: 0,
    });
    expect(sourceLocation({ kind: "git", config: { url: "https://x.example/r.git", branch: "main" } })).toBe(
      "https://x.example/r.git (main)",
    );
  });
});
