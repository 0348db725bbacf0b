import { type WidgetApi, WidgetError, type WidgetSource } from "./widget-api.js";
import { widgetStyles } from "./widget-styles.js";
import { errorText, type WidgetText } from "./widget-text.js";

/** Makes an element with a class and text; text always goes in as text, never as HTML. */
function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: { className?: string; text?: string } = {},
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (options.className) node.className = options.className;
  if (options.text !== undefined) node.textContent = options.text;
  return node;
}

/**
 * Mounts the chat bubble and its panel in a shadow root on `host`: questions stream answers whose `[n]` citations
 * open the cited passage inside the widget (the only way a visitor can read it).
 */
export function mountWidget(options: { host: HTMLElement; api: WidgetApi; text: WidgetText }): void {
  const { api, text } = options;
  const root = options.host.attachShadow({ mode: "open" });
  const style = element("style", { text: widgetStyles });
  const bubble = element("button", { className: "bubble", text: text.open });
  bubble.type = "button";
  bubble.setAttribute("part", "bubble");
  const panel = element("section", { className: "panel" });
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  const header = element("header");
  const title = element("span", { text: text.title("…") });
  const close = element("button", { text: "×" });
  close.type = "button";
  close.setAttribute("aria-label", text.close);
  header.append(title, close);
  const log = element("div", { className: "log" });
  log.setAttribute("aria-live", "polite");
  const passage = element("div", { className: "passage" });
  passage.hidden = true;
  const form = element("form");
  const input = element("textarea");
  input.placeholder = text.placeholder;
  input.setAttribute("aria-label", text.placeholder);
  const send = element("button", { text: text.send });
  send.type = "submit";
  form.append(input, send);
  panel.append(header, log, passage, form);
  root.append(style, bubble, panel);

  let configured = false;
  bubble.addEventListener("click", () => {
    panel.hidden = !panel.hidden;
    if (!panel.hidden) input.focus();
    if (!configured) {
      configured = true;
      api.config().then(
        (config) => {
          title.textContent = text.title(config.workspace);
        },
        (error: unknown) => {
          const failed = element("div", { className: "answer failed", text: describe(error) });
          log.append(failed);
        },
      );
    }
  });
  close.addEventListener("click", () => {
    panel.hidden = true;
  });

  const describe = (error: unknown) =>
    error instanceof WidgetError ? errorText(text, error) : text.errors.fallback;

  const showPassage = async (source: WidgetSource) => {
    passage.replaceChildren();
    const back = element("button", { text: text.back });
    back.type = "button";
    back.addEventListener("click", () => {
      passage.hidden = true;
    });
    const where = element("div", { className: "where" });
    const body = element("div", { className: "text", text: source.text });
    const place = [source.documentName, ...source.headings].join(" › ");
    where.textContent = source.page ? `${place} · ${text.page(source.page)}` : place;
    passage.append(back, where, body);
    passage.hidden = false;
    try {
      const full = await api.passage(source.chunkId);
      body.textContent = full.text;
    } catch (error) {
      body.textContent = describe(error);
    }
  };

  /** The answer text with `[n]` turned into buttons that open passage n. */
  const renderAnswer = (target: HTMLElement, answer: string, sources: WidgetSource[]) => {
    target.replaceChildren();
    let last = 0;
    for (const match of answer.matchAll(/\[(\d+)\]/g)) {
      const source = sources.find((candidate) => candidate.index === Number(match[1]));
      if (!source) continue;
      target.append(answer.slice(last, match.index));
      const cite = element("button", { className: "cite", text: String(source.index) });
      cite.type = "button";
      cite.title = source.documentName;
      cite.addEventListener("click", () => void showPassage(source));
      target.append(cite);
      last = match.index + match[0].length;
    }
    target.append(answer.slice(last));
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const question = input.value.trim();
    if (!question || send.disabled) return;
    input.value = "";
    send.disabled = true;
    log.append(element("div", { className: "question", text: question }));
    const answer = element("div", { className: "answer", text: text.thinking });
    log.append(answer);
    let sources: WidgetSource[] = [];
    let body = "";
    api
      .ask(question, {
        onSources: (received) => {
          sources = received;
        },
        onToken: (piece) => {
          body += piece;
          renderAnswer(answer, body, sources);
          log.scrollTop = log.scrollHeight;
        },
      })
      .then(
        () => {
          const cited = sources.filter((source) => body.includes(`[${source.index}]`));
          if (cited.length > 0) {
            const list = element("div", { className: "sources", text: text.sources });
            for (const source of cited) {
              const item = element("button", { text: `[${source.index}] ${source.documentName}` });
              item.type = "button";
              item.addEventListener("click", () => void showPassage(source));
              list.append(item);
            }
            answer.append(list);
          }
        },
        (error: unknown) => {
          answer.className = "answer failed";
          answer.textContent = describe(error);
        },
      )
      .finally(() => {
        send.disabled = false;
        log.scrollTop = log.scrollHeight;
      });
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
}
