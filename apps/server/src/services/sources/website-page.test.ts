import { describe, expect, it } from "vitest";
import { readPage, sitemapLocations } from "./website-source.js";

describe("reading a crawled page", () => {
  it("resolves links against <base>, skips rel=nofollow links and reads the robots meta tag", () => {
    const page = readPage(
      `<html><head><base href="/docs/"><meta name="ROBOTS" content="noindex"></head><body>
        <a href="intro">Intro</a><a href="../about#team">About</a><a rel="nofollow" href="login">Login</a>
        <a href="http://[broken">Broken</a></body></html>`,
      new URL("https://example.com/start"),
    );
    expect(page.links.map((link) => link.href)).toEqual([
      "https://example.com/docs/intro",
      "https://example.com/about#team",
    ]);
    expect(page).toMatchObject({ noindex: true, nofollow: false });
    expect(readPage('<meta name="robots" content="none">', new URL("https://example.com/"))).toMatchObject({
      noindex: true,
      nofollow: true,
    });
  });

  it("reads the <loc> entries of a sitemap, entities decoded", () => {
    expect(
      sitemapLocations(
        "<urlset><url><loc> https://example.com/a?x=1&amp;y=2 </loc></url><url><loc>https://example.com/b</loc></url></urlset>",
      ),
    ).toEqual(["https://example.com/a?x=1&y=2", "https://example.com/b"]);
  });
});
