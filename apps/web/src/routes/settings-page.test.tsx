import { cleanup, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import type { Workspace } from "../lib/api-types";
import { admin, fakeApi, json, renderApp } from "../testing/fake-api";

const distribution = { count: 32, mean: 0.3, sd: 0.08, median: 0.31, robustSd: 0.1, p90: 0.38, max: 0.45 };

function workspaceWith(refusal: Workspace["refusal"], settings: Workspace["settings"] = {}): Workspace {
  return {
    id: "w-docs",
    slug: "docs",
    name: "Docs",
    embedModel: "bge-m3",
    embedDimension: 1024,
    settings,
    refusal,
    createdAt: "2026-01-05T09:00:00Z",
    updatedAt: "2026-01-05T09:00:00Z",
    myRole: "owner",
  };
}

function renderSettings(workspace: Workspace) {
  const network = fakeApi({
    "GET /api/auth/status": () => json({ needsSetup: false, user: admin }),
    "GET /api/workspaces": () => json({ workspaces: [workspace] }),
    "GET /api/workspaces/docs/members": () => json({ members: [] }),
    "GET /api/workspaces/docs/widget-keys": () => json({ keys: [] }),
  });
  renderApp(network, "/settings?workspace=docs");
}

describe("the relevance cut-off in Settings", () => {
  afterEach(cleanup);

  it("shows the calibrated cut-off in force, for which model and from how many pairs", async () => {
    renderSettings(
      workspaceWith({
        cutoff: 0.5087,
        fullTextCutoff: 19.7,
        source: "calibrated",
        calibration: {
          model: "bge-m3",
          chunks: 1840,
          probes: 32,
          pairs: 58880,
          vector: distribution,
          fullText: distribution,
          measuredAt: "2026-01-05T09:00:00Z",
        },
      }),
    );
    const field = await screen.findByLabelText("Relevance cut-off (0–1)");
    const hint = document.getElementById(field.getAttribute("aria-describedby") ?? "");
    expect(hint?.textContent).toContain(
      "In force: 0.51, calibrated for bge-m3 from 58,880 question–passage pairs",
    );
    expect((field as HTMLInputElement).value).toBe("");
  });

  it("says when the manual setting or the default is in force", async () => {
    renderSettings(
      workspaceWith(
        { cutoff: 0.6, fullTextCutoff: null, source: "manual", calibration: null },
        { relevanceCutoff: 0.6 },
      ),
    );
    expect(await screen.findByText(/In force: 0\.60, set here/)).toBeDefined();
    cleanup();
    renderSettings(
      workspaceWith({ cutoff: 0.35, fullTextCutoff: null, source: "default", calibration: null }),
    );
    expect(await screen.findByText(/In force: 0\.35, the built-in default/)).toBeDefined();
  });
});
