import { describe, expect, it } from "vitest";
import { contentTypeFor } from "./content-disposition.js";

describe("contentTypeFor", () => {
  it("serves images read by OCR with their own MIME type, from the extension", () => {
    expect(contentTypeFor({ type: "image", name: "screens/cdn.png" })).toBe("image/png");
    expect(contentTypeFor({ type: "image", name: "photo.JPG" })).toBe("image/jpeg");
    expect(contentTypeFor({ type: "image", name: "shot.webp" })).toBe("image/webp");
    expect(contentTypeFor({ type: "pdf", name: "scan.pdf" })).toBe("application/pdf");
  });
});
