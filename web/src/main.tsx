import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { loadConfig } from "./api.js";
import { App } from "./App.js";
import { completeSignIn } from "./oidc.js";
import { saveSession, sessionOf, setRoleMapping } from "./session.js";
import "./styles.css";

const root = createRoot(document.getElementById("root")!);
async function start(): Promise<void> {
  const config = await loadConfig();
  setRoleMapping(config.oidc);
  // Back from the OpenID Connect provider: keep its token as the session before the app renders.
  const token = config.oidc ? await completeSignIn(config.oidc).catch(() => undefined) : undefined;
  try {
    if (token) saveSession(sessionOf(token));
  } catch {
    // A token without sub, role or exp cannot call the services: stay signed out.
  }
  root.render(
    <StrictMode>
      <App config={config} />
    </StrictMode>,
  );
}

start().catch(() => root.render(<p role="alert">The app could not start. Please reload the page.</p>));
