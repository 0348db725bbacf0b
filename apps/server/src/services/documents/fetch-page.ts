import { lookup as dnsLookup } from "node:dns/promises";
import type { IncomingMessage } from "node:http";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { ZhikuError } from "@zhiku/ingest";
import { type AddressPolicy, canonicalAddress } from "./address-policy.js";

/** Redirects followed at most. */
export const maxRedirects = 5;

/** Options for {@link fetchPage}. */
export interface FetchPageOptions {
  /** http(s) address of the page. */
  url: string;
  /** Largest accepted body, in bytes. */
  maxBytes: number;
  /** Give up after this long, in ms (redirects included). */
  timeoutMs: number;
  /** Which hosts and addresses may be reached (`URL_ALLOWLIST`). */
  policy: AddressPolicy;
  /** Stops the fetch early (a crawl that is stopped). */
  signal?: AbortSignal;
}

/**
 * The `unavailable:url` error of a page that answered a status other than 2xx, with that status, so a crawler can
 * tell a page that is gone (404, 410) from one that failed.
 */
export class HttpStatusError extends ZhikuError {
  /** The HTTP status the page answered. */
  readonly status: number;

  constructor(url: URL, status: number) {
    super("unavailable:url", `Could not fetch ${url.href}: it answered HTTP ${status}`);
    this.status = status;
  }
}

/** A host resolved and checked: the address the connection is pinned to. */
interface CheckedTarget {
  address: string;
  family: 4 | 6;
}

function refused(url: URL, reason: string): ZhikuError {
  return new ZhikuError(
    "forbidden:url",
    `Refusing to fetch ${url.href}: ${reason}. An admin can allow internal hosts with URL_ALLOWLIST`,
  );
}

/**
 * Resolves the URL's host and checks every address against the policy. Done before each connection (and each
 * redirect), and the connection then goes to the checked address, so DNS cannot answer differently in between.
 */
async function checkTarget(url: URL, policy: AddressPolicy): Promise<CheckedTarget> {
  const hostname = url.hostname.replace(/^\[|\]$/g, "");
  const literal = canonicalAddress(hostname);
  const literalVersion = isIP(literal);
  if (literalVersion !== 0) {
    if (!policy.addressAllowed(literal) && !policy.hostAllowed(hostname)) {
      throw refused(url, `${hostname} is a loopback, private or link-local address`);
    }
    return { address: literal, family: literalVersion as 4 | 6 };
  }
  let addresses: { address: string; family: number }[];
  try {
    addresses = await dnsLookup(hostname, { all: true, verbatim: true });
  } catch (error) {
    throw new ZhikuError("unavailable:url", `Could not fetch ${url.href}: ${hostname} does not resolve`, {
      cause: error,
    });
  }
  if (addresses.length === 0)
    throw new ZhikuError("unavailable:url", `Could not fetch ${url.href}: ${hostname} does not resolve`);
  if (!policy.hostAllowed(hostname)) {
    const bad = addresses.find((entry) => !policy.addressAllowed(entry.address));
    if (bad)
      throw refused(url, `${hostname} resolves to ${bad.address}, a loopback, private or link-local address`);
  }
  const first = addresses[0]!;
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}

/**
 * Checks that a URL's host may be reached under the policy (as {@link fetchPage} does before connecting), for clients
 * that connect themselves, such as `git`. Throws `forbidden:url` or `unavailable:url`.
 */
export async function checkUrlHost(url: URL, policy: AddressPolicy): Promise<void> {
  await checkTarget(url, policy);
}

/** One GET to a checked address; resolves with the response head. */
function get(url: URL, target: CheckedTarget, signal: AbortSignal): Promise<IncomingMessage> {
  // Every connection goes to the address that was checked, whatever the host name resolves to by now.
  const lookup: LookupFunction = (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(
      url,
      {
        method: "GET",
        signal,
        lookup,
        agent: false,
        headers: {
          accept: "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.8",
          "accept-encoding": "identity",
          "user-agent": "Zhiku/0.1",
        },
      },
      resolve,
    );
    request.once("error", reject);
    request.end();
  });
}

/**
 * Downloads a web page (or any document) server-side, reading at most `maxBytes` and stopping at `timeoutMs`.
 * Addresses are checked after DNS resolution and on every redirect (at most {@link maxRedirects}, followed here, not
 * by the HTTP client): loopback, private, link-local, unique-local, CGNAT and metadata addresses are refused with
 * `forbidden:url` (403) unless `URL_ALLOWLIST` allows them. Returns the bytes, the content type and the address they
 * came from after redirects. Other failures name the URL: `unavailable:url` (502) when it
 * cannot be fetched, `too_large:url` (413) when it is bigger than the limit.
 */
export async function fetchPage(
  options: FetchPageOptions,
): Promise<{ bytes: Uint8Array; contentType: string | null; url: string }> {
  const { maxBytes } = options;
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  const timedOut = () => `no answer within ${Math.round(options.timeoutMs / 1000)} s`;
  let url = new URL(options.url);
  let response: IncomingMessage | undefined;
  for (let hop = 0; ; hop += 1) {
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new ZhikuError("invalid:url", `url: ${url.href} is not an http(s) URL`);
    }
    const target = await checkTarget(url, options.policy);
    try {
      response = await get(url, target, signal);
    } catch (error) {
      const reason = timeout.aborted ? timedOut() : describe(error);
      throw new ZhikuError("unavailable:url", `Could not fetch ${url.href}: ${reason}`, { cause: error });
    }
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (status >= 300 && status < 400 && location) {
      response.destroy();
      if (hop >= maxRedirects) {
        throw new ZhikuError(
          "unavailable:url",
          `Could not fetch ${options.url}: more than ${maxRedirects} redirects`,
        );
      }
      url = new URL(location, url);
      continue;
    }
    if (status < 200 || status >= 300) {
      response.destroy();
      throw new HttpStatusError(url, status);
    }
    break;
  }
  const tooLarge = () =>
    new ZhikuError(
      "too_large:url",
      `${options.url} is larger than the upload limit of ${Math.round(maxBytes / 1024 / 1024)} MB (MAX_UPLOAD_MB)`,
    );
  const declared = Number(response.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.destroy();
    throw tooLarge();
  }
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const part of response as AsyncIterable<Buffer>) {
      size += part.byteLength;
      if (size > maxBytes) throw tooLarge();
      parts.push(part);
    }
  } catch (error) {
    response.destroy();
    if (error instanceof ZhikuError) throw error;
    const reason = timeout.aborted
      ? `no complete answer within ${Math.round(options.timeoutMs / 1000)} s`
      : describe(error);
    throw new ZhikuError("unavailable:url", `Could not fetch ${options.url}: ${reason}`, { cause: error });
  }
  const contentType = response.headers["content-type"];
  return {
    bytes: new Uint8Array(Buffer.concat(parts, size)),
    contentType: contentType ?? null,
    url: url.href,
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return `${error.message}${cause}`;
  }
  return String(error);
}
