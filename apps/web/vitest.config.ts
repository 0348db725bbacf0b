import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

/**
 * Web client tests: components and hooks in jsdom beside the code; whole flows in e2e/
 * (those files switch to the node environment with a `@vitest-environment node` docblock).
 */
export default defineConfig({
  plugins: [react()],
  test: {
    name: "web",
    root: import.meta.dirname,
    include: ["src/**/*.test.{ts,tsx}", "e2e/**/*.test.ts"],
    environment: "jsdom",
    setupFiles: ["./src/test-setup.ts"],
    testTimeout: 30_000,
  },
});
