import type { Options } from "react-markdown";

type PluggableList = NonNullable<Options["remarkPlugins"]>;

/** Plugins that are loaded on demand, because KaTeX and the highlighter are most of the client's weight. */
export interface OptionalPlugins {
  remark: PluggableList;
  rehype: PluggableList;
}

/** Whether a Markdown text needs math or code highlighting. */
export function featuresOf(markdown: string): { math: boolean; code: boolean } {
  return {
    math: /\$[^$\s][^$]*\$|\$\$|\\\(|\\\[/.test(markdown),
    code: /```|~~~/.test(markdown),
  };
}

let mathPlugins: Promise<OptionalPlugins> | undefined;
let codePlugins: Promise<OptionalPlugins> | undefined;

/** Loads remark-math, rehype-katex and KaTeX's CSS once, on first need. */
export function loadMathPlugins(): Promise<OptionalPlugins> {
  mathPlugins ??= Promise.all([
    import("remark-math"),
    import("rehype-katex"),
    import("katex/dist/katex.min.css"),
  ]).then(([remarkMath, rehypeKatex]) => ({
    remark: [remarkMath.default],
    rehype: [[rehypeKatex.default, { throwOnError: false, strict: false }]],
  }));
  return mathPlugins;
}

/** Loads rehype-highlight (highlight.js's common languages) once, on first need. */
export function loadCodePlugins(): Promise<OptionalPlugins> {
  codePlugins ??= import("rehype-highlight").then((rehypeHighlight) => ({
    remark: [],
    rehype: [[rehypeHighlight.default, { detect: true, ignoreMissing: true }]],
  }));
  return codePlugins;
}
