import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import { configureLanceEnvironment } from "./lance-environment.js";

describe("configureLanceEnvironment", () => {
  it("fills in LanceDB's settings for this machine", () => {
    const environment: NodeJS.ProcessEnv = {};
    configureLanceEnvironment(environment);
    expect(environment).toEqual({
      LANCE_CPU_THREADS: String(availableParallelism()),
      LANCE_SHUFFLE_BATCH_BYTES: "16777216",
      LANCE_DEFAULT_IO_BUFFER_SIZE: "33554432",
      LANCEDB_LOG: "error",
    });
  });

  it("keeps what the user set", () => {
    const environment: NodeJS.ProcessEnv = { LANCE_CPU_THREADS: "1", LANCEDB_LOG: "info" };
    configureLanceEnvironment(environment);
    expect(environment.LANCE_CPU_THREADS).toBe("1");
    expect(environment.LANCEDB_LOG).toBe("info");
  });
});
