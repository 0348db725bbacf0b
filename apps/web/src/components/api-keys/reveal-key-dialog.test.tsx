import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { I18nProvider } from "../../i18n/i18n";
import { admin, fakeApi, json, renderApp } from "../../testing/fake-api";
import { RevealKeyDialog } from "./reveal-key-dialog";

const secret = "zk_3f9a1c0d5e7b2a4c6e8f0a1b3c5d7e9f";

describe("API key reveal-once dialog", () => {
  it("shows the key selected with a warning, copies it, and closes only when told", async () => {
    const user = userEvent.setup();
    const copied: string[] = [];
    let closed = 0;
    render(
      <I18nProvider initialLocale="en">
        <RevealKeyDialog
          name="CLI"
          secret={secret}
          onClose={() => closed++}
          writeClipboard={async (text) => {
            copied.push(text);
          }}
        />
      </I18nProvider>,
    );
    const dialog = screen.getByRole("dialog", { name: "Your new API key “CLI”" });
    expect(dialog.getAttribute("aria-modal")).toBe("true");
    // The warning describes the dialog, so it is read when the dialog opens.
    expect(screen.getByText(/shown only this once/).id).toBe(dialog.getAttribute("aria-describedby"));
    const field = screen.getByLabelText("API key") as HTMLTextAreaElement;
    expect(field.value).toBe(secret);
    expect(field.readOnly).toBe(true);
    expect(document.activeElement).toBe(field);
    expect([field.selectionStart, field.selectionEnd]).toEqual([0, secret.length]);

    await user.click(screen.getByRole("button", { name: "Copy key" }));
    expect(copied).toEqual([secret]);
    expect(screen.getByRole("button", { name: "Copied" })).toBeTruthy();

    // Focus stays inside: Tab from the last button wraps to the key.
    screen.getByRole("button", { name: "I have copied it" }).focus();
    await user.tab();
    expect(document.activeElement).toBe(field);
    expect(closed).toBe(0);
    await user.click(screen.getByRole("button", { name: "I have copied it" }));
    expect(closed).toBe(1);
  });

  it("says so when the clipboard refuses, and leaves the key selected to copy by hand", async () => {
    const user = userEvent.setup();
    render(
      <I18nProvider initialLocale="en">
        <RevealKeyDialog
          name="CLI"
          secret={secret}
          onClose={() => {}}
          writeClipboard={() => Promise.reject(new Error("denied"))}
        />
      </I18nProvider>,
    );
    await user.click(screen.getByRole("button", { name: "Copy key" }));
    await screen.findByText("Copying failed: select the key and copy it by hand.");
  });

  it("on the API keys page: the key appears once after creating it, then only its prefix", async () => {
    const user = userEvent.setup();
    const network = fakeApi({
      "GET /api/auth/status": () => json({ needsSetup: false, user: admin }),
      "GET /api/workspaces": () =>
        json({ workspaces: [{ slug: "hr", name: "HR", settings: {}, myRole: "owner" }] }),
      "GET /api/api-keys": () => json({ apiKeys: [] }),
      "POST /api/api-keys": (call) =>
        json(
          {
            apiKey: {
              id: "k1",
              name: (call.body as { name: string }).name,
              workspace: "hr",
              prefix: secret.slice(0, 11),
              createdAt: "2026-02-01T10:00:00Z",
              lastUsedAt: null,
            },
            key: secret,
          },
          201,
        ),
    });
    renderApp(network, "/settings/api-keys");
    await screen.findByText("No API keys yet.");
    await user.type(screen.getByLabelText("Name"), "Editor plugin");
    await user.selectOptions(screen.getByLabelText("Limited to workspace"), "hr");
    await user.click(screen.getByRole("button", { name: "Create key" }));
    expect(network.calls.find((call) => call.method === "POST")?.body).toEqual({
      name: "Editor plugin",
      workspace: "hr",
    });
    await screen.findByRole("dialog");
    expect((screen.getByLabelText("API key") as HTMLTextAreaElement).value).toBe(secret);
    await user.click(screen.getByRole("button", { name: "I have copied it" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(document.body.textContent).not.toContain(secret);
    const row = screen.getByRole("row", { name: /Editor plugin/ });
    expect(row.textContent).toContain(`${secret.slice(0, 11)}…`);
    expect(row.textContent).toContain("HR");
    expect(row.textContent).toContain("Never");
    // Focus returns to the button that opened the dialog.
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Create key" }));
  });
});
