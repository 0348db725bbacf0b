/** The widget's styles, inside its shadow root so the host page's CSS neither reaches nor suffers from them. */
export const widgetStyles = `
:host { all: initial; }
* { box-sizing: border-box; font-family: system-ui, -apple-system, "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif; }
.bubble { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; border: 0; border-radius: 999px;
  padding: 12px 18px; background: #2563eb; color: #fff; font-size: 15px; cursor: pointer; box-shadow: 0 6px 20px rgb(0 0 0 / 25%); }
.panel { position: fixed; right: 20px; bottom: 80px; z-index: 2147483000; width: min(380px, calc(100vw - 40px));
  height: min(560px, calc(100vh - 120px)); display: flex; flex-direction: column; background: #fff; color: #111827;
  border-radius: 12px; box-shadow: 0 12px 40px rgb(0 0 0 / 25%); overflow: hidden; font-size: 14px; }
.panel[hidden] { display: none; }
header { display: flex; align-items: center; justify-content: space-between; padding: 12px 14px; background: #2563eb; color: #fff; font-weight: 600; }
header button { background: transparent; color: inherit; border: 0; font-size: 18px; cursor: pointer; }
.log { flex: 1; overflow-y: auto; padding: 12px 14px; display: flex; flex-direction: column; gap: 10px; }
.question { align-self: flex-end; background: #eff6ff; border-radius: 10px; padding: 8px 10px; max-width: 85%; white-space: pre-wrap; }
.answer { align-self: flex-start; max-width: 100%; white-space: pre-wrap; line-height: 1.55; }
.answer.failed { color: #b91c1c; }
.cite { display: inline-block; border: 0; background: #dbeafe; color: #1d4ed8; border-radius: 4px; padding: 0 4px;
  margin: 0 1px; font-size: 12px; cursor: pointer; line-height: 1.5; }
.sources { margin-top: 6px; font-size: 12px; color: #4b5563; }
.sources button { display: block; text-align: left; border: 0; background: none; color: #1d4ed8; cursor: pointer; padding: 2px 0; font-size: 12px; }
.passage { position: absolute; inset: 48px 0 0 0; background: #fff; padding: 12px 14px; overflow-y: auto; }
.passage[hidden] { display: none; }
.passage .where { color: #4b5563; font-size: 12px; margin-bottom: 8px; }
.passage .text { white-space: pre-wrap; line-height: 1.6; }
.passage button { margin-bottom: 10px; border: 1px solid #d1d5db; background: #fff; border-radius: 6px; padding: 4px 8px; cursor: pointer; }
form { display: flex; gap: 8px; padding: 10px; border-top: 1px solid #e5e7eb; }
textarea { flex: 1; resize: none; border: 1px solid #d1d5db; border-radius: 8px; padding: 8px; font-size: 14px; height: 42px; }
form button { border: 0; border-radius: 8px; background: #2563eb; color: #fff; padding: 0 14px; cursor: pointer; }
form button:disabled { opacity: 0.5; cursor: default; }
`;
