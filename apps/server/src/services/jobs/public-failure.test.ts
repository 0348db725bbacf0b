import { describe, expect, it } from "vitest";
import { publicFailure } from "./public-failure.js";

// As LanceDB 0.31 reported it when its table was written onto a full 512 KB tmpfs (registry part of the path cut).
const lanceDiskFull =
  "lance error: LanceError(IO): No space left on device (os error 28), /usr/local/cargo/registry/src/lance-file-8.0.0/src/writer.rs:319:9  Caused by: No space left on device (os error 28)";

describe("publicFailure", () => {
  it("turns a native disk-full error into unavailable:disk with a plain, retryable message", () => {
    const logged: string[] = [];
    const failure = publicFailure({ code: "internal", message: lanceDiskFull, retryable: false }, (raw) =>
      logged.push(raw.message),
    );
    expect(failure).toEqual({
      code: "unavailable:disk",
      message: "The server's disk is full; free some space, then try again (retry the document)",
      retryable: true,
    });
    expect(logged).toEqual([lanceDiskFull]);
  });

  it("hides other unexpected errors behind internal:ingest and keeps domain errors as they are", () => {
    const hidden = publicFailure(
      {
        code: "internal:error",
        message: "TypeError: x is undefined at /srv/app/dist/a.js:1",
        retryable: false,
      },
      () => {},
    );
    expect(hidden.code).toBe("internal:ingest");
    expect(hidden.message).not.toMatch(/TypeError|\/srv/);
    const domain = { code: "unavailable:ollama", message: "Ollama is unreachable", retryable: true };
    expect(publicFailure(domain, () => {})).toBe(domain);
  });
});
