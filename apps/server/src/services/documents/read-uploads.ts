import { ZhikuError } from "@zhiku/ingest";
import busboy from "busboy";

/** One uploaded file, fully read (it is at most the per-file limit). */
export interface UploadedFile {
  /** The client's file name (a relative path for folder uploads); a name only, never used as a path. */
  name: string;
  /** The file's bytes. */
  bytes: Uint8Array;
}

/** Options for {@link readUploads}. */
export interface ReadUploadsOptions {
  /** The request body. */
  body: ReadableStream<Uint8Array> | null;
  /** The request's Content-Type (multipart/form-data with its boundary). */
  contentType: string;
  /** The declared Content-Length, when there is one. */
  contentLength?: number | undefined;
  /** Largest file, in bytes (`MAX_UPLOAD_MB`). */
  maxFileBytes: number;
  /** Most files in one request. */
  maxFiles: number;
  /** Largest request body, in bytes. */
  maxRequestBytes: number;
  /** Called with each `file` field as soon as it is complete, one at a time, in order. */
  onFile: (file: UploadedFile) => Promise<void>;
}

function megabytes(bytes: number): string {
  return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
}

/**
 * Reads a multipart upload as a stream: each `file` field is collected on its own (so memory holds at most one file),
 * handed to `onFile`, and dropped. Limits are enforced while the bytes arrive, so an oversized request fails with 413
 * long before its end: `too_large:file` for a file over `maxFileBytes`, `too_large:request` for a body over
 * `maxRequestBytes`, `too_large:files` for more than `maxFiles` files. Returns how many files were read.
 */
export async function readUploads(options: ReadUploadsOptions): Promise<number> {
  const { maxFileBytes, maxFiles, maxRequestBytes } = options;
  const tooLargeRequest = () =>
    new ZhikuError(
      "too_large:request",
      `The upload is larger than ${megabytes(maxRequestBytes)} in total; send the files in smaller batches`,
    );
  if (options.contentLength !== undefined && options.contentLength > maxRequestBytes) throw tooLargeRequest();
  if (!options.body)
    throw new ZhikuError("invalid:file", "file: send at least one `file` field holding a file");

  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { "content-type": options.contentType },
      limits: {
        fileSize: maxFileBytes,
        files: maxFiles,
        fields: 100,
        parts: maxFiles + 100,
        fieldSize: 64 * 1024,
      },
      defParamCharset: "utf8",
      // Folder uploads name files by relative path; the name is normalised later and never used as a path.
      preservePath: true,
    });
  } catch (error) {
    throw new ZhikuError("invalid:multipart", "The multipart body could not be read (no boundary)", {
      cause: error,
    });
  }

  let failure: unknown;
  let signalFailure = () => {};
  const failed = new Promise<void>((resolve) => {
    signalFailure = resolve;
  });
  let count = 0;
  // Files are handed on in order, one at a time: the next waits for the previous `onFile`.
  let chain = Promise.resolve();
  const done = new Promise<void>((resolve, reject) => {
    const fail = (error: unknown) => {
      failure ??= error;
      signalFailure();
      reject(failure);
    };
    parser.on("file", (field, stream, info) => {
      if (field !== "file" || failure) {
        stream.resume();
        return;
      }
      const parts: Buffer[] = [];
      let size = 0;
      // Destroying the parser after a failure errors the open file stream; the failure is already recorded.
      stream.on("error", () => {});
      stream.on("data", (part: Buffer) => {
        size += part.byteLength;
        parts.push(part);
      });
      stream.on("limit", () => {
        fail(
          new ZhikuError(
            "too_large:file",
            `${info.filename} is larger than ${megabytes(maxFileBytes)}; the limit is ${megabytes(maxFileBytes)} per file (MAX_UPLOAD_MB)`,
            { file: info.filename },
          ),
        );
        stream.resume();
      });
      stream.on("end", () => {
        if (failure) return;
        count += 1;
        const bytes = new Uint8Array(Buffer.concat(parts, size));
        parts.length = 0;
        chain = chain
          .then(() => (failure ? undefined : options.onFile({ name: info.filename ?? "upload", bytes })))
          .catch(fail);
      });
    });
    parser.on("filesLimit", () =>
      fail(new ZhikuError("too_large:files", `Send at most ${maxFiles} files per request; split the upload`)),
    );
    parser.on("error", (error) =>
      fail(new ZhikuError("invalid:multipart", "The multipart body could not be read", { cause: error })),
    );
    parser.on("close", () => {
      chain.then(() => (failure ? reject(failure) : resolve()), fail);
    });
  });
  done.catch(() => {});

  const reader = options.body.getReader();
  let received = 0;
  try {
    for (;;) {
      if (failure) break;
      const { value, done: ended } = await reader.read();
      if (ended) break;
      received += value.byteLength;
      if (received > maxRequestBytes) {
        failure ??= tooLargeRequest();
        break;
      }
      // Respect the parser's back-pressure, so a slow consumer does not pile up the body in memory.
      if (!parser.write(value))
        await Promise.race([new Promise((resolve) => parser.once("drain", resolve)), failed]);
    }
  } catch (error) {
    failure ??= new ZhikuError("invalid:multipart", "The upload was interrupted", { cause: error });
  }
  if (failure) {
    // Stop reading: the rest of the body is never pulled.
    await reader.cancel().catch(() => {});
    parser.destroy();
    throw failure;
  }
  parser.end();
  await done;
  if (count === 0)
    throw new ZhikuError("invalid:file", "file: send at least one `file` field holding a file");
  return count;
}
