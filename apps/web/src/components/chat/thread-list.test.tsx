import { render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { describe, expect, it } from "vitest";
import { I18nProvider, type Locale } from "../../i18n/i18n";
import type { Thread } from "../../lib/api-types";
import { ThreadList } from "./thread-list";

const thread = (id: string, title: string, extra: Partial<Thread> = {}): Thread => ({
  id,
  workspaceId: "w",
  title,
  createdAt: "2026-01-05T09:00:00Z",
  updatedAt: "2026-01-05T09:00:00Z",
  owner: { id: "u-admin", email: "admin@example.com" },
  stopped: false,
  ...extra,
});

function setup(threads: Thread[], locale: Locale = "en") {
  render(
    <I18nProvider initialLocale={locale}>
      <MemoryRouter>
        <ThreadList
          slug="hr"
          threads={threads}
          currentUserId="u-admin"
          onRename={async () => {}}
          onDelete={async () => {}}
        />
      </MemoryRouter>
    </I18nProvider>,
  );
}

describe("ThreadList", () => {
  it("labels other users' threads with their owner, and one's own not at all", () => {
    setup([
      thread("t1", "Mine"),
      thread("t2", "Hers", { owner: { id: "u-mei", email: "mei@example.com" } }),
      thread("t3", "Old", { owner: null }),
    ]);
    expect(screen.getByRole("link", { name: /Mine/ }).textContent).toBe("Mine");
    expect(screen.getByRole("link", { name: /Hers/ }).textContent).toBe("HersBy mei@example.com");
    expect(screen.getByRole("link", { name: /Old/ }).textContent).toContain("No owner");
  });

  it("marks a thread whose newest answer was stopped", () => {
    setup([thread("t1", "Cut short", { stopped: true }), thread("t2", "Finished")], "zh");
    expect(screen.getByRole("link", { name: /Cut short/ }).textContent).toBe("Cut short已停止");
    expect(screen.getByRole("link", { name: /Finished/ }).textContent).toBe("Finished");
    expect(screen.getByRole("link", { name: /Cut short/ }).getAttribute("href")).toBe(
      "/workspaces/hr/threads/t1",
    );
  });
});
