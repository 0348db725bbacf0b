import { createCanvas } from "@napi-rs/canvas";
import { afterEach, describe, expect, it } from "vitest";
import { createTestServer, filesForm, readEvents, type TestServer } from "../testing/test-server.js";

/** A screenshot of English text, rendered here (black on white, 20 px type): what OCR has to read. */
async function screenshot(lines: string[]): Promise<Uint8Array> {
  const canvas = createCanvas(900, 60 + lines.length * 32);
  const context = canvas.getContext("2d");
  context.fillStyle = "#ffffff";
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.fillStyle = "#000000";
  context.font = "20px sans-serif";
  for (const [index, line] of lines.entries()) context.fillText(line, 30, 50 + index * 32);
  return new Uint8Array(await canvas.encode("png"));
}

const lines = [
  "Rotate the backup disks every Friday before noon.",
  "The offsite vault keeps twelve weekly copies.",
];

describe("OCR through the server", () => {
  let server: TestServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const uploadAndWait = async (created: TestServer) => {
    const app = created.admin;
    expect(
      (
        await app.request("/api/workspaces", {
          method: "POST",
          body: JSON.stringify({ name: "Ops", slug: "ops" }),
          headers: { "content-type": "application/json" },
        })
      ).status,
    ).toBe(201);
    const events = await app.request("/api/workspaces/ops/events");
    const upload = await app.request("/api/workspaces/ops/documents", {
      method: "POST",
      body: filesForm([{ name: "backup-screen.png", content: await screenshot(lines), type: "image/png" }]),
    });
    expect(upload.status).toBe(202);
    const seen = await readEvents(events, (event) => {
      const data = JSON.parse(event.data) as { status: string };
      return data.status === "ready" || data.status === "failed";
    });
    return seen.map((event) => JSON.parse(event.data) as Record<string, unknown>);
  };

  it("ingests an uploaded screenshot with an ocr event for its page, and finds it on page 1", async () => {
    server = await createTestServer({ environment: { OCR_LANGUAGES: "eng" } });
    const events = await uploadAndWait(server);
    expect(events).toContainEqual(
      expect.objectContaining({ status: "processing", stage: "ocr", page: 1, pages: 1 }),
    );
    expect(events.at(-1)).toMatchObject({ status: "ready" });

    const search = await server.admin.request("/api/workspaces/ops/search", {
      method: "POST",
      body: JSON.stringify({ query: "offsite vault weekly copies", limit: 3 }),
      headers: { "content-type": "application/json" },
    });
    expect(search.status).toBe(200);
    const found = (await search.json()) as {
      results: { documentName: string; page: number | null; text: string }[];
    };
    expect(found.results[0]).toMatchObject({ documentName: "backup-screen.png", page: 1 });
    expect(found.results[0]?.text).toContain("offsite vault");

    const listed = (await (await server.admin.request("/api/workspaces/ops/documents")).json()) as {
      documents: { name: string; type: string; pages: number }[];
    };
    expect(listed.documents).toEqual([
      expect.objectContaining({ name: "backup-screen.png", type: "image", pages: 1 }),
    ]);
  });

  it("passes OCR_LANGUAGES to the ingest workers: a language that is not installed fails the image with unsupported:ocr", async () => {
    server = await createTestServer({ environment: { OCR_LANGUAGES: "eng+zzz_missing" } });
    const events = await uploadAndWait(server);
    expect(events.at(-1)).toMatchObject({ status: "failed", errorCode: "unsupported:ocr" });
    expect(String(events.at(-1)?.error)).toMatch(/backup-screen\.png.*OCR_LANGUAGES.*zzz_missing/);
  });
});
