// Where the Stytch session lives in the browser.
//
// - The session JWT (5 minutes) is a bearer credential: in this module's memory only, so no other script, tab or
//   later visitor of this profile can read it from storage.
// - The session token (long-lived, refreshes the JWT) is the more valuable one. With the API's cookie mode
//   (`SESSION_COOKIE=true`, which `make dev` turns on for this app; /config.json says so) it never reaches
//   JavaScript: it travels only in an HttpOnly cookie scoped to /session, and a reload signs the user back in
//   with it. Without cookie mode (an API deployed for mobile apps) it is kept in memory here, and a reload means
//   signing in again.
// Nothing goes to localStorage, sessionStorage or a script-readable cookie.

let cookieMode = false;
let current: { sessionJwt: string; sessionToken?: string } | null = null;
const listeners = new Set<(signedIn: boolean) => void>();

/** Whether the session token lives in the API's HttpOnly cookie (from /config.json). */
export function useCookie(enabled: boolean): void {
  cookieMode = enabled;
}

export function inCookie(): boolean {
  return cookieMode;
}

export function save(update: { sessionJwt: string; sessionToken?: string }): void {
  const sessionToken = cookieMode ? undefined : (update.sessionToken ?? current?.sessionToken);
  if (!cookieMode && !sessionToken) throw new Error("a session JWT without its session token");
  const wasSignedIn = current !== null;
  current = { sessionJwt: update.sessionJwt, sessionToken };
  if (!wasSignedIn) listeners.forEach((listener) => listener(true));
}

export function clear(): void {
  const wasSignedIn = current !== null;
  current = null;
  if (wasSignedIn) listeners.forEach((listener) => listener(false));
}

export function sessionJwt(): string | null {
  return current?.sessionJwt ?? null;
}

/** The body of POST /session/refresh: none in cookie mode (the cookie is the credential), null when signed out. */
export function refreshBody(): { sessionToken: string } | undefined | null {
  if (cookieMode) return undefined;
  return current?.sessionToken ? { sessionToken: current.sessionToken } : null;
}

/** The body of POST /session/logout once the JWT has expired (the API takes the bearer or this, never both). */
export function logoutBody(): { sessionToken: string } | undefined {
  return !cookieMode && current?.sessionToken ? { sessionToken: current.sessionToken } : undefined;
}

/** Called with `true` on sign-in and `false` when the session ends (logout, or refresh refused). */
export function onChange(listener: (signedIn: boolean) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
