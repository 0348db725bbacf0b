import { Link } from "react-router";
import { useI18n } from "../i18n/i18n";

/** Any address the app does not know. */
export function NotFoundPage(props: { message?: string }) {
  const { t } = useI18n();
  return (
    <section className="page">
      <h1>{props.message ?? t("app.notFound")}</h1>
      <Link to="/">{t("app.goHome")}</Link>
    </section>
  );
}
