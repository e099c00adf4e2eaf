import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { loadConfig } from "./api.js";
import { App } from "./App.js";
import "./styles.css";

const root = createRoot(document.getElementById("root")!);
loadConfig().then(
  (config) =>
    root.render(
      <StrictMode>
        <App config={config} />
      </StrictMode>,
    ),
  () => root.render(<p role="alert">The app could not load its configuration. Please reload the page.</p>),
);
