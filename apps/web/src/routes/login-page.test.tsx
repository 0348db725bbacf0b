import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { admin, errorJson, fakeApi, json, renderApp } from "../testing/fake-api";

/** A server with one account whose password is "correct horse"; the status follows the cookie it "set". */
function accountServer(options: { throttleAfter?: number } = {}) {
  let signedIn = false;
  let failures = 0;
  return fakeApi({
    "GET /api/auth/status": () => json({ needsSetup: false, user: signedIn ? admin : null }),
    "POST /api/auth/login": (call) => {
      const body = call.body as { email: string; password: string };
      if (options.throttleAfter !== undefined && failures >= options.throttleAfter) {
        return errorJson("too_many:attempts", "Too many failed sign-ins", 429, { "Retry-After": "125" });
      }
      if (body.email !== admin.email || body.password !== "correct horse") {
        failures++;
        return errorJson("invalid:credentials", "The email or password is wrong", 401);
      }
      signedIn = true;
      return json({ user: admin });
    },
    "GET /api/workspaces": () =>
      json({ workspaces: [{ slug: "hr", name: "HR", settings: {}, myRole: "owner" }] }),
    "GET /api/workspaces/hr/threads": () => json({ threads: [] }),
  });
}

describe("login page", () => {
  it("asks for both fields, ties each error to its field and focuses the first", async () => {
    const user = userEvent.setup();
    renderApp(accountServer(), "/login");
    await user.click(await screen.findByRole("button", { name: "Sign in" }));
    const email = screen.getByLabelText("Email");
    expect(email).toHaveProperty("ariaInvalid", "true");
    expect(document.activeElement).toBe(email);
    expect(screen.getByText("Enter your email address.").id).toBe(email.getAttribute("aria-describedby"));
    expect(screen.getByText("Enter your password.").id).toBe(
      screen.getByLabelText("Password").getAttribute("aria-describedby"),
    );
  });

  it("says the password is wrong, on the password field, which gets focus", async () => {
    const user = userEvent.setup();
    const network = accountServer();
    renderApp(network, "/login");
    await user.type(await screen.findByLabelText("Email"), admin.email);
    await user.type(screen.getByLabelText("Password"), "wrong password");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toBe("Wrong email or password.");
    const password = screen.getByLabelText("Password");
    expect(password.getAttribute("aria-describedby")?.split(" ")).toContain(alert.id);
    expect(document.activeElement).toBe(password);
    expect(screen.getByTestId("location").textContent).toBe("/login");
    // The attempt was sent with the CSRF header and the page's cookies.
    const login = network.calls.find((call) => call.path === "/api/auth/login");
    expect(login?.headers.get("X-Zhiku-CSRF")).toBe("1");
    expect(login?.credentials).toBe("same-origin");
    expect(login?.body).toEqual({ email: admin.email, password: "wrong password" });
  });

  it("tells a throttled user how long to wait (429 with Retry-After)", async () => {
    const user = userEvent.setup();
    renderApp(accountServer({ throttleAfter: 1 }), "/login");
    await user.type(await screen.findByLabelText("Email"), admin.email);
    await user.type(screen.getByLabelText("Password"), "guess one");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    await screen.findByText("Wrong email or password.");
    await user.clear(screen.getByLabelText("Password"));
    await user.type(screen.getByLabelText("Password"), "correct horse");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    // 125 seconds, rounded up to whole minutes.
    await screen.findByText("Too many failed attempts. Try again in 3 minutes.");
    expect(screen.getByTestId("location").textContent).toBe("/login");
  });

  it("says a server failure by its code in the interface language, and an unknown code in the server's words", async () => {
    const user = userEvent.setup();
    let answer = () =>
      errorJson("internal:error", "Internal server error; the cause is in the server log.", 500);
    renderApp(
      fakeApi({
        "GET /api/auth/status": () => json({ needsSetup: false, user: null }),
        "POST /api/auth/login": () => answer(),
      }),
      "/login",
    );
    await user.selectOptions(await screen.findByLabelText("Language"), "zh");
    await user.type(await screen.findByLabelText("电子邮箱"), admin.email);
    await user.type(screen.getByLabelText("密码"), "correct horse");
    await user.click(screen.getByRole("button", { name: "登录" }));
    expect((await screen.findByRole("alert")).textContent).toBe("服务器出错了，原因记录在服务器日志中。");
    answer = () => errorJson("unavailable:brand_new", "A failure this client has never heard of", 503);
    await user.click(screen.getByRole("button", { name: "登录" }));
    await waitFor(() =>
      expect(screen.getByRole("alert").textContent).toBe("A failure this client has never heard of"),
    );
  });

  it("returns to the page asked for once signed in", async () => {
    const user = userEvent.setup();
    renderApp(accountServer(), "/workspaces/hr?mode=query");
    // The guard sent the visitor to the login page first.
    await screen.findByRole("heading", { name: "Sign in to Zhiku" });
    expect(screen.getByTestId("location").textContent).toBe("/login");
    await user.type(screen.getByLabelText("Email"), admin.email);
    await user.type(screen.getByLabelText("Password"), "correct horse");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    await screen.findByLabelText("Your question");
    await waitFor(() => expect(screen.getByTestId("location").textContent).toBe("/workspaces/hr?mode=query"));
  });
});
