import { useI18n } from "../../i18n/i18n";
import type { ChatMode } from "../../lib/api-types";

/** Chat / documents-only switch, a radio group so arrow keys move between the two. */
export function ModeSwitch(props: { mode: ChatMode; onChange: (mode: ChatMode) => void }) {
  const { t } = useI18n();
  const options: { value: ChatMode; label: string; hint: string }[] = [
    { value: "chat", label: t("chat.modeChat"), hint: t("chat.modeChatHint") },
    { value: "query", label: t("chat.modeQuery"), hint: t("chat.modeQueryHint") },
  ];
  return (
    <fieldset className="mode-switch">
      <legend className="visually-hidden">{t("chat.mode")}</legend>
      {options.map((option) => (
        <label
          key={option.value}
          title={option.hint}
          className={props.mode === option.value ? "selected" : ""}
        >
          <input
            type="radio"
            name="chat-mode"
            value={option.value}
            checked={props.mode === option.value}
            onChange={() => props.onChange(option.value)}
          />
          {option.label}
        </label>
      ))}
    </fieldset>
  );
}
