import { AppError } from "../../errors.js";

/** Options for {@link fetchPage}. */
export interface FetchPageOptions {
  /** http(s) address of the page. */
  url: string;
  /** Largest accepted body, in bytes. */
  maxBytes: number;
  /** Give up after this long, in ms. */
  timeoutMs: number;
  /** The fetch implementation. */
  fetch: typeof fetch;
}

/**
 * Downloads a web page (or any document) server-side, reading at most `maxBytes` and stopping at
 * `timeoutMs`. Failures are AppErrors naming the URL: `unavailable:url` (502) when it cannot be fetched,
 * `too_large:url` (413) when it is bigger than the limit.
 */
export async function fetchPage(
  options: FetchPageOptions,
): Promise<{ bytes: Uint8Array; contentType: string | null }> {
  const { url, maxBytes } = options;
  const signal = AbortSignal.timeout(options.timeoutMs);
  let response: Response;
  try {
    response = await options.fetch(url, {
      signal,
      redirect: "follow",
      headers: {
        accept: "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.8",
        "user-agent": "Zhiku/0.1",
      },
    });
  } catch (error) {
    const reason = signal.aborted
      ? `no answer within ${Math.round(options.timeoutMs / 1000)} s`
      : describe(error);
    throw new AppError("unavailable:url", `Could not fetch ${url}: ${reason}`, 502, { cause: error });
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new AppError("unavailable:url", `Could not fetch ${url}: it answered HTTP ${response.status}`, 502);
  }
  const tooLarge = () =>
    new AppError(
      "too_large:url",
      `${url} is larger than the upload limit of ${Math.round(maxBytes / 1024 / 1024)} MB (MAX_UPLOAD_MB)`,
      413,
    );
  const declared = Number(response.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge();
  }
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    if (response.body) {
      for await (const part of response.body as unknown as AsyncIterable<Uint8Array>) {
        size += part.byteLength;
        if (size > maxBytes) throw tooLarge();
        parts.push(part);
      }
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    const reason = signal.aborted
      ? `no complete answer within ${Math.round(options.timeoutMs / 1000)} s`
      : describe(error);
    throw new AppError("unavailable:url", `Could not fetch ${url}: ${reason}`, 502, { cause: error });
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  return { bytes, contentType: response.headers.get("content-type") };
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return `${error.message}${cause}`;
  }
  return String(error);
}
