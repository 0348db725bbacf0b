import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

/** One JavaScript file the page loads before it can run. */
export interface InitialAsset {
  /** Path as referenced by index.html, e.g. "/assets/index-abc.js". */
  path: string;
  bytes: number;
  gzipBytes: number;
}

/**
 * Measures the JavaScript a first visit downloads: the entry script and the modules index.html preloads
 * (lazy chunks such as KaTeX and the highlighter are not counted; they load on demand).
 */
export async function measureInitialJavaScript(distDirectory: string): Promise<InitialAsset[]> {
  const html = await readFile(join(distDirectory, "index.html"), "utf8");
  const paths = new Set<string>();
  for (const match of html.matchAll(/<script[^>]*\ssrc="([^"]+\.js)"/g)) paths.add(match[1]!);
  for (const match of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+\.js)"/g))
    paths.add(match[1]!);
  const assets: InitialAsset[] = [];
  for (const path of paths) {
    const content = await readFile(join(distDirectory, path.replace(/^\//, "")));
    assets.push({ path, bytes: content.length, gzipBytes: gzipSync(content, { level: 9 }).length });
  }
  return assets;
}
