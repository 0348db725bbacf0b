import { type KeyboardEvent, useEffect, useId, useRef, useState } from "react";
import { useI18n } from "../../i18n/i18n";

/** Props of {@link RevealKeyDialog}. */
export interface RevealKeyDialogProps {
  /** The key's name, for the title. */
  name: string;
  /** The secret itself: the only time the user sees it. */
  secret: string;
  /** Closes the dialog; the caller forgets the secret then. */
  onClose: () => void;
  /** Writes text to the clipboard; defaults to the browser's clipboard (tests pass their own). */
  writeClipboard?: (text: string) => Promise<void>;
}

/**
 * A modal that shows a newly created API key once: a read-only field (selected, so Ctrl+C works too),
 * a copy button, and a warning that it will not be shown again. Focus stays inside until it closes.
 */
export function RevealKeyDialog(props: RevealKeyDialogProps) {
  const { t } = useI18n();
  const titleId = useId();
  const warningId = useId();
  const fieldId = useId();
  const dialogRef = useRef<HTMLDivElement>(null);
  const fieldRef = useRef<HTMLTextAreaElement>(null);
  const [copy, setCopy] = useState<"idle" | "copied" | "failed">("idle");

  useEffect(() => {
    fieldRef.current?.focus();
    fieldRef.current?.select();
  }, []);

  async function copyKey() {
    const write =
      props.writeClipboard ?? ((text: string) => navigator.clipboard?.writeText(text) ?? Promise.reject());
    try {
      await write(props.secret);
      setCopy("copied");
    } catch {
      setCopy("failed");
      fieldRef.current?.select();
    }
  }

  // A modal keeps keyboard focus inside; Escape closes it like its button.
  function onKeyDown(event: KeyboardEvent) {
    if (event.key === "Escape") {
      event.preventDefault();
      props.onClose();
      return;
    }
    if (event.key !== "Tab" || !dialogRef.current) return;
    const focusable = [...dialogRef.current.querySelectorAll<HTMLElement>("textarea, button")];
    const first = focusable[0];
    const last = focusable.at(-1);
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last?.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first?.focus();
    }
  }

  return (
    <div className="modal-backdrop">
      <div
        ref={dialogRef}
        className="modal card"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={warningId}
        onKeyDown={onKeyDown}
      >
        <h2 id={titleId}>{t("apiKeys.dialogTitle", { name: props.name })}</h2>
        <p id={warningId} className="warning">
          {t("apiKeys.warning")}
        </p>
        <div className="field">
          <label htmlFor={fieldId}>{t("apiKeys.keyLabel")}</label>
        </div>
        <div className="row">
          {/* A text area shows the whole key, wrapped, where an input would scroll it out of sight. */}
          <textarea
            id={fieldId}
            ref={fieldRef}
            className="secret"
            readOnly
            rows={2}
            value={props.secret}
            spellCheck={false}
            onFocus={(event) => event.target.select()}
          />
          <button type="button" className="button" onClick={() => void copyKey()}>
            {copy === "copied" ? t("apiKeys.copied") : t("apiKeys.copy")}
          </button>
        </div>
        <p role="status" className={copy === "failed" ? "field-error" : "visually-hidden"}>
          {copy === "copied" ? t("apiKeys.copied") : copy === "failed" ? t("apiKeys.copyFailed") : ""}
        </p>
        <div className="row">
          <button type="button" className="button primary" onClick={props.onClose}>
            {t("apiKeys.done")}
          </button>
        </div>
      </div>
    </div>
  );
}
