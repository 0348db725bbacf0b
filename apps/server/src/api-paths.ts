/** True for the paths the API serves (`/api`, `/v1`, `/mcp`); everything else is the web client's. */
export function isApiPath(path: string): boolean {
  return ["/api", "/v1", "/mcp"].some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}
