import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useId, useState } from "react";
import { describe, expect, it } from "vitest";
import { AppProviders } from "../../app";
import { createApiClient } from "../../lib/api-client";
import { admin, errorJson, fakeApi, json } from "../../testing/fake-api";
import { ModelSelect } from "./model-select";

const installed = [
  {
    name: "bge-m3:latest",
    size: 1,
    modifiedAt: "2026-01-05T09:00:00Z",
    family: "bert",
    parameterSize: "567M",
  },
  { name: "qwen2.5:7b", size: 1, modifiedAt: "2026-01-05T09:00:00Z", family: "qwen2", parameterSize: "7.6B" },
  {
    name: "llama3.2:latest",
    size: 1,
    modifiedAt: "2026-01-05T09:00:00Z",
    family: "llama",
    parameterSize: null,
  },
];

function Harness(props: { initial: string }) {
  const [value, setValue] = useState(props.initial);
  const id = useId();
  return (
    <>
      <label htmlFor={id}>Chat model</label>
      <ModelSelect id={id} describedBy="hint" value={value} defaultModel="qwen2.5:7b" onChange={setValue} />
      <span data-testid="value">{value}</span>
    </>
  );
}

function setup(handlers: Parameters<typeof fakeApi>[0], initial = "", locale = "en") {
  const network = fakeApi({
    "GET /api/auth/status": () => json({ setupRequired: false, user: admin }),
    ...handlers,
  });
  window.localStorage.setItem("zhiku.locale", locale);
  render(
    <AppProviders client={createApiClient({ baseUrl: "http://zhiku.test", fetch: network.fetch })}>
      <Harness initial={initial} />
    </AppProviders>,
  );
  return network;
}

const optionTexts = (select: HTMLElement) =>
  [...(select as HTMLSelectElement).options].map((option) => option.textContent);

describe("ModelSelect", () => {
  it("offers the server's default and every model installed in Ollama, and sets the one chosen", async () => {
    const user = userEvent.setup();
    setup({ "GET /api/models": () => json({ models: installed }) });
    const select = screen.getByLabelText("Chat model") as HTMLSelectElement;
    await waitFor(() => expect(select.options).toHaveLength(4));
    expect(optionTexts(select)).toEqual([
      "Server default (qwen2.5:7b)",
      "bge-m3:latest · 567M",
      "qwen2.5:7b · 7.6B",
      "llama3.2:latest",
    ]);
    expect(select.value).toBe("");
    await user.selectOptions(select, "llama3.2:latest");
    expect(screen.getByTestId("value").textContent).toBe("llama3.2:latest");
    await user.selectOptions(select, "");
    expect(screen.getByTestId("value").textContent).toBe("");
  });

  it("matches a setting without a tag to Ollama's :latest, and keeps a chosen model that is not installed", async () => {
    setup({ "GET /api/models": () => json({ models: installed }) }, "llama3.2");
    const select = screen.getByLabelText("Chat model") as HTMLSelectElement;
    await waitFor(() => expect(select.options).toHaveLength(4));
    expect(select.value).toBe("llama3.2:latest");
    expect(screen.getByTestId("value").textContent).toBe("llama3.2");
  });

  it("says so when the chosen model is not installed", async () => {
    setup({ "GET /api/models": () => json({ models: installed }) }, "mistral:7b");
    const select = screen.getByLabelText("Chat model") as HTMLSelectElement;
    await waitFor(() => expect(select.options).toHaveLength(5));
    expect(select.value).toBe("mistral:7b");
    expect(optionTexts(select).at(-1)).toBe("mistral:7b (not installed)");
  });

  it("says Ollama cannot be reached, keeps the current choice, and lists the models once it is back", async () => {
    const user = userEvent.setup();
    let up = false;
    setup(
      {
        "GET /api/models": () =>
          up
            ? json({ models: installed })
            : errorJson("unavailable:ollama", "Ollama is not reachable at http://ollama:11434", 503),
      },
      "qwen2.5:7b",
      "zh",
    );
    const status = await screen.findByRole("status");
    expect(status.textContent).toContain("无法连接 Ollama，因此无法列出已安装的模型。当前的选择保持不变。");
    const select = screen.getByLabelText("Chat model") as HTMLSelectElement;
    expect(optionTexts(select)).toEqual(["服务器默认（qwen2.5:7b）", "qwen2.5:7b"]);
    expect(select.value).toBe("qwen2.5:7b");

    up = true;
    await user.click(screen.getByRole("button", { name: "重新检查" }));
    await waitFor(() => expect(select.options).toHaveLength(4));
    expect(screen.queryByRole("status")).toBeNull();
    expect(select.value).toBe("qwen2.5:7b");
  });
});
