import { lazy, StrictMode, Suspense } from "react";
import { BrowserRouter, Outlet, Route, Routes } from "react-router";
import { NoticesProvider } from "./hooks/use-notices";
import { RequireSession, SessionProvider, useSession } from "./hooks/use-session";
import { WorkspacesProvider } from "./hooks/use-workspaces";
import { I18nProvider, useI18n } from "./i18n/i18n";
import type { ApiClient } from "./lib/api-client";
import { ApiProvider } from "./lib/api-context";
import { ApiKeysPage } from "./routes/api-keys-page";
import { AuditPage } from "./routes/audit-page";
import { ChatPage } from "./routes/chat-page";
import { HomeRedirect } from "./routes/home-redirect";
import { IntegrationsPage } from "./routes/integrations-page";
import { LoginPage } from "./routes/login-page";
import { NotFoundPage } from "./routes/not-found-page";
import { OnboardingPage } from "./routes/onboarding-page";
import { DocumentsOrPassage } from "./routes/passage-link";
import { PublicLayout } from "./routes/public-layout";
import { RootLayout } from "./routes/root-layout";
import { SettingsLayout } from "./routes/settings-layout";
import { SettingsPage } from "./routes/settings-page";
import { SetupPage } from "./routes/setup-page";
import { UsersPage } from "./routes/users-page";
import { WorkspaceLayout } from "./routes/workspace-layout";

// The viewer is opened from a citation, not with the app: it loads on its own (and pdf.js or markmap with it).
const DocumentViewerPage = lazy(() =>
  import("./routes/document-viewer-page").then((module) => ({ default: module.DocumentViewerPage })),
);

function ViewerRoute() {
  const { t } = useI18n();
  return (
    <Suspense fallback={<p className="page muted">{t("app.loading")}</p>}>
      <DocumentViewerPage />
    </Suspense>
  );
}

function SessionUnavailable() {
  const { t } = useI18n();
  const session = useSession();
  return (
    <PublicLayout>
      <section className="page">
        <p role="alert">{t("auth.unavailable", { message: session.error?.message ?? "" })}</p>
        <button type="button" className="button" onClick={() => void session.refresh()}>
          {t("auth.retry")}
        </button>
      </section>
    </PublicLayout>
  );
}

function Guarded() {
  const { t } = useI18n();
  return (
    <RequireSession
      loading={<p className="page muted">{t("app.loading")}</p>}
      setup={<SetupPage />}
      unavailable={<SessionUnavailable />}
    >
      <WorkspacesProvider>
        <Outlet />
      </WorkspacesProvider>
    </RequireSession>
  );
}

/**
 * The route table: `/login` open to all, everything else behind the session guard (which shows the
 * first-run admin form at /welcome on an install without accounts).
 */
export function AppRoutes() {
  return (
    <Routes>
      <Route path="login" element={<LoginPage />} />
      <Route element={<Guarded />}>
        <Route element={<RootLayout />}>
          <Route index element={<HomeRedirect />} />
          <Route path="welcome" element={<OnboardingPage />} />
          <Route path="workspaces/:slug" element={<WorkspaceLayout />}>
            <Route index element={<ChatPage />} />
            <Route path="threads/:threadId" element={<ChatPage />} />
            <Route path="documents" element={<DocumentsOrPassage />} />
            <Route path="documents/:documentId/view" element={<ViewerRoute />} />
          </Route>
          <Route path="settings" element={<SettingsLayout />}>
            <Route index element={<SettingsPage />} />
            <Route path="api-keys" element={<ApiKeysPage />} />
            <Route path="users" element={<UsersPage />} />
            <Route path="audit" element={<AuditPage />} />
            <Route path="integrations" element={<IntegrationsPage />} />
          </Route>
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Route>
    </Routes>
  );
}

/** Providers shared by the app and by tests (which wrap them in a MemoryRouter). */
export function AppProviders(props: { client: ApiClient; children: React.ReactNode }) {
  return (
    <I18nProvider>
      <ApiProvider client={props.client}>
        <SessionProvider>
          <NoticesProvider>{props.children}</NoticesProvider>
        </SessionProvider>
      </ApiProvider>
    </I18nProvider>
  );
}

/** The whole web client. */
export function App(props: { client: ApiClient }) {
  return (
    <StrictMode>
      <AppProviders client={props.client}>
        <BrowserRouter>
          <AppRoutes />
        </BrowserRouter>
      </AppProviders>
    </StrictMode>
  );
}
