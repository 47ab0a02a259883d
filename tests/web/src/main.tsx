import { createRoot } from "react-dom/client";
import { App } from "./App";
import { connect } from "./api/client";
import { useCookie } from "./session/tokens";
import { loadConfig } from "./config";
import "./styles.css";

const root = createRoot(document.getElementById("root")!);
loadConfig()
  .then((config) => {
    useCookie(config.sessionCookie);
    connect(config.apiUrl);
    root.render(<App />);
  })
  .catch((error: Error) => {
    root.render(<p role="alert">This app is not configured: {error.message}</p>);
  });
