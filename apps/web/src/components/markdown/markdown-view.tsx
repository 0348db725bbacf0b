import { useEffect, useMemo, useRef, useState } from "react";
import Markdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";
import { useI18n } from "../../i18n/i18n";
import { CodeBlock } from "./code-block";
import { featuresOf, loadCodePlugins, loadMathPlugins, type OptionalPlugins } from "./markdown-plugins";
import { citationHrefPrefix, remarkCitations } from "./remark-citations";

/** Props of {@link MarkdownView}. */
export interface MarkdownViewProps {
  /** The Markdown text (may be partial while an answer streams). */
  markdown: string;
  /** Called with n when the reader clicks a `[n]` marker; without it markers stay text. */
  onCite?: (index: number) => void;
  /** Highest source number; markers above it stay plain text. */
  sourceCount?: number;
}

/**
 * Renders an answer as Markdown: GFM tables, code with a copy button, KaTeX math and clickable `[n]` citations.
 * KaTeX and the highlighter are fetched only when the text contains math or code.
 */
export function MarkdownView(props: MarkdownViewProps) {
  const { t } = useI18n();
  const features = featuresOf(props.markdown);
  const [math, setMath] = useState<OptionalPlugins | null>(null);
  const [code, setCode] = useState<OptionalPlugins | null>(null);

  useEffect(() => {
    let live = true;
    if (features.math && !math) void loadMathPlugins().then((plugins) => live && setMath(plugins));
    if (features.code && !code) void loadCodePlugins().then((plugins) => live && setCode(plugins));
    return () => {
      live = false;
    };
  }, [features.math, features.code, math, code]);

  // Read through a ref so that a new callback each render does not remount every link of the answer.
  const onCiteRef = useRef(props.onCite);
  onCiteRef.current = props.onCite;
  const citable = props.onCite !== undefined;
  const { sourceCount } = props;
  const components = useMemo<Components>(
    () => ({
      pre: CodeBlock,
      a: ({ href, children, node: _node, ...rest }) => {
        if (href?.startsWith(citationHrefPrefix)) {
          const index = Number(href.slice(citationHrefPrefix.length));
          if (citable && (sourceCount === undefined || index <= sourceCount)) {
            return (
              <button
                type="button"
                className="citation"
                aria-label={t("chat.citation", { index })}
                onClick={() => onCiteRef.current?.(index)}
              >
                {index}
              </button>
            );
          }
          return <span className="citation-text">[{index}]</span>;
        }
        return (
          <a href={href} target="_blank" rel="noreferrer noopener" {...rest}>
            {children}
          </a>
        );
      },
    }),
    [citable, sourceCount, t],
  );

  const remarkPlugins = useMemo(() => [remarkGfm, ...(math?.remark ?? []), remarkCitations], [math]);
  const rehypePlugins = useMemo(() => [...(math?.rehype ?? []), ...(code?.rehype ?? [])], [math, code]);

  return (
    <div className="markdown">
      <Markdown remarkPlugins={remarkPlugins} rehypePlugins={rehypePlugins} components={components}>
        {props.markdown}
      </Markdown>
    </div>
  );
}
