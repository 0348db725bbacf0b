import { cleanup, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Workspace } from "../lib/api-types";
import { admin, errorJson, fakeApi, json, renderApp } from "../testing/fake-api";
import { returnPath } from "./use-session";

const hr: Workspace = {
  id: "w-hr",
  slug: "hr",
  name: "HR",
  embedModel: null,
  embedDimension: null,
  settings: {},
  refusal: { cutoff: 0.35, fullTextCutoff: null, source: "default", calibration: null },
  createdAt: "2026-01-05T09:00:00Z",
  updatedAt: "2026-01-05T09:00:00Z",
  myRole: "owner",
};

/** jsdom has no EventSource; the documents page opens one, which stays silent here. */
class SilentEventSource extends EventTarget {
  constructor(readonly url: string) {
    super();
  }
  close() {}
}

afterEach(() => {
  // Unmount first: this hook runs before the setup file's cleanup, and an effect still pending at unmount (the
  // documents page opening its event stream) would otherwise find EventSource gone.
  cleanup();
  vi.unstubAllGlobals();
});

describe("session guard", () => {
  it("on an install without accounts sends every address to /welcome: admin first, then the workspace", async () => {
    vi.stubGlobal("EventSource", SilentEventSource);
    const user = userEvent.setup();
    let users = 0;
    const workspaces: Workspace[] = [];
    const network = fakeApi({
      "GET /api/auth/status": () => json({ needsSetup: users === 0, user: users ? admin : null }),
      "POST /api/auth/setup": () => {
        users = 1;
        return json({ user: admin }, 201);
      },
      "GET /api/workspaces": () => json({ workspaces }),
      "POST /api/workspaces": (call) => {
        const created = { ...hr, name: (call.body as { name: string }).name };
        workspaces.push(created);
        return json({ workspace: created }, 201);
      },
      "GET /api/workspaces/hr/documents": () => json({ documents: [] }),
    });
    renderApp(network, "/settings/users");
    await screen.findByText("Step 1 of 2");
    expect(screen.getByTestId("location").textContent).toBe("/welcome");
    // No API call but the public status was made before the admin exists.
    expect(new Set(network.calls.map((call) => call.path))).toEqual(new Set(["/api/auth/status"]));

    await user.type(screen.getByLabelText("Email"), admin.email);
    await user.type(screen.getByLabelText("Password"), "long enough");
    await user.type(screen.getByLabelText("Repeat the password"), "not the same");
    await user.click(screen.getByRole("button", { name: "Create administrator" }));
    const confirm = screen.getByLabelText("Repeat the password");
    expect(document.activeElement).toBe(confirm);
    expect(screen.getByText("The passwords do not match.").id).toBe(confirm.getAttribute("aria-describedby"));

    await user.clear(confirm);
    await user.type(confirm, "long enough");
    await user.click(screen.getByRole("button", { name: "Create administrator" }));
    await screen.findByText("Step 2 of 2");
    expect(network.calls.find((call) => call.path === "/api/auth/setup")?.body).toEqual({
      email: admin.email,
      password: "long enough",
    });
    // Signed in now: the header shows who, and the workspace step follows.
    expect(screen.getByRole("button", { name: "Sign out" })).toBeTruthy();
    await user.type(screen.getByLabelText("Workspace name"), "HR");
    await user.click(screen.getByRole("button", { name: "Create workspace" }));
    await waitFor(() => expect(screen.getByTestId("location").textContent).toBe("/workspaces/hr/documents"));
  });

  it("sends a signed-out visitor to /login and lets a signed-in one through", async () => {
    renderApp(
      fakeApi({ "GET /api/auth/status": () => json({ needsSetup: false, user: null }) }),
      "/settings/api-keys",
    );
    await screen.findByRole("heading", { name: "Sign in to Zhiku" });
    expect(screen.getByTestId("location").textContent).toBe("/login");
  });

  it("lets a signed-in user through to the page asked for", async () => {
    renderApp(
      fakeApi({
        "GET /api/auth/status": () => json({ needsSetup: false, user: admin }),
        "GET /api/workspaces": () => json({ workspaces: [hr] }),
        "GET /api/api-keys": () => json({ apiKeys: [] }),
      }),
      "/settings/api-keys",
    );
    await screen.findByRole("heading", { name: "API keys" });
    await screen.findByText("No API keys yet.");
    expect(screen.getByTestId("location").textContent).toBe("/settings/api-keys");
  });

  it("sends the user to /login when the server ends the session (any 401), saying why", async () => {
    const user = userEvent.setup();
    let expired = false;
    renderApp(
      fakeApi({
        "GET /api/auth/status": () => json({ needsSetup: false, user: expired ? null : admin }),
        "GET /api/workspaces": () => json({ workspaces: [hr] }),
        "GET /api/api-keys": () =>
          expired ? errorJson("unauthorized:session", "The session has expired", 401) : json({ apiKeys: [] }),
        "POST /api/api-keys": () => {
          expired = true;
          return errorJson("unauthorized:session", "The session has expired", 401);
        },
      }),
      "/settings/api-keys",
    );
    await screen.findByText("No API keys yet.");
    await user.type(screen.getByLabelText("Name"), "CLI");
    await user.click(screen.getByRole("button", { name: "Create key" }));
    await screen.findByText("Your session has ended. Please sign in again.");
    expect(screen.getByTestId("location").textContent).toBe("/login");
  });

  it("after signing out goes to /login without remembering the last page", async () => {
    const user = userEvent.setup();
    let signedIn = true;
    const network = fakeApi({
      "GET /api/auth/status": () => json({ needsSetup: false, user: signedIn ? admin : null }),
      "POST /api/auth/logout": () => {
        signedIn = false;
        return new Response(null, { status: 204 });
      },
      "POST /api/auth/login": () => {
        signedIn = true;
        return json({ user: admin });
      },
      "GET /api/workspaces": () => json({ workspaces: [hr] }),
      "GET /api/api-keys": () => json({ apiKeys: [] }),
      "GET /api/workspaces/hr/threads": () => json({ threads: [] }),
    });
    renderApp(network, "/settings/api-keys");
    await user.click(await screen.findByRole("button", { name: "Sign out" }));
    await screen.findByRole("heading", { name: "Sign in to Zhiku" });
    expect(screen.queryByText("Your session has ended. Please sign in again.")).toBeNull();
    expect(network.calls.find((call) => call.path === "/api/auth/logout")?.headers.get("X-Zhiku-CSRF")).toBe(
      "1",
    );
    await user.type(screen.getByLabelText("Email"), admin.email);
    await user.type(screen.getByLabelText("Password"), "whatever it is");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    await waitFor(() => expect(screen.getByTestId("location").textContent).toBe("/workspaces/hr"));
  });
});

describe("returnPath", () => {
  it("returns only to pages of this app", () => {
    expect(returnPath({ from: "/workspaces/hr?x=1" })).toBe("/workspaces/hr?x=1");
    expect(returnPath({ from: "//evil.example/" })).toBe("/");
    expect(returnPath({ from: "https://evil.example/" })).toBe("/");
    expect(returnPath({ from: "/login" })).toBe("/");
    expect(returnPath(null)).toBe("/");
  });
});
