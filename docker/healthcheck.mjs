// Health probe for the app container (Dockerfile HEALTHCHECK, compose healthcheck) and the production check.
// Node only: the slim image has no curl. Exits 0 when GET /api/health answers 200 and prints the body.
const url = process.argv[2] ?? `http://127.0.0.1:${process.env.PORT || 3000}/api/health`;

try {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  const body = await response.text();
  console.log(`${response.status} ${body}`);
  process.exit(response.status === 200 ? 0 : 1);
} catch (error) {
  console.log(`${url}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
