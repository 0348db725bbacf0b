import { StrictMode } from "react";
import { BrowserRouter, Outlet, Route, Routes } from "react-router";
import { NoticesProvider } from "./hooks/use-notices";
import { RequireSession, SessionProvider } from "./hooks/use-session";
import { WorkspacesProvider } from "./hooks/use-workspaces";
import { I18nProvider, useI18n } from "./i18n/i18n";
import type { ApiClient } from "./lib/api-client";
import { ApiProvider } from "./lib/api-context";
import { ChatPage } from "./routes/chat-page";
import { DocumentsPage } from "./routes/documents-page";
import { HomeRedirect } from "./routes/home-redirect";
import { NotFoundPage } from "./routes/not-found-page";
import { OnboardingPage } from "./routes/onboarding-page";
import { RootLayout } from "./routes/root-layout";
import { SettingsPage } from "./routes/settings-page";
import { WorkspaceLayout } from "./routes/workspace-layout";

function Guarded() {
  const { t } = useI18n();
  return (
    <RequireSession loading={<p className="page muted">{t("app.loading")}</p>}>
      <WorkspacesProvider>
        <Outlet />
      </WorkspacesProvider>
    </RequireSession>
  );
}

/**
 * The route table. Everything behind the session guard; the auth work adds `/login` (and an admin step to
 * onboarding) beside it.
 */
export function AppRoutes() {
  return (
    <Routes>
      <Route element={<Guarded />}>
        <Route element={<RootLayout />}>
          <Route index element={<HomeRedirect />} />
          <Route path="welcome" element={<OnboardingPage />} />
          <Route path="workspaces/:slug" element={<WorkspaceLayout />}>
            <Route index element={<ChatPage />} />
            <Route path="threads/:threadId" element={<ChatPage />} />
            <Route path="documents" element={<DocumentsPage />} />
          </Route>
          <Route path="settings" element={<SettingsPage />} />
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
