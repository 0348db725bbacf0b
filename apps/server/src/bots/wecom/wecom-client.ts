import { ZhikuError } from "@zhiku/ingest";

/** Options for {@link WecomClient}. */
export interface WecomClientOptions {
  /** `https://qyapi.weixin.qq.com` or a stand-in, without a trailing slash. */
  apiBaseUrl: string;
  corpId: string;
  corpSecret: string;
  /** The app's AgentId. */
  agentId: string;
}

interface WecomResponse {
  errcode?: number;
  errmsg?: string;
  access_token?: string;
  expires_in?: number;
}

/**
 * The two WeCom server API calls a bot needs, over plain `fetch`: WeCom publishes no official Node SDK for its
 * server API (its `@wecom/crypto` covers only the callback encryption). `gettoken` is called once and its token
 * reused until five minutes before it expires.
 */
export class WecomClient {
  readonly #options: WecomClientOptions;
  #token: { value: string; expiresAt: number } | undefined;

  constructor(options: WecomClientOptions) {
    this.#options = options;
  }

  /** Sends a text message from the app to a user (`message/send`). */
  async sendText(options: { toUser: string; content: string }): Promise<void> {
    const token = await this.#accessToken();
    await this.#call(`/cgi-bin/message/send?access_token=${encodeURIComponent(token)}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        touser: options.toUser,
        msgtype: "text",
        agentid: Number(this.#options.agentId),
        text: { content: options.content },
      }),
    });
  }

  async #accessToken(): Promise<string> {
    if (this.#token && this.#token.expiresAt > Date.now()) return this.#token.value;
    const query = new URLSearchParams({ corpid: this.#options.corpId, corpsecret: this.#options.corpSecret });
    const result = await this.#call(`/cgi-bin/gettoken?${query}`, { method: "GET" });
    if (!result.access_token)
      throw new ZhikuError("upstream:wecom", "WeCom gettoken answered no access_token");
    const seconds = result.expires_in ?? 7200;
    this.#token = { value: result.access_token, expiresAt: Date.now() + Math.max(0, seconds - 300) * 1000 };
    return result.access_token;
  }

  async #call(path: string, init: RequestInit): Promise<WecomResponse> {
    const response = await fetch(`${this.#options.apiBaseUrl}${path}`, {
      ...init,
      signal: AbortSignal.timeout(15_000),
    });
    const result = (await response.json().catch(() => ({}))) as WecomResponse;
    if (!response.ok || (result.errcode !== undefined && result.errcode !== 0)) {
      const call = path.split("?")[0];
      throw new ZhikuError(
        "upstream:wecom",
        `WeCom ${call} failed: HTTP ${response.status}, errcode ${result.errcode ?? "?"} ${result.errmsg ?? ""}`.trim(),
      );
    }
    return result;
  }
}
