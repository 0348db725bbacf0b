import { readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, normalize } from "node:path";
import type { Plugin } from "vite";

/**
 * Where the built client serves pdf.js's data files: the CMaps (Chinese, Japanese and Korean PDFs whose fonts are not
 * embedded need them), the standard fonts, the image decoders' WebAssembly and the ICC profiles. The viewer passes
 * these folders to pdf.js, which fetches files from them as a PDF asks; nothing comes from outside the server.
 */
export const pdfjsAssetsPath = "pdfjs";

/** The folders of pdfjs-dist copied under {@link pdfjsAssetsPath}, as pdf.js names them. */
const folders = ["cmaps", "standard_fonts", "wasm", "iccs"] as const;

function pdfjsRoot(): string {
  return dirname(createRequire(import.meta.url).resolve("pdfjs-dist/package.json"));
}

/**
 * Vite plugin: copies pdf.js's data folders from node_modules into the build (`dist/pdfjs/<folder>/`), and serves
 * them from node_modules in the dev server, so the same URLs work in both.
 */
export function pdfjsAssets(): Plugin {
  const root = pdfjsRoot();
  return {
    name: "zhiku-pdfjs-assets",
    generateBundle() {
      for (const folder of folders) {
        for (const name of readdirSync(join(root, folder))) {
          const path = join(root, folder, name);
          if (!statSync(path).isFile()) continue;
          this.emitFile({
            type: "asset",
            fileName: `${pdfjsAssetsPath}/${folder}/${name}`,
            source: readFileSync(path),
          });
        }
      }
    },
    configureServer(server) {
      server.middlewares.use(`/${pdfjsAssetsPath}/`, (request, response, next) => {
        const relative = normalize(decodeURIComponent((request.url ?? "").split("?")[0] ?? "")).replace(
          /^[/\\]+/,
          "",
        );
        const [folder] = relative.split(/[/\\]/);
        if (!folders.some((known) => known === folder) || relative.includes("..")) return next();
        try {
          response.end(readFileSync(join(root, relative)));
        } catch {
          next();
        }
      });
    },
  };
}
