/** True for the paths the API serves (`/api`, `/v1`, `/mcp`); everything else is the web client's. */
export function isApiPath(path: string): boolean {
  return ["/api", "/v1", "/mcp"].some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/**
 * True for the chat platforms' bot callbacks (`/api/integrations/:integrationId/slack/events`, `…/feishu/events`,
 * `…/dingtalk/events`, `…/wecom/callback`), which authenticate by the platform's signature, not by account.
 */
export function isBotCallbackPath(path: string): boolean {
  return /^\/api\/integrations\/[^/]+\/(slack\/events|feishu\/events|dingtalk\/events|wecom\/callback)$/.test(
    path,
  );
}
