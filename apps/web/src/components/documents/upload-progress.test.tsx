import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { I18nProvider, type Locale } from "../../i18n/i18n";
import type { DocumentProgress } from "../../lib/api-types";
import { UploadProgress } from "./upload-progress";

function renderProgress(progress: DocumentProgress, locale: Locale = "en") {
  const view = render(
    <I18nProvider initialLocale={locale}>
      <UploadProgress progress={progress} />
    </I18nProvider>,
  );
  return {
    ...view,
    rerenderWith: (next: DocumentProgress) =>
      view.rerender(
        <I18nProvider initialLocale={locale}>
          <UploadProgress progress={next} />
        </I18nProvider>,
      ),
  };
}

const base = { id: "d1", name: "handbook.pdf" };

describe("UploadProgress", () => {
  it("follows a document from queued through embedding to ready", () => {
    const view = renderProgress({ ...base, status: "queued" });
    const bar = () =>
      screen.getByRole("progressbar", { name: "Progress of handbook.pdf" }) as HTMLProgressElement;
    expect(bar().hasAttribute("value")).toBe(false); // indeterminate
    expect(screen.getByText("Queued")).toBeTruthy();

    view.rerenderWith({ ...base, status: "processing", stage: "parsing" });
    expect(screen.getByText("Parsing")).toBeTruthy();
    expect(bar().value).toBe(5);

    view.rerenderWith({ ...base, status: "processing", stage: "ocr", page: 2, pages: 4 });
    expect(screen.getByText("OCR page 2/4")).toBeTruthy();
    expect(bar().value).toBe(8);

    view.rerenderWith({ ...base, status: "processing", stage: "embedding", done: 3, total: 10 });
    expect(screen.getByText("Embedding 3/10")).toBeTruthy();
    expect(bar().value).toBe(43);

    view.rerenderWith({ ...base, status: "ready", chunks: 12 });
    expect(screen.getByText("Ready")).toBeTruthy();
    expect(bar().value).toBe(100);
  });

  it("shows the reason of a failure as an alert, without a bar", () => {
    renderProgress({ ...base, status: "failed", error: "The PDF is encrypted" });
    expect(screen.getByRole("alert").textContent).toBe("Failed: The PDF is encrypted");
    expect(screen.queryByRole("progressbar")).toBeNull();
  });

  it("says a failure with a known code in the interface language, naming the file", () => {
    const failure = {
      ...base,
      status: "failed" as const,
      error: '"handbook.pdf" is password-protected; remove the password and upload it again.',
      errorCode: "invalid:encrypted",
    };
    const view = renderProgress(failure, "zh");
    expect(screen.getByRole("alert").textContent).toBe(
      "失败：handbook.pdf 设有密码保护；请去掉密码后重新上传。",
    );
    view.unmount();
    renderProgress(failure, "en");
    expect(screen.getByRole("alert").textContent).toBe(
      "Failed: handbook.pdf is password-protected; remove the password and upload it again.",
    );
  });

  it("keeps the server's reason for a code the catalogs do not know", () => {
    renderProgress(
      { ...base, status: "failed", error: "Something new went wrong", errorCode: "invalid:brand_new" },
      "zh",
    );
    expect(screen.getByRole("alert").textContent).toBe("失败：Something new went wrong");
  });

  it("speaks Chinese", () => {
    renderProgress({ ...base, status: "processing", stage: "embedding", done: 1, total: 4 }, "zh");
    expect(screen.getByText("向量化 1/4")).toBeTruthy();
  });
});
