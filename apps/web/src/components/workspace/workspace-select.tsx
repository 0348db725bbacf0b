import { useId } from "react";
import { useI18n } from "../../i18n/i18n";

/** Props of {@link WorkspaceSelect}. */
export interface WorkspaceSelectProps {
  /** The workspaces to choose from (none while they load). */
  workspaces: readonly { slug: string; name: string }[] | null | undefined;
  /** The slug of the workspace chosen. */
  value: string;
  /** Called with the slug of the workspace picked. */
  onChange: (slug: string) => void;
}

/** The labelled "choose a workspace" select of the settings pages; the caller places it in its layout. */
export function WorkspaceSelect({ workspaces, value, onChange }: WorkspaceSelectProps) {
  const { t } = useI18n();
  const id = useId();
  return (
    <>
      <label htmlFor={id}>{t("settings.chooseWorkspace")}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)}>
        {workspaces?.map((item) => (
          <option key={item.slug} value={item.slug}>
            {item.name}
          </option>
        ))}
      </select>
    </>
  );
}
