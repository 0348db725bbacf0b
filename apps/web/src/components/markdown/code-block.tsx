import { type ComponentProps, useRef, useState } from "react";
import { useI18n } from "../../i18n/i18n";

/** A fenced code block with a copy button; the highlighter colours it when loaded. */
export function CodeBlock(props: ComponentProps<"pre">) {
  const { t } = useI18n();
  const preRef = useRef<HTMLPreElement>(null);
  const [copied, setCopied] = useState(false);
  const { children, ...rest } = props;

  async function copy() {
    const text = preRef.current?.textContent ?? "";
    await navigator.clipboard?.writeText(text);
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  }

  return (
    <div className="code-block">
      <button type="button" className="code-copy" onClick={() => void copy()}>
        {copied ? t("code.copied") : t("code.copy")}
      </button>
      <pre ref={preRef} {...rest}>
        {children}
      </pre>
    </div>
  );
}
