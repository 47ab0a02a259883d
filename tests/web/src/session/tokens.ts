// Where the Stytch session lives in the browser: in this module's variables, nowhere else.
//
// - The session JWT (5 minutes) is a bearer credential: memory only, so no other script, tab or later visitor
//   of this profile can read it from storage, and a reload simply refreshes nothing: the user signs in again.
// - The session token (long-lived, refreshes the JWT) is the more valuable one: memory only as well.
//   The API's opt-in cookie mode (an HttpOnly cookie on POST /session/refresh and /session/logout) would keep it
//   out of JavaScript altogether; switching to it changes only `refreshBody` and `logoutBody` below.
// Nothing goes to localStorage, sessionStorage or a script-readable cookie.

export type Session = { sessionJwt: string; sessionToken: string };

let current: Session | null = null;
const listeners = new Set<(signedIn: boolean) => void>();

export function save(update: { sessionJwt: string; sessionToken?: string }): void {
  const sessionToken = update.sessionToken ?? current?.sessionToken;
  if (!sessionToken) throw new Error("a session JWT without its session token");
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

/** The body of POST /session/refresh. */
export function refreshBody(): { sessionToken: string } | null {
  return current ? { sessionToken: current.sessionToken } : null;
}

/** The body of POST /session/logout once the JWT has expired (the API takes the bearer or this, never both). */
export function logoutBody(): { sessionToken: string } | undefined {
  return current ? { sessionToken: current.sessionToken } : undefined;
}

/** Called with `true` on sign-in and `false` when the session ends (logout, or refresh refused). */
export function onChange(listener: (signedIn: boolean) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
