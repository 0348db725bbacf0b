import { describe, expect, it } from "vitest";
import { en } from "./en";
import { catalogs, detectLocale, formatMessage } from "./i18n";
import { zh } from "./zh";

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();

describe("message catalogs", () => {
  it("have identical keys in English and Chinese", () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
  });

  it("use the same placeholders for each key and no empty text", () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(placeholders(zh[key]), key).toEqual(placeholders(en[key]));
      expect(zh[key].trim(), key).not.toBe("");
      expect(en[key].trim(), key).not.toBe("");
    }
  });

  it("are really translated: most Chinese strings contain Han characters", () => {
    const values = Object.values(catalogs.zh);
    const han = values.filter((value) => /\p{Script=Han}/u.test(value));
    expect(han.length / values.length).toBeGreaterThan(0.9);
  });
});

describe("formatMessage", () => {
  it("fills placeholders and leaves unknown ones visible", () => {
    expect(formatMessage("Embedding {done}/{total} of {name}", { done: 3, total: 10 })).toBe(
      "Embedding 3/10 of {name}",
    );
  });
});

describe("detectLocale", () => {
  it("prefers the remembered choice, then the browser languages", () => {
    expect(detectLocale({ stored: "en", languages: ["zh-CN"] })).toBe("en");
    expect(detectLocale({ stored: null, languages: ["zh-TW", "en"] })).toBe("zh");
    expect(detectLocale({ stored: "fr", languages: ["de", "en-GB"] })).toBe("en");
    expect(detectLocale({ stored: null, languages: ["de"] })).toBe("en");
  });
});
