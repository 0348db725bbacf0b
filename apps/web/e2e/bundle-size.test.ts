// @vitest-environment node
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { measureInitialJavaScript } from "../scripts/bundle-size";

const distDirectory = fileURLToPath(new URL("../dist/", import.meta.url));
const budgetBytes = 200 * 1024;

describe("initial JavaScript", () => {
  it("is at most 200 KB gzipped, with KaTeX and the highlighter left to lazy chunks", async () => {
    expect(existsSync(distDirectory), "apps/web/dist is missing: run `npm run build` first").toBe(true);
    const assets = await measureInitialJavaScript(distDirectory);
    expect(assets.length).toBeGreaterThan(0);
    const total = assets.reduce((sum, asset) => sum + asset.gzipBytes, 0);
    console.log(
      `initial JS: ${(total / 1024).toFixed(1)} KB gzipped in ${assets.length} file(s): ` +
        assets.map((asset) => `${asset.path} ${(asset.gzipBytes / 1024).toFixed(1)} KB`).join(", "),
    );
    expect(total).toBeLessThanOrEqual(budgetBytes);
    expect(assets.some((asset) => /katex|highlight/i.test(asset.path))).toBe(false);
  });
});
