import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "node",
          include: [
            "packages/*/src/**/*.test.ts",
            "apps/server/src/**/*.test.ts",
            "bench/**/*.test.ts",
            "docker/**/*.test.ts",
            "eval/**/*.test.ts",
          ],
          environment: "node",
          // LanceDB builds full-text indexes with one thread per core; without a cap it can hang on 2-core machines.
          env: {
            LANCE_CPU_THREADS: process.env.LANCE_CPU_THREADS ?? "2",
            LANCEDB_LOG: process.env.LANCEDB_LOG ?? "error",
          },
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      "apps/web/vitest.config.ts",
    ],
  },
});
