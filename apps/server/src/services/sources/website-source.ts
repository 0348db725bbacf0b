import { createRequire } from "node:module";
import { setTimeout as sleep } from "node:timers/promises";
import { parseHTML } from "linkedom";
import type { AddressPolicy } from "../documents/address-policy.js";
import { fetchPage, HttpStatusError } from "../documents/fetch-page.js";
import { extensionOfPath } from "./folder-source.js";
import type { ItemLister, ListedItem, WebsiteConfig } from "./source-types.js";

// robots-parser is CommonJS whose types declare an ES default export, which a default import under NodeNext does not
// type as the function module.exports is; required, it is.
const robotsParser = createRequire(import.meta.url)(
  "robots-parser",
) as typeof import("robots-parser").default;

/** The user agent the crawler matches in robots.txt (fetch-page sends `Zhiku/0.1`). */
const crawlerUserAgent = "Zhiku";

/** Longest Crawl-delay honoured, in seconds: a larger one would stall a sync for hours. */
const maxCrawlDelaySeconds = 10;

/** Media types ingested; HTML pages are also searched for links. */
const htmlTypes = new Set(["text/html", "application/xhtml+xml"]);
const otherIngestedTypes = new Set(["text/plain", "text/markdown", "application/pdf"]);

/** Link targets never fetched: images, media, archives, executables and styles are no documents. */
const skippedExtensions = new Set(
  (
    "png jpg jpeg gif webp svg ico bmp tif tiff avif mp3 mp4 m4a wav ogg webm mov avi mkv zip gz tgz bz2 xz 7z rar " +
    "tar exe dmg msi iso apk css js mjs woff woff2 ttf otf eot"
  ).split(" "),
);

/** Options of {@link crawlWebsite}. */
export interface CrawlOptions {
  /** The source's settings. */
  config: WebsiteConfig;
  /** Which addresses may be fetched (`URL_ALLOWLIST`). */
  policy: AddressPolicy;
  /** Largest page, in bytes (`MAX_UPLOAD_MB`). */
  maxBytes: number;
  /** Timeout of one fetch, in ms. */
  timeoutMs: number;
}

/** A URL without its fragment: the key of a page. */
function pageKey(url: URL): string {
  const copy = new URL(url.href);
  copy.hash = "";
  return copy.href;
}

