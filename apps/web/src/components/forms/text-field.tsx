import { type InputHTMLAttributes, type Ref, useId } from "react";

/** Props of {@link TextField}: an input's own attributes plus its label, hint and error. */
export interface TextFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, "id"> {
  /** The visible label. */
  label: string;
  /** A short help text under the field, read with it by screen readers. */
  hint?: string;
  /** What is wrong with the value; shown under the field, tied to it and marking it invalid. */
  error?: string | null;
  /** Further element ids that describe the field (a form-level error, say). */
  describedBy?: string;
  /** The input element, so a form can move focus to the first field in error. */
  inputRef?: Ref<HTMLInputElement>;
}

/**
 * A labelled input whose hint and error are tied to it with `aria-describedby` and `aria-invalid`,
 * so a screen reader reads the error when focus lands on the field.
 */
export function TextField(props: TextFieldProps) {
  const { label, hint, error, describedBy, inputRef, className, ...input } = props;
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const described = [hint ? hintId : null, error ? errorId : null, describedBy ?? null]
    .filter(Boolean)
    .join(" ");
  return (
    <div className={`field${className ? ` ${className}` : ""}`}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        ref={inputRef}
        aria-invalid={error ? true : undefined}
        aria-describedby={described || undefined}
        {...input}
      />
      {hint && (
        <p id={hintId} className="muted hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}
