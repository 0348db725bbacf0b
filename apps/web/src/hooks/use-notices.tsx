import { createContext, type ReactNode, useCallback, useContext, useMemo, useRef, useState } from "react";
import { errorMessageKey, localizeError } from "../i18n/error-messages";
import { useI18n } from "../i18n/i18n";
import { toApiError } from "../lib/api-error";

/** A message shown in the notice area: errors stay until dismissed, information fades on its own. */
export interface Notice {
  id: number;
  kind: "error" | "info";
  text: string;
}

interface NoticesValue {
  notices: Notice[];
  /** Shows an error as a readable message (an API error's own message, or the network failure). */
  showError: (error: unknown) => void;
  /** Shows a short confirmation. */
  showInfo: (text: string) => void;
  dismiss: (id: number) => void;
}

const NoticesContext = createContext<NoticesValue | null>(null);

/** Holds the app's notices; rendered by {@link NoticeArea}. */
export function NoticesProvider(props: { children: ReactNode }) {
  const { t } = useI18n();
  const [notices, setNotices] = useState<Notice[]>([]);
  const nextId = useRef(1);

  const dismiss = useCallback((id: number) => {
    setNotices((current) => current.filter((notice) => notice.id !== id));
  }, []);

  const add = useCallback(
    (kind: Notice["kind"], text: string) => {
      const id = nextId.current++;
      setNotices((current) => [...current.filter((notice) => notice.text !== text), { id, kind, text }]);
      if (kind === "info") setTimeout(() => dismiss(id), 4000);
    },
    [dismiss],
  );

  const showError = useCallback(
    (error: unknown) => {
      if (error instanceof DOMException && error.name === "AbortError") return;
      const apiError = toApiError(error);
      // Known codes are said in the interface language (naming the file of a per-file error); others keep the
      // server's message, with a localised lead-in for permission answers so "not allowed" reads as such.
      const text =
        apiError.code === "network"
          ? t("error.network", { message: apiError.message })
          : errorMessageKey(apiError.code)
            ? localizeError({ error: apiError, t, name: apiError.file })
            : apiError.status === 403
              ? t("error.forbidden", { message: apiError.message })
              : apiError.status === 404
                ? t("error.notFound", { message: apiError.message })
                : apiError.message;
      add("error", text);
    },
    [add, t],
  );

  const showInfo = useCallback((text: string) => add("info", text), [add]);

  const value = useMemo(
    () => ({ notices, showError, showInfo, dismiss }),
    [notices, showError, showInfo, dismiss],
  );
  return <NoticesContext.Provider value={value}>{props.children}</NoticesContext.Provider>;
}

/** Show errors and confirmations to the user. */
export function useNotices(): NoticesValue {
  const value = useContext(NoticesContext);
  if (!value) throw new Error("useNotices must be used inside <NoticesProvider>");
  return value;
}
