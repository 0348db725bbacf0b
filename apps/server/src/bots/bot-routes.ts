import { Hono } from "hono";
import { toErrorResponse } from "../errors.js";
import type { BotRouteDeps } from "./bot-route-deps.js";
import { createDingtalkRoutes } from "./dingtalk/dingtalk-routes.js";
import { createFeishuRoutes } from "./feishu/feishu-routes.js";
import { createSlackRoutes } from "./slack/slack-routes.js";
import { createWecomRoutes } from "./wecom/wecom-routes.js";

/**
 * The platforms' callbacks under `/integrations/:integrationId/`: public (no session or key), each request proven by
 * the platform's own signature instead. A refused request answers with the API's one error shape and no detail of
 * the integration.
 */
export function createBotRoutes(deps: BotRouteDeps) {
  return new Hono()
    .onError((error, c) => {
      const { status, body, headers, expected } = toErrorResponse(error);
      if (!expected) deps.logger.error({ err: error, path: c.req.path }, "A bot callback failed");
      else deps.logger.warn({ code: body.error.code, path: c.req.path }, "A bot callback was refused");
      return c.json(body, status, headers);
    })
    .route("/", createSlackRoutes(deps))
    .route("/", createFeishuRoutes(deps))
    .route("/", createDingtalkRoutes(deps))
    .route("/", createWecomRoutes(deps));
}
