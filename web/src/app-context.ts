import { createContext, useContext } from "react";
import type { Api, AppConfig } from "./api.js";
import type { Session } from "./session.js";

export interface AppContextValue {
  config: AppConfig;
  api: Api;
  session: Session | undefined;
  signIn(token: string): void;
  signOut(): void;
}

export const AppContext = createContext<AppContextValue | undefined>(undefined);

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error("useApp outside <AppContext>");
  return value;
}
