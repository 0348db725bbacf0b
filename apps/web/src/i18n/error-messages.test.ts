import { describe, expect, it } from "vitest";
import { en } from "./en";
import { errorMessageKey, localizeError } from "./error-messages";
import { catalogs, formatMessage, type Locale, type Translate } from "./i18n";

const translate =
  (locale: Locale): Translate =>
  (key, values) =>
    formatMessage(catalogs[locale][key], values);

describe("localizeError", () => {
  it("says a known code in the interface language", () => {
    const error = { code: "unavailable:ollama", message: "Cannot reach Ollama at http://127.0.0.1:11434" };
    expect(localizeError({ error, t: translate("zh") })).toBe(
      "无法连接 Ollama。请确认它正在运行，然后重试。",
    );
    expect(localizeError({ error, t: translate("en") })).toBe(
      "Ollama cannot be reached. Check that it is running, then try again.",
    );
  });

  it("puts the file's name into per-file messages", () => {
    const error = { code: "too_large:file", message: "big.pdf is larger than 50 MB; the limit is 50 MB" };
    expect(localizeError({ error, t: translate("zh"), name: "big.pdf" })).toBe(
      "big.pdf 超过了单个文件的上传大小限制（MAX_UPLOAD_MB）。",
    );
  });

  it("leads into the server's details where only the server knows them", () => {
    const error = {
      code: "unavailable:url",
      message: "Could not fetch http://127.0.0.1:1/x: connection refused",
    };
    expect(localizeError({ error, t: translate("zh") })).toBe(
      "无法抓取该网页：Could not fetch http://127.0.0.1:1/x: connection refused",
    );
  });

  it("keeps the server's message for unknown codes, no code, or a per-file code without a name", () => {
    const t = translate("zh");
    expect(localizeError({ error: { code: "invalid:whatever", message: "Server words" }, t })).toBe(
      "Server words",
    );
    expect(localizeError({ error: { code: null, message: "No code" }, t })).toBe("No code");
    expect(
      localizeError({ error: { code: "invalid:encrypted", message: '"a.pdf" is password-protected' }, t }),
    ).toBe('"a.pdf" is password-protected');
  });

  it("covers the codes ingestion and the server send for documents, uploads, chat and sign-in", () => {
    const codes = [
      "invalid:encrypted",
      "invalid:corrupt",
      "invalid:empty",
      "invalid:binary",
      "invalid:encoding",
      "unsupported:type",
      "unsupported:ocr",
      "too_large:image",
      "too_large:file",
      "too_large:archive",
      "too_large:request",
      "too_large:files",
      "unavailable:ollama",
      "not_found:model",
      "conflict:embedding_model",
      "too_large:message",
      "forbidden:url",
      "unavailable:url",
      "too_large:url",
      "not_found:workspace",
      "not_found:thread",
      "unauthorized:session",
      "invalid:credentials",
      "internal:error",
      "incomplete:stream",
    ];
    for (const code of codes) expect(errorMessageKey(code), code).not.toBeNull();
    // Every catalog message for a code reads as the interface language, never the English server text.
    for (const key of Object.keys(en).filter((name) => name.startsWith("apiError."))) {
      expect(catalogs.zh[key as keyof typeof en], key).toMatch(/\p{Script=Han}/u);
    }
  });
});
