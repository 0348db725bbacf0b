import { createContext, type ReactNode, useContext } from "react";
import { Navigate, useLocation } from "react-router";

/**
 * Who is using the app. Until accounts exist (the auth issue) everyone is signed in as nobody in particular;
 * the auth work replaces {@link SessionProvider}'s value with one read from the server.
 */
export interface Session {
  status: "loading" | "signed-in" | "signed-out";
  /** The signed-in user; null while the server has no accounts. */
  user: { name: string; role: "admin" | "member" } | null;
}

const alwaysSignedIn: Session = { status: "signed-in", user: null };

const SessionContext = createContext<Session>(alwaysSignedIn);

/** Provides the session; `session` lets tests and the future auth code supply one. */
export function SessionProvider(props: { children: ReactNode; session?: Session }) {
  return (
    <SessionContext.Provider value={props.session ?? alwaysSignedIn}>
      {props.children}
    </SessionContext.Provider>
  );
}

/** The current session. */
export function useSession(): Session {
  return useContext(SessionContext);
}

/** Route guard: renders its children for a signed-in session, else sends the user to the login page. */
export function RequireSession(props: { children: ReactNode; loading: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  if (session.status === "loading") return <>{props.loading}</>;
  if (session.status === "signed-out") {
    return <Navigate to="/login" replace state={{ from: location.pathname }} />;
  }
  return <>{props.children}</>;
}
