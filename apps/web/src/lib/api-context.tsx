import { createContext, type ReactNode, useContext } from "react";
import type { ApiClient } from "./api-client";

const ApiContext = createContext<ApiClient | null>(null);

/** Makes the API client available to hooks and components; tests pass one with a fake fetch. */
export function ApiProvider(props: { client: ApiClient; children: ReactNode }) {
  return <ApiContext.Provider value={props.client}>{props.children}</ApiContext.Provider>;
}

/** The API client of the nearest {@link ApiProvider}. */
export function useApi(): ApiClient {
  const client = useContext(ApiContext);
  if (!client) throw new Error("useApi must be used inside <ApiProvider>");
  return client;
}
