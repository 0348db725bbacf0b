/**
 * widget.js: `<script src="https://zhiku.example/widget.js" data-key="zw_..." [data-lang="zh|en"]></script>` adds a
 * chat bubble that answers from one Zhiku workspace. The script talks only to the server it was loaded from.
 */
import { createWidgetApi } from "./widget-api.js";
import { widgetText } from "./widget-text.js";
import { mountWidget } from "./widget-ui.js";

const script = document.currentScript as HTMLScriptElement | null;
const key = script?.dataset.key;
if (!script || !key) {
  console.error('Zhiku widget: add data-key="zw_..." to the <script> tag');
} else {
  const server = new URL(script.src).origin;
  const host = document.createElement("zhiku-widget");
  document.body.append(host);
  mountWidget({
    host,
    api: createWidgetApi({ server, key }),
    text: widgetText({ lang: script.dataset.lang ?? null, languages: navigator.languages }),
  });
}
