import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `vite build --mode sandbox` (what `make dev` and the browser suite serve) adds the dev-only sandbox inbox;
// a plain `vite build` leaves it out entirely (.env.sandbox sets VITE_SANDBOX_INBOX).
// When serving, SANDBOX_STYTCH_URL sends /__sandbox/* to the sandbox, so the inbox reads the outbox
// from the app's own origin (the sandbox answers no CORS).
const sandbox = process.env.SANDBOX_STYTCH_URL;
const proxy = sandbox ? { "/__sandbox": { target: sandbox, changeOrigin: true } } : undefined;

export default defineConfig({
  plugins: [react()],
  build: { sourcemap: false },
  preview: { host: "127.0.0.1", proxy },
  server: { host: "127.0.0.1", proxy },
});
