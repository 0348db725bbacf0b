import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { Navigate, useLocation } from "react-router";
import { useApi } from "../lib/api-context";
import { type ApiError, toApiError } from "../lib/api-error";
import type { Credentials, User } from "../lib/api-types";

/**
 * Who is using the app, read from `GET /api/auth/status`:
 * `needs-setup` on an install without accounts (the first visitor creates the admin),
 * `unavailable` when the status could not be read (the server is down).
 */
export type SessionStatus = "loading" | "needs-setup" | "signed-out" | "signed-in" | "unavailable";

/** The session and what can be done with it. */
export interface Session {
  status: SessionStatus;
  /** The signed-in user, else null. */
  user: User | null;
  /** Why the status could not be read, when `status` is `unavailable`. */
  error: ApiError | null;
  /** True once the first admin was created in this visit: onboarding then shows its second step. */
  setupDone: boolean;
  /** True when the server ended the session (a 401 while signed in), so the login page can say so. */
  ended: boolean;
  /** True after the user signed out here: the next login starts afresh rather than at the last page. */
  loggedOut: boolean;
  /** Creates the first admin and signs them in; throws the server's error. */
  setup: (credentials: Credentials) => Promise<User>;
  /** Signs in; throws the server's error (wrong password, too many attempts). */
  login: (credentials: Credentials) => Promise<User>;
  /** Signs out on the server, then here. */
  logout: () => Promise<void>;
  /** Reads the status again. */
  refresh: () => Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

interface SessionState {
  status: SessionStatus;
  user: User | null;
  error: ApiError | null;
  setupDone: boolean;
  ended: boolean;
  loggedOut: boolean;
}

/**
 * Reads the session from the server once, and signs the user out here whenever the server answers 401 to a
 * request that needed a session (it expired, or an admin reset the password), so the guard sends them to login.
 */
export function SessionProvider(props: { children: ReactNode }) {
  const api = useApi();
  const [state, setState] = useState<SessionState>({
    status: "loading",
    user: null,
    error: null,
    setupDone: false,
    ended: false,
    loggedOut: false,
  });

  const refresh = useCallback(async () => {
    try {
      const status = await api.authStatus();
      setState((current) => ({
        ...current,
        status: status.needsSetup ? "needs-setup" : status.user ? "signed-in" : "signed-out",
        user: status.user,
        error: null,
      }));
    } catch (error) {
      setState((current) => ({ ...current, status: "unavailable", user: null, error: toApiError(error) }));
    }
  }, [api]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  useEffect(
    () =>
      api.onUnauthorized(() =>
        setState((current) =>
          current.status === "signed-in"
            ? { ...current, status: "signed-out", user: null, ended: true }
            : current,
        ),
      ),
    [api],
  );

  const setup = useCallback(
    async (credentials: Credentials) => {
      const user = await api.setup(credentials);
      setState({ status: "signed-in", user, error: null, setupDone: true, ended: false, loggedOut: false });
      return user;
    },
    [api],
  );

  const login = useCallback(
    async (credentials: Credentials) => {
      const user = await api.login(credentials);
      setState((current) => ({
        ...current,
        status: "signed-in",
        user,
        error: null,
        ended: false,
        loggedOut: false,
      }));
      return user;
    },
    [api],
  );

  const logout = useCallback(async () => {
    await api.logout();
    setState((current) => ({
      ...current,
      status: "signed-out",
      user: null,
      setupDone: false,
      loggedOut: true,
    }));
  }, [api]);

  const value = useMemo<Session>(
    () => ({ ...state, setup, login, logout, refresh }),
    [state, setup, login, logout, refresh],
  );
  return <SessionContext.Provider value={value}>{props.children}</SessionContext.Provider>;
}

/** The current session. */
export function useSession(): Session {
  const value = useContext(SessionContext);
  if (!value) throw new Error("useSession must be used inside <SessionProvider>");
  return value;
}

/** Where the login page returns to: the page asked for, when it is one of ours (never another site). */
export function returnPath(state: unknown): string {
  const from = typeof state === "object" && state !== null ? (state as { from?: unknown }).from : undefined;
  if (typeof from !== "string" || !from.startsWith("/") || from.startsWith("//")) return "/";
  if (from === "/login" || from.startsWith("/login?")) return "/";
  return from;
}

/** The address of the first-run page, where the first admin is created. */
export const welcomePath = "/welcome";

/**
 * Route guard. Signed in: its children. No accounts yet: the first-run page (`setup`, shown at /welcome;
 * any other address leads there). Signed out: the login page, which returns to the page asked for.
 */
export function RequireSession(props: {
  children: ReactNode;
  loading: ReactNode;
  /** Shown at /welcome while the first admin has yet to be created. */
  setup: ReactNode;
  /** Shown when the session could not be read. */
  unavailable: ReactNode;
}) {
  const session = useSession();
  const location = useLocation();
  switch (session.status) {
    case "loading":
      return props.loading;
    case "unavailable":
      return props.unavailable;
    case "needs-setup":
      return location.pathname === welcomePath ? props.setup : <Navigate to={welcomePath} replace />;
    case "signed-out":
      return (
        <Navigate
          to="/login"
          replace
          state={
            session.loggedOut ? undefined : { from: `${location.pathname}${location.search}${location.hash}` }
          }
        />
      );
    case "signed-in":
      return props.children;
  }
}