function mediaType(contentType: string | null): string {
  return (contentType ?? "").split(";")[0]!.trim().toLowerCase();
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `<loc>` entries of a sitemap or sitemap index. */
export function sitemapLocations(xml: string): string[] {
  const locations: string[] = [];
  for (const match of xml.matchAll(/<loc>\s*([^<]+?)\s*<\/loc>/gi)) {
    locations.push(
      match[1]!
        .replace(/&amp;/g, "&")
        .replace(/&lt;/g, "<")
        .replace(/&gt;/g, ">")
        .replace(/&quot;/g, '"')
        .replace(/&apos;/g, "'"),
    );
  }
  return locations;
}

/** What a page says about links and indexing: its `<a href>` targets and the robots meta tag. */
export function readPage(html: string, url: URL): { links: URL[]; noindex: boolean; nofollow: boolean } {
  const { document } = parseHTML(html);
  const robots = (
    document.querySelector('meta[name="robots" i]')?.getAttribute("content") ?? ""
  ).toLowerCase();
  const base = document.querySelector("base[href]")?.getAttribute("href");
  let baseUrl = url;
  try {
    if (base) baseUrl = new URL(base, url);
  } catch {
    // A broken <base> is ignored, as browsers do.
  }
  const links: URL[] = [];
  for (const anchor of document.querySelectorAll("a[href]")) {
    if ((anchor.getAttribute("rel") ?? "").toLowerCase().split(/\s+/).includes("nofollow")) continue;
    try {
      links.push(new URL(anchor.getAttribute("href") ?? "", baseUrl));
    } catch {
      // Not a URL: nothing to follow.
    }
  }
  return {
    links,
    noindex: /\bnoindex\b|\bnone\b/.test(robots),
    nofollow: /\bnofollow\b|\bnone\b/.test(robots),
  };
}

/**
 * Crawls a website as a source's items: from the start page (or every page of a sitemap, when the address ends in
 * `.xml`), breadth first, following same-origin links up to `maxDepth` and fetching at most `maxPages` pages.
 * robots.txt is honoured for the `Zhiku` agent (its Disallow rules and a Crawl-delay of up to 10 s); a page's robots
 * meta tag `noindex` keeps it out and `nofollow` keeps its links unfollowed. Every fetch goes through
 * {@link fetchPage}, so the SSRF rules and `URL_ALLOWLIST` apply to each request and redirect. Keys and names are the
 * pages' URLs without fragment, after redirects (a start page redirected to another origin moves the crawl there).
 * A page that is gone (404, 410) is listed as gone; one that fails otherwise is a failed item (and the pages only it
 * links to go unseen, so the sync keeps their documents: `failuresHideItems`). A start page, sitemap or robots.txt
 * that cannot be read fails the whole listing.
 */
export function crawlWebsite(options: CrawlOptions): ItemLister {
  const { config, policy, maxBytes, timeoutMs } = options;
  return async function* crawl(signal) {
    const fetch = (url: string) => fetchPage({ url, maxBytes, timeoutMs, policy, signal });
    const start = new URL(config.url);
    const startKey = pageKey(start);
    let origin = start.origin;
    let robots = await loadRobots(origin);
    const allowed = (url: URL) => robots.isAllowed(url.href, crawlerUserAgent) !== false;
    const delayMs = () => Math.min(robots.getCrawlDelay(crawlerUserAgent) ?? 0, maxCrawlDelaySeconds) * 1000;

    const queue: { url: URL; depth: number }[] = [];
    const queued = new Set<string>();
    /** Keys of pages listed, after redirects: two addresses of one page list it once. */
    const listed = new Set<string>();
    const enqueue = (url: URL, depth: number) => {
      // Only the first maxPages addresses are ever fetched, so a page with thousands of links queues no more.
      if (queued.size >= config.maxPages) return;
      if (url.origin !== origin || (url.protocol !== "http:" && url.protocol !== "https:")) return;
      if (skippedExtensions.has(extensionOfPath(url.pathname))) return;
      const key = pageKey(url);
      if (queued.has(key) || !allowed(url)) return;
      queued.add(key);
      queue.push({ url: new URL(key), depth });
    };
    if (extensionOfPath(start.pathname) === "xml") {
      for (const location of await readSitemap(start, 0)) enqueue(location, 0);
    } else {
      enqueue(start, 0);
      if (queue.length === 0) throw new Error(`robots.txt of ${origin} does not allow ${start.href}`);
    }

    let fetched = 0;
    for (let next = queue.shift(); next && fetched < config.maxPages; next = queue.shift()) {
      signal.throwIfAborted();
      if (fetched > 0 && delayMs() > 0) await sleep(delayMs(), undefined, { signal });
      fetched += 1;
      const requested = pageKey(next.url);
      let page: { bytes: Uint8Array; contentType: string | null; url: string };
      try {
        page = await fetch(requested);
      } catch (error) {
        if (error instanceof HttpStatusError && (error.status === 404 || error.status === 410)) {
          // The start page must be there: a site whose start page is gone is not a site with no pages.
          if (requested === startKey) throw error;
          yield { key: requested, gone: true } satisfies ListedItem;
          continue;
        }
        yield { key: requested, error: describe(error) } satisfies ListedItem;
        continue;
      }
      const landed = new URL(page.url);
      if (landed.origin !== origin) {
        // A start page that redirects to another origin (http to https, a new domain) moves the crawl there, under
        // that origin's robots.txt; any other page redirected off the site is left out.
        if (requested !== startKey) continue;
        origin = landed.origin;
        robots = await loadRobots(origin);
        if (!allowed(landed)) throw new Error(`robots.txt of ${origin} does not allow ${landed.href}`);
      }
      const key = pageKey(landed);
      if (listed.has(key)) continue;
      listed.add(key);
      const type = mediaType(page.contentType);
      if (htmlTypes.has(type) || type === "") {
        const { links, noindex, nofollow } = readPage(new TextDecoder().decode(page.bytes), landed);
        if (!nofollow && next.depth < config.maxDepth)
          for (const link of links) enqueue(link, next.depth + 1);
        if (!noindex) yield { key, name: key, bytes: page.bytes };
      } else if (otherIngestedTypes.has(type)) {
        yield { key, name: key, bytes: page.bytes };
      }
    }

    async function loadRobots(siteOrigin: string) {
      const url = new URL("/robots.txt", siteOrigin);
      try {
        const { bytes } = await fetch(url.href);
        return robotsParser(url.href, new TextDecoder().decode(bytes));
      } catch (error) {
        // No robots.txt (4xx) allows everything; one that cannot be read (5xx, no answer) stops the crawl (RFC 9309).
        if (error instanceof HttpStatusError && error.status >= 400 && error.status < 500) {
          return robotsParser(url.href, "");
        }
        throw new Error(`robots.txt of ${url.origin} could not be read: ${describe(error)}`, {
          cause: error,
        });
      }
    }

    async function readSitemap(url: URL, level: number): Promise<URL[]> {
      const { bytes } = await fetch(url.href);
      const pages: URL[] = [];
      for (const location of sitemapLocations(new TextDecoder().decode(bytes))) {
        let target: URL;
        try {
          target = new URL(location, url);
        } catch {
          continue;
        }
        if (target.origin !== origin) continue;
        // A sitemap index lists sitemaps; one level of them is read.
        if (extensionOfPath(target.pathname) === "xml" && level === 0)
          pages.push(...(await readSitemap(target, 1)));
        else if (extensionOfPath(target.pathname) !== "xml") pages.push(target);
      }
      return pages;
    }
  };
}
