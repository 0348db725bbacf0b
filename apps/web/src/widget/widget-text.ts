/** The widget's words, in the visitor's language. */
export interface WidgetText {
  open: string;
  close: string;
  title: (workspace: string) => string;
  placeholder: string;
  send: string;
  thinking: string;
  sources: string;
  back: string;
  page: (page: number) => string;
  errors: Record<string, string> & { fallback: string };
}

const en: WidgetText = {
  open: "Ask the docs",
  close: "Close",
  title: (workspace) => `Ask ${workspace}`,
  placeholder: "Ask a question…",
  send: "Send",
  thinking: "Looking through the documents…",
  sources: "Sources",
  back: "Back to the answer",
  page: (page) => `page ${page}`,
  errors: {
    "forbidden:origin": "This site may not use this assistant.",
    "unauthorized:widget_key": "This assistant has been switched off.",
    "too_many:widget_requests": "Too many questions in a row; please wait a minute.",
    "unavailable:ollama": "The assistant is unavailable right now; please try again later.",
    fallback: "Something went wrong; please try again.",
  },
};

const zh: WidgetText = {
  open: "问问文档",
  close: "关闭",
  title: (workspace) => `向「${workspace}」提问`,
  placeholder: "输入你的问题…",
  send: "发送",
  thinking: "正在查阅文档…",
  sources: "来源",
  back: "返回回答",
  page: (page) => `第 ${page} 页`,
  errors: {
    "forbidden:origin": "此网站无权使用这个助手。",
    "unauthorized:widget_key": "这个助手已停用。",
    "too_many:widget_requests": "提问太频繁了，请一分钟后再试。",
    "unavailable:ollama": "助手暂时不可用，请稍后再试。",
    fallback: "出错了，请重试。",
  },
};

/** Chinese when asked for (`data-lang="zh"`) or when the visitor's browser prefers it, else English. */
export function widgetText(options: { lang: string | null; languages: readonly string[] }): WidgetText {
  const wanted = options.lang ?? options.languages.find((language) => /^(zh|en)\b/i.test(language)) ?? "en";
  return /^zh/i.test(wanted) ? zh : en;
}

/** The visitor-facing message for an error code; the server's own message when there is none for it. */
export function errorText(text: WidgetText, error: { code?: string; message?: string }): string {
  return (error.code && text.errors[error.code]) || error.message || text.errors.fallback;
}
