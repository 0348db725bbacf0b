import { type DragEvent, useId, useRef, useState } from "react";
import { useI18n } from "../../i18n/i18n";

/** Drag-and-drop area with a file picker for those who prefer (or need) the keyboard. */
export function DropZone(props: { onFiles: (files: File[]) => void; disabled?: boolean }) {
  const { t } = useI18n();
  const inputRef = useRef<HTMLInputElement>(null);
  const inputId = useId();
  const [active, setActive] = useState(false);

  function onDrop(event: DragEvent) {
    event.preventDefault();
    setActive(false);
    const files = [...event.dataTransfer.files];
    if (files.length > 0 && !props.disabled) props.onFiles(files);
  }

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: dropping is a pointer extra; the file input is the accessible path
    <div
      className={`drop-zone${active ? " active" : ""}`}
      onDragOver={(event) => {
        event.preventDefault();
        setActive(true);
      }}
      onDragLeave={() => setActive(false)}
      onDrop={onDrop}
    >
      <p>
        {active ? (
          t("documents.dropActive")
        ) : (
          <>
            {t("documents.dropZone")}{" "}
            <label htmlFor={inputId} className="link-button">
              {t("documents.choose")}
            </label>
          </>
        )}
      </p>
      <p className="muted">{t("documents.dropHint")}</p>
      <input
        ref={inputRef}
        id={inputId}
        className="visually-hidden-input"
        type="file"
        multiple
        disabled={props.disabled}
        onChange={(event) => {
          const files = [...(event.target.files ?? [])];
          if (files.length > 0) props.onFiles(files);
          event.target.value = "";
        }}
      />
    </div>
  );
}
