import { z } from "zod";

/** The chat platforms a workspace can connect a bot on. */
export const botPlatforms = ["slack", "feishu", "dingtalk", "wecom"] as const;

/** One of {@link botPlatforms}. */
export type BotPlatform = (typeof botPlatforms)[number];

const apiBaseUrl = z
  .url({ protocol: /^https?$/ })
  .describe("The platform's API base URL; change it only for a private deployment or a test server");
const required = (description: string) => z.string().trim().min(1).max(2_000).describe(description);

/** WeCom's EncodingAESKey: 43 characters of base64 that decode (with a trailing `=`) to a 32-byte AES key. */
const encodingAesKey = z
  .string()
  .trim()
  .refine(
    (value) => /^[A-Za-z0-9+/]{43}$/.test(value) && Buffer.from(`${value}=`, "base64").length === 32,
    "must be the 43-character EncodingAESKey from the app's API receive settings",
  );

/**
 * What each platform issues: `settings` are shown back in full, `secrets` are stored encrypted and only ever shown
 * masked. Field names follow the platforms' consoles.
 */
export const platformFields = {
  slack: {
    settings: z.object({ apiBaseUrl: apiBaseUrl.optional() }).strict(),
    secrets: z
      .object({
        botToken: required("Bot User OAuth Token (xoxb-...)"),
        signingSecret: required("Signing Secret from Basic Information"),
      })
      .strict(),
  },
  feishu: {
    settings: z.object({ appId: required("App ID (cli_...)"), apiBaseUrl: apiBaseUrl.optional() }).strict(),
    secrets: z
      .object({
        appSecret: required("App Secret"),
        verificationToken: required("Verification Token from Events and Callbacks"),
        encryptKey: required("Encrypt Key from Events and Callbacks"),
      })
      .strict(),
  },
  dingtalk: {
    settings: z.object({ apiBaseUrl: apiBaseUrl.optional() }).strict(),
    secrets: z.object({ appSecret: required("AppSecret of the robot's app") }).strict(),
  },
  wecom: {
    settings: z
      .object({
        corpId: required("Corp ID (企业ID)"),
        agentId: z.string().trim().regex(/^\d+$/, "must be the app's numeric AgentId"),
        apiBaseUrl: apiBaseUrl.optional(),
      })
      .strict(),
    secrets: z
      .object({
        corpSecret: required("The app's Secret"),
        token: required("Token from the app's API receive settings"),
        encodingAesKey,
      })
      .strict(),
  },
} as const satisfies Record<BotPlatform, { settings: z.ZodObject; secrets: z.ZodObject }>;

/** The settings of a platform, as its schema reads them. */
export type PlatformSettings<P extends BotPlatform> = z.infer<(typeof platformFields)[P]["settings"]>;
/** The secrets of a platform, as its schema reads them. */
export type PlatformSecrets<P extends BotPlatform> = z.infer<(typeof platformFields)[P]["secrets"]>;

/** Where each platform's API is when an integration names no `apiBaseUrl`. */
export const defaultApiBaseUrls: Record<BotPlatform, string> = {
  slack: "https://slack.com/api/",
  feishu: "https://open.feishu.cn",
  dingtalk: "https://oapi.dingtalk.com",
  wecom: "https://qyapi.weixin.qq.com",
};

/** The callback path a platform is pointed at for an integration, under the server's public URL. */
export function callbackPath(platform: BotPlatform, integrationId: string): string {
  const endpoint = platform === "wecom" ? "callback" : "events";
  return `/api/integrations/${integrationId}/${platform}/${endpoint}`;
}
