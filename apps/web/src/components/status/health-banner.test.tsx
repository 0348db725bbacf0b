import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { I18nProvider } from "../../i18n/i18n";
import type { Health } from "../../lib/api-types";
import { HealthBanner } from "./health-banner";

const mistyped: Health = {
  status: "degraded",
  ollama: {
    reachable: true,
    chatModel: { name: "qwen25:7b", available: false },
    embedModel: { name: "bge-m3", available: true },
    checkedAt: "2026-12-03T12:00:00.000Z",
  },
  missingModels: ["qwen25:7b"],
};

describe("HealthBanner", () => {
  it("names each model /api/health reports missing, says where the reason is, and offers the download", async () => {
    const user = userEvent.setup();
    const pulls: string[] = [];
    render(
      <I18nProvider initialLocale="en">
        <HealthBanner
          health={mistyped}
          error={null}
          pull={null}
          onPull={(model) => pulls.push(model)}
          onRetry={() => {}}
        />
      </I18nProvider>,
    );
    expect(screen.getByText("The model qwen25:7b is not installed in Ollama.")).toBeTruthy();
    expect(screen.getByText(/docker compose logs ollama/)).toBeTruthy();
    expect(screen.queryByText(/bge-m3/)).toBeNull();
    await user.click(screen.getByRole("button", { name: "Download qwen25:7b" }));
    expect(pulls).toEqual(["qwen25:7b"]);
  });

  it("shows nothing when no model is missing", () => {
    const { container } = render(
      <I18nProvider initialLocale="en">
        <HealthBanner
          health={{ ...mistyped, status: "ok", missingModels: [] }}
          error={null}
          pull={null}
          onPull={() => {}}
          onRetry={() => {}}
        />
      </I18nProvider>,
    );
    expect(container.innerHTML).toBe("");
  });
});
