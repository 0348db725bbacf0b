import { useId } from "react";
import { type Locale, useI18n } from "../../i18n/i18n";

/** A select between English and Simplified Chinese; the choice is remembered. */
export function LanguageSwitch(props: { showLabel?: boolean }) {
  const { t, locale, setLocale } = useI18n();
  const id = useId();
  return (
    <span className="language-switch">
      <label htmlFor={id} className={props.showLabel ? "" : "visually-hidden"}>
        {t("language.label")}
      </label>
      <select id={id} value={locale} onChange={(event) => setLocale(event.target.value as Locale)}>
        <option value="en" lang="en">
          {t("language.en")}
        </option>
        <option value="zh" lang="zh-CN">
          {t("language.zh")}
        </option>
      </select>
    </span>
  );
}
