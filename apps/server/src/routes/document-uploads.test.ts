import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, filesForm, type TestServer } from "../testing/test-server.js";

/** Every regular file under a directory, as relative paths (none when it does not exist). */
async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

/**
 * A multipart body sent in 16 KB pieces with a turn of the event loop between them, as a socket delivers it: the
 * server then handles the first files before the bad one has arrived.
 */
async function trickled(form: FormData): Promise<RequestInit> {
  const encoded = new Response(form);
  const bytes = new Uint8Array(await encoded.arrayBuffer());
  let offset = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (offset >= bytes.byteLength) {
        controller.close();
        return;
      }
      controller.enqueue(bytes.slice(offset, offset + 16 * 1024));
      offset += 16 * 1024;
    },
  });
  return {
    method: "POST",
    body,
    headers: { "content-type": encoded.headers.get("content-type")! },
    duplex: "half",
  } as RequestInit;
}

describe("uploads are all or nothing", () => {
  let server: TestServer;

  /** Files the server keeps for itself from start-up (the database, LanceDB, the secret key): not uploads. */
  let startupFiles: Set<string>;

  beforeAll(async () => {
    server = await createTestServer({ environment: { MAX_UPLOAD_MB: "1" } });
    server.deps.kb.createWorkspace({ name: "Uploads", slug: "uploads" });
    startupFiles = new Set(await filesUnder(server.dataDir));
  });

  afterAll(async () => {
    await server?.close();
  });

  /** What a refused request must not have left: documents, jobs, stored originals, staged files, audit entries. */
  const expectNothingKept = async () => {
    await server.deps.jobs.whenIdle();
    expect(server.deps.kb.listDocuments("uploads")).toEqual([]);
    expect(server.deps.kb.db.prepare("SELECT COUNT(*) AS count FROM jobs").get()).toEqual({ count: 0 });
    expect(
      await filesUnder(server.dataDir).then((paths) =>
        paths.filter((path) => !startupFiles.has(path) && !/zhiku\.db|lancedb/.test(path)),
      ),
    ).toEqual([]);
    const uploads = server.deps.kb.db
      .prepare("SELECT COUNT(*) AS count FROM audit_events WHERE action = 'document.uploaded'")
      .get();
    expect(uploads).toEqual({ count: 0 });
  };

  it("stores and queues nothing when a file after good ones is over the limit", async () => {
    const response = await server.request(
      "/api/workspaces/uploads/documents",
      await trickled(
        filesForm([
          { name: "first.md", content: "# First\n\nfine" },
          { name: "second.md", content: "# Second\n\nalso fine" },
          { name: "huge.txt", content: "x".repeat(1024 * 1024 + 1) },
        ]),
      ),
    );
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string; file: string } }).error).toMatchObject({
      code: "too_large:file",
      file: "huge.txt",
    });
    await expectNothingKept();
  });

  it("stores and queues nothing when a request carries more than 1,000 files", async () => {
    const many = Array.from({ length: 1_001 }, (_, index) => ({
      name: `many/${index}.txt`,
      content: `file ${index}`,
    }));
    const response = await server.request(
      "/api/workspaces/uploads/documents",
      await trickled(filesForm(many)),
    );
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("too_large:files");
    await expectNothingKept();
  });

  it("stores, queues and audits every file of an accepted request", async () => {
    const response = await server.request("/api/workspaces/uploads/documents", {
      method: "POST",
      body: filesForm([
        { name: "one.md", content: "# One\n\nthe first accepted file" },
        { name: "two.md", content: "# Two\n\nthe second accepted file" },
      ]),
    });
    expect(response.status).toBe(202);
    await server.deps.jobs.whenIdle();
    const documents = server.deps.kb.listDocuments("uploads");
    expect(documents.map((document) => [document.name, document.status]).sort()).toEqual([
      ["one.md", "ready"],
      ["two.md", "ready"],
    ]);
    expect(await filesUnder(join(server.dataDir, "files"))).toHaveLength(2);
    const audit = server.deps.kb.db
      .prepare("SELECT details FROM audit_events WHERE action = 'document.uploaded'")
      .all() as { details: string }[];
    expect(audit.map((row) => JSON.parse(row.details))).toEqual([{ count: 2, names: ["one.md", "two.md"] }]);
  });

  it("answers a full disk with 503 unavailable:disk in plain words, and queues nothing", async () => {
    const files = server.deps.kb.files;
    const put = files.put;
    files.put = async () => {
      throw Object.assign(new Error("ENOSPC: no space left on device, write '/data/files/ab/ab12.tmp'"), {
        code: "ENOSPC",
      });
    };
    try {
      const before = server.deps.kb.listDocuments("uploads").length;
      const response = await server.request("/api/workspaces/uploads/documents", {
        method: "POST",
        body: filesForm([{ name: "full.md", content: "# Full\n\nno room" }]),
      });
      expect(response.status).toBe(503);
      const { error } = (await response.json()) as { error: { code: string; message: string } };
      expect(error.code).toBe("unavailable:disk");
      expect(error.message).not.toMatch(/ENOSPC|\/data|\.tmp/);
      expect(server.deps.kb.listDocuments("uploads")).toHaveLength(before);
    } finally {
      files.put = put;
    }
  });
});
