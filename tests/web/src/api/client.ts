// The API client, generated from infra/openapi.yaml (schema.d.ts, `npm run generate`), plus what every call
// needs: the session JWT as bearer (refreshed first when it is about to run out), and one error type.
import createClient, { type Client, type Middleware } from "openapi-fetch";
import { expiresAtMs } from "../session/jwt";
import * as tokens from "../session/tokens";
import { ApiProblem, problemFrom } from "./problem";
import type { paths } from "./schema";

export type Api = Client<paths>;

/** Routes that carry no session JWT (they are how a session starts, or ends without one). */
const WITHOUT_SESSION = new Set(["/signup", "/signup/authenticate", "/session/refresh"]);
/** In cookie mode, the routes that set, read or clear the session cookie: sent with credentials, and marked with the
 * header the API's CSRF check asks for (a non-simple header: a cross-site page cannot send it without a preflight). */
const WITH_COOKIE = new Set(["/signup/authenticate", "/session/refresh", "/session/logout"]);
/** Refresh when the JWT has less than this left, so it cannot expire between check and use. */
const REFRESH_MARGIN_MS = 60_000;

let api: Api | null = null;

export function connect(apiUrl: string): Api {
  api = createClient<paths>({ baseUrl: apiUrl });
  api.use(sessionBearer);
  return api;
}

export function client(): Api {
  if (!api) throw new Error("connect() first");
  return api;
}

const sessionBearer: Middleware = {
  async onRequest({ request: sent, schemaPath }) {
    let request = sent;
    if (tokens.inCookie() && WITH_COOKIE.has(schemaPath)) {
      request = new Request(sent, { credentials: "include" });
      request.headers.set("X-Requested-With", "fetch");
    }
    // Card routes bring their own (Unit's customer token); logout decides itself which credential it sends.
    if (request.headers.has("Authorization") || WITHOUT_SESSION.has(schemaPath)) return request;
    if (schemaPath === "/session/logout") return request;
    const jwt = await freshJwt();
    if (jwt) request.headers.set("Authorization", `Bearer ${jwt}`);
    return request;
  },
};

type Result<T> = { data?: T; error?: unknown; response: Response };

/**
 * Sends a request and answers its body, or throws an ApiProblem (also for a network failure). A session JWT that
 * the API finds expired (a laptop that slept through the background refresh) is refreshed once and the request
 * sent again.
 */
export async function call<T>(send: () => Promise<Result<T>>): Promise<T> {
  let result = await attempt(send);
  if (result.response.status === 401 && problemCodeOf(result.error) === "session_expired" && tokens.refreshBody() !== null) {
    await refresh();
    result = await attempt(send);
  }
  if (!result.response.ok) throw problemFrom(result.error, result.response.status);
  return result.data as T;
}

async function attempt<T>(send: () => Promise<Result<T>>): Promise<Result<T>> {
  try {
    return await send();
  } catch (error) {
    if (error instanceof ApiProblem) throw error;
    throw problemFrom(undefined, 0);
  }
}

function problemCodeOf(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "code" in error ? String(error.code) : undefined;
}

/** Adopts a session (sign-in, step-up, refresh) and schedules its next refresh. */
export function adopt(session: { sessionJwt: string; sessionToken?: string }): void {
  tokens.save(session);
  scheduleRefresh(session.sessionJwt);
}

let timer: ReturnType<typeof setTimeout> | undefined;

function scheduleRefresh(jwt: string): void {
  clearTimeout(timer);
  const delay = Math.max(expiresAtMs(jwt) - Date.now() - REFRESH_MARGIN_MS, 5_000);
  timer = setTimeout(() => void refresh().catch(() => undefined), delay);
}

async function freshJwt(): Promise<string | null> {
  const jwt = tokens.sessionJwt();
  if (jwt && expiresAtMs(jwt) - Date.now() < REFRESH_MARGIN_MS) {
    await refresh();
    return tokens.sessionJwt();
  }
  return jwt;
}

let refreshing: Promise<void> | null = null;

/** A new JWT for the same session (one request at a time). A session Stytch no longer knows signs the user out. */
export function refresh(): Promise<void> {
  refreshing ??= (async () => {
    const body = tokens.refreshBody();
    if (body === null) throw problemFrom({ code: "session_not_found" }, 401);
    const refreshing = tokens.sessionJwt();
    // Not through `call`: its own retry on `session_expired` would wait for this very refresh.
    const result = await attempt(() => client().POST("/session/refresh", { body }));
    if (!result.data) {
      // Only the session this refresh was for ends: a sign-in that finished meanwhile (the cookie tried on page
      // load answers 401 before there is a session) keeps its own.
      if (result.response.status === 401 && tokens.sessionJwt() === refreshing) endSession();
      throw problemFrom(result.error, result.response.status);
    }
    adopt(result.data);
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/** Ends the session at Stytch (with the JWT while it is valid, else the session token), then forgets it. */
export async function logout(): Promise<void> {
  const jwt = tokens.sessionJwt();
  const valid = jwt !== null && expiresAtMs(jwt) - Date.now() > 5_000;
  try {
    await call(() =>
      valid
        ? client().POST("/session/logout", { headers: { Authorization: `Bearer ${jwt}` } })
        : client().POST("/session/logout", { body: tokens.logoutBody() }),
    );
  } finally {
    endSession();
  }
}

function endSession(): void {
  clearTimeout(timer);
  tokens.clear();
}
