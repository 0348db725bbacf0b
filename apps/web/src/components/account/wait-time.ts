import type { Translate } from "../../i18n/i18n";

/** "45 seconds" or, from a minute on, whole minutes rounded up: how long a throttled user waits. */
export function formatWait(seconds: number, t: Translate): string {
  if (seconds < 60) return t("auth.waitSeconds", { count: Math.max(1, Math.ceil(seconds)) });
  return t("auth.waitMinutes", { count: Math.ceil(seconds / 60) });
}
