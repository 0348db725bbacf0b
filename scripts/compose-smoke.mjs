// The HTTP part of scripts/compose-check.sh, against a running stack: signs in as the admin that ADMIN_EMAIL and
// ADMIN_PASSWORD pre-created, creates a workspace, uploads a Markdown document and a screenshot, waits until both are
// ingested (the screenshot through the image's Tesseract) and searches for each. Prints one line per step; exits 1 naming the step that failed.
// Usage: node scripts/compose-smoke.mjs BASE_URL ADMIN_EMAIL ADMIN_PASSWORD
const [base, email, password] = process.argv.slice(2);
if (!base || !email || !password) {
  console.error("usage: node scripts/compose-smoke.mjs BASE_URL ADMIN_EMAIL ADMIN_PASSWORD");
  process.exit(2);
}

let cookie = "";
const log = (message) => console.log(`[compose-smoke] ${message}`);

async function call(method, path, body) {
  const headers = { cookie, "x-zhiku-csrf": "1" };
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers["content-type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const response = await fetch(`${base}${path}`, { method, headers, body: payload });
  const setCookie = response.headers.get("set-cookie");
  if (setCookie) cookie = setCookie.split(";")[0];
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

try {
  const status = await call("GET", "/api/auth/status");
  if (status.needsSetup)
    throw new Error("the install has no admin: ADMIN_EMAIL and ADMIN_PASSWORD did not reach the app");
  await call("POST", "/api/auth/login", { email, password });
  log(`signed in as the pre-created admin ${email}`);

  const slug = `smoke-${Date.now().toString(36)}`;
  await call("POST", "/api/workspaces", { name: "Compose smoke", slug });
  const form = new FormData();
  const note =
    "# 备份\n\nZhiku 的备份包含元数据、向量和原始文件。Backups hold metadata, vectors and originals.\n";
  form.append("file", new Blob([note], { type: "text/markdown" }), "backup-note.md");
  // A screenshot, read by the image's Tesseract (rendered here by the ingest package's OCR test helper).
  const { renderTextImage } = await import("../packages/ingest/dist/ocr/test-support.js");
  const screenshot = await renderTextImage({
    text: "运维手册：磁盘配额告警的处理步骤。",
    width: 900,
    fontSize: 32,
  });
  form.append("file", new Blob([screenshot], { type: "image/png" }), "quota-screenshot.png");
  await call("POST", `/api/workspaces/${slug}/documents`, form);
  log(`uploaded backup-note.md and quota-screenshot.png into workspace ${slug}`);

  let documents = [];
  for (let attempt = 0; attempt < 240; attempt++) {
    ({ documents } = await call("GET", `/api/workspaces/${slug}/documents`));
    if (documents.every((document) => document.status === "ready" || document.status === "failed")) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const states = documents.map((document) => `${document.name}=${document.status}`).join(", ");
  if (!documents.length || documents.some((document) => document.status !== "ready"))
    throw new Error(`the document was not ingested: ${states}`);
  log(`ingested: ${states}`);

  const { results, mode } = await call("POST", `/api/workspaces/${slug}/search`, { query: "备份 vectors" });
  if (!results.length) throw new Error("the search found nothing");
  log(`search (${mode}) found ${results.length} passage(s), the first from ${results[0].documentName}`);

  const ocr = await call("POST", `/api/workspaces/${slug}/search`, {
    query: "磁盘配额告警",
    mode: "fulltext",
  });
  const fromScreenshot = ocr.results.find((result) => result.documentName === "quota-screenshot.png");
  if (!fromScreenshot) throw new Error("OCR: a search for the screenshot's text did not find it");
  log(`OCR: the screenshot's text was found on page ${fromScreenshot.page}`);
} catch (error) {
  console.error(`[compose-smoke] failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
