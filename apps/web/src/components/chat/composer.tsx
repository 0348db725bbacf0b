import { type FormEvent, type KeyboardEvent, useId, useState } from "react";
import { useI18n } from "../../i18n/i18n";

/** Props of {@link Composer}. */
export interface ComposerProps {
  /** Called with the trimmed question. */
  onSend: (question: string) => void;
  /** Stops the answer being generated. */
  onStop: () => void;
  /** An answer is being generated: show Stop instead of Send, and do not send. */
  busy: boolean;
}

/**
 * The question box. Enter sends, Shift+Enter adds a line; Enter while an input method is composing
 * (typing Chinese with pinyin) confirms the candidate instead of sending.
 */
export function Composer(props: ComposerProps) {
  const { t } = useI18n();
  const [text, setText] = useState("");
  const inputId = useId();
  const hintId = useId();

  function submit() {
    const question = text.trim();
    if (!question || props.busy) return;
    props.onSend(question);
    setText("");
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key !== "Enter" || event.shiftKey) return;
    if (event.nativeEvent.isComposing || event.keyCode === 229) return;
    event.preventDefault();
    submit();
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    submit();
  }

  return (
    <form className="composer" onSubmit={onSubmit}>
      <label htmlFor={inputId} className="visually-hidden">
        {t("chat.inputLabel")}
      </label>
      <textarea
        id={inputId}
        value={text}
        rows={Math.min(8, Math.max(1, text.split("\n").length))}
        placeholder={t("chat.inputPlaceholder")}
        aria-describedby={hintId}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
      />
      <span id={hintId} className="composer-hint">
        {t("chat.inputHint")}
      </span>
      {props.busy ? (
        <button type="button" className="button stop" onClick={props.onStop}>
          {t("chat.stop")}
        </button>
      ) : (
        <button type="submit" className="button primary" disabled={!text.trim()}>
          {t("chat.send")}
        </button>
      )}
    </form>
  );
}
