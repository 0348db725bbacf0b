import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** A page the loopback site serves: a body with its content type, a status without one, or a redirect (301). */
export type SitePage = { body: string; type?: string } | { status: number } | { redirect: string };

/** A website on 127.0.0.1 whose pages a test changes between requests, recording each path asked for. */
export interface LoopbackSite {
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  /** Pages by path (`/`, `/robots.txt`, `/sitemap.xml`); a missing path answers 404. */
  pages: Map<string, SitePage>;
  /** Paths requested, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** Starts a {@link LoopbackSite} with the given pages (HTML unless a type is given). */
export async function startLoopbackSite(pages: Record<string, SitePage> = {}): Promise<LoopbackSite> {
  const site = new Map(Object.entries(pages));
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://site").pathname;
    requests.push(path);
    const page = site.get(path);
    if (page && "redirect" in page) {
      response.writeHead(301, { location: page.redirect });
      response.end();
      return;
    }
    if (!page || "status" in page) {
      response.writeHead(page?.status ?? 404, { "content-type": "text/plain" });
      response.end("no page");
      return;
    }
    response.writeHead(200, { "content-type": page.type ?? "text/html; charset=utf-8" });
    response.end(page.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    pages: site,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** An HTML page with a heading, a paragraph and links. */
export function htmlPage(title: string, text: string, links: string[] = []): SitePage {
  const anchors = links.map((link) => `<li><a href="${link}">${link}</a></li>`).join("");
  return {
    body: `<!doctype html><html><head><title>${title}</title></head><body><article><h1>${title}</h1><p>${text}</p><ul>${anchors}</ul></article></body></html>`,
  };
}
