import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { pdfjsAssets } from "./scripts/pdfjs-assets";

/** Vite build of the web client: static files in dist/, served by the API server at `/`. */
export default defineConfig({
  plugins: [react(), pdfjsAssets()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
  },
  server: {
    proxy: { "/api": "http://127.0.0.1:3000", "/v1": "http://127.0.0.1:3000" },
  },
});
