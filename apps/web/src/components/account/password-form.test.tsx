import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { admin, errorJson, fakeApi, json, renderApp } from "../../testing/fake-api";

describe("password change in Settings", () => {
  it("puts a wrong current password on that field, then changes it", async () => {
    const user = userEvent.setup();
    const network = fakeApi({
      "GET /api/auth/status": () => json({ needsSetup: false, user: admin }),
      "GET /api/workspaces": () => json({ workspaces: [] }),
      "POST /api/auth/password": (call) =>
        (call.body as { currentPassword: string }).currentPassword === "old secret"
          ? new Response(null, { status: 204 })
          : errorJson("invalid:currentPassword", "currentPassword: the current password is wrong", 400),
    });
    renderApp(network, "/settings");
    const current = await screen.findByLabelText("Current password");
    await user.type(current, "not it");
    await user.type(screen.getByLabelText("New password"), "new secret 1");
    await user.type(screen.getByLabelText("Repeat the new password"), "new secret 1");
    await user.click(screen.getByRole("button", { name: "Change password" }));
    await screen.findByText("The current password is wrong.");
    expect(document.activeElement).toBe(current);
    expect(current.getAttribute("aria-invalid")).toBe("true");
    // Still signed in: a wrong current password is not a lost session.
    expect(screen.getByTestId("location").textContent).toBe("/settings");

    await user.clear(current);
    await user.type(current, "old secret");
    await user.click(screen.getByRole("button", { name: "Change password" }));
    await screen.findByText("Password changed. Your other sessions were signed out.");
    expect(network.calls.filter((call) => call.path === "/api/auth/password").at(-1)?.body).toEqual({
      currentPassword: "old secret",
      newPassword: "new secret 1",
    });
    expect((screen.getByLabelText("Current password") as HTMLInputElement).value).toBe("");
  });
});
