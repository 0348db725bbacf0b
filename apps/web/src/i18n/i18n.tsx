import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from "react";
import { en, type MessageKey, type Messages } from "./en";
import { zh } from "./zh";

/** The interface languages. */
export type Locale = "en" | "zh";

/** Catalog per locale. */
export const catalogs: Record<Locale, Messages> = { en, zh };

/** localStorage key under which the chosen language is remembered. */
export const localeStorageKey = "zhiku.locale";

/** Values filled into `{name}` placeholders. */
export type MessageValues = Record<string, string | number>;

/** Translates a key; `{name}` placeholders take their value from `values`. */
export type Translate = (key: MessageKey, values?: MessageValues) => string;

/** Fills `{name}` placeholders in a catalog message. */
export function formatMessage(template: string, values?: MessageValues): string {
  if (!values) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole,
  );
}

/** Picks a locale: the remembered choice, else the first browser language we have, else English. */
export function detectLocale(options: { stored: string | null; languages: readonly string[] }): Locale {
  if (options.stored === "en" || options.stored === "zh") return options.stored;
  for (const language of options.languages) {
    const lower = language.toLowerCase();
    if (lower.startsWith("zh")) return "zh";
    if (lower.startsWith("en")) return "en";
  }
  return "en";
}

interface I18nValue {
  locale: Locale;
  setLocale: (locale: Locale) => void;
  t: Translate;
}

const I18nContext = createContext<I18nValue | null>(null);

function readStoredLocale(storage: Storage | undefined): string | null {
  try {
    return storage?.getItem(localeStorageKey) ?? null;
  } catch {
    return null; // storage disabled (private mode): fall back to the browser language
  }
}

/** Provides the interface language; `initialLocale` overrides detection (tests). */
export function I18nProvider(props: { children: ReactNode; initialLocale?: Locale; storage?: Storage }) {
  const storage = props.storage ?? (typeof window === "undefined" ? undefined : window.localStorage);
  const [locale, setLocaleState] = useState<Locale>(
    () =>
      props.initialLocale ??
      detectLocale({
        stored: readStoredLocale(storage),
        languages: typeof navigator === "undefined" ? [] : (navigator.languages ?? [navigator.language]),
      }),
  );
  const setLocale = useCallback(
    (next: Locale) => {
      setLocaleState(next);
      try {
        storage?.setItem(localeStorageKey, next);
      } catch {
        // Not remembered, but still switched for this visit.
      }
    },
    [storage],
  );
  const value = useMemo<I18nValue>(() => {
    const catalog = catalogs[locale];
    document.documentElement.lang = locale === "zh" ? "zh-CN" : "en";
    document.title = catalog["app.name"];
    return { locale, setLocale, t: (key, values) => formatMessage(catalog[key], values) };
  }, [locale, setLocale]);
  return <I18nContext.Provider value={value}>{props.children}</I18nContext.Provider>;
}

/** The current language, its translate function and a setter. */
export function useI18n(): I18nValue {
  const value = useContext(I18nContext);
  if (!value) throw new Error("useI18n must be used inside <I18nProvider>");
  return value;
}
