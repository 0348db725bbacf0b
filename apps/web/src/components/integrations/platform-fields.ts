import type { MessageKey } from "../../i18n/en";
import type { BotPlatform, NewIntegration } from "../../lib/api-types";

type CreateBody<P extends BotPlatform> = Extract<NewIntegration, { platform: P }>;
type SettingName<P extends BotPlatform> = keyof NonNullable<CreateBody<P>["settings"]> & string;
type SecretName<P extends BotPlatform> = keyof CreateBody<P>["secrets"] & string;

/** One credential field of a platform's form. */
export interface PlatformField<Name extends string = string> {
  /** The field's name in the API body (`settings.appId`, `secrets.botToken`). */
  name: Name;
  /** Its label: the platform console's name for it. */
  label: MessageKey;
  /** Where to find it in the platform's console. */
  hint: MessageKey;
  /** False for the optional `apiBaseUrl`. */
  required: boolean;
}

/** What an admin fills in for one platform, in the API's names: settings are shown back, secrets only masked. */
export interface PlatformForm<P extends BotPlatform> {
  /** The platform's name. */
  label: MessageKey;
  /** Where in the platform's console the callback URL goes. */
  callbackHint: MessageKey;
  settings: PlatformField<SettingName<P>>[];
  secrets: PlatformField<SecretName<P>>[];
}

const apiBaseUrl = {
  name: "apiBaseUrl",
  label: "integrations.field.apiBaseUrl",
  hint: "integrations.hint.apiBaseUrl",
  required: false,
} as const;

/**
 * The form of each platform, typed against the server's request body: a field the server renames or drops breaks
 * the build here.
 */
export const platformForms: { [P in BotPlatform]: PlatformForm<P> } = {
  slack: {
    label: "integrations.platform.slack",
    callbackHint: "integrations.callbackHint.slack",
    settings: [apiBaseUrl],
    secrets: [
      {
        name: "botToken",
        label: "integrations.field.botToken",
        hint: "integrations.hint.botToken",
        required: true,
      },
      {
        name: "signingSecret",
        label: "integrations.field.signingSecret",
        hint: "integrations.hint.signingSecret",
        required: true,
      },
    ],
  },
  feishu: {
    label: "integrations.platform.feishu",
    callbackHint: "integrations.callbackHint.feishu",
    settings: [
      { name: "appId", label: "integrations.field.appId", hint: "integrations.hint.appId", required: true },
      { ...apiBaseUrl, hint: "integrations.hint.feishuApiBaseUrl" },
    ],
    secrets: [
      {
        name: "appSecret",
        label: "integrations.field.appSecret",
        hint: "integrations.hint.feishuAppSecret",
        required: true,
      },
      {
        name: "verificationToken",
        label: "integrations.field.verificationToken",
        hint: "integrations.hint.verificationToken",
        required: true,
      },
      {
        name: "encryptKey",
        label: "integrations.field.encryptKey",
        hint: "integrations.hint.encryptKey",
        required: true,
      },
    ],
  },
  dingtalk: {
    label: "integrations.platform.dingtalk",
    callbackHint: "integrations.callbackHint.dingtalk",
    settings: [apiBaseUrl],
    secrets: [
      {
        name: "appSecret",
        label: "integrations.field.appSecret",
        hint: "integrations.hint.dingtalkAppSecret",
        required: true,
      },
    ],
  },
  wecom: {
    label: "integrations.platform.wecom",
    callbackHint: "integrations.callbackHint.wecom",
    settings: [
      {
        name: "corpId",
        label: "integrations.field.corpId",
        hint: "integrations.hint.corpId",
        required: true,
      },
      {
        name: "agentId",
        label: "integrations.field.agentId",
        hint: "integrations.hint.agentId",
        required: true,
      },
      apiBaseUrl,
    ],
    secrets: [
      {
        name: "corpSecret",
        label: "integrations.field.corpSecret",
        hint: "integrations.hint.corpSecret",
        required: true,
      },
      { name: "token", label: "integrations.field.token", hint: "integrations.hint.token", required: true },
      {
        name: "encodingAesKey",
        label: "integrations.field.encodingAesKey",
        hint: "integrations.hint.encodingAesKey",
        required: true,
      },
    ],
  },
};

/** The platforms in the order the form offers them. */
export const platformOrder: BotPlatform[] = ["slack", "feishu", "dingtalk", "wecom"];
