import { defineConfig } from "vite";

/** Vite build of the embeddable chat widget: one self-contained script, dist/widget.js, served at `/widget.js`. */
export default defineConfig({
  build: {
    outDir: "dist",
    emptyOutDir: false,
    sourcemap: false,
    lib: {
      entry: "src/widget/main.ts",
      formats: ["iife"],
      name: "ZhikuWidget",
      fileName: () => "widget.js",
    },
  },
});
