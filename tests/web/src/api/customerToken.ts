// The Unit customer token the card routes take (POST /token). Memory only, like the session, and forgotten
// with it. Reading needs `cards` (and `accounts`); any change needs `cards-write`, which Stytch step-up guards:
// asking for it may answer `step_up_required`, which the screens turn into the step-up dance.
import { client, call } from "./client";
import { ApiProblem } from "./problem";
import type { components } from "./schema";
import * as tokens from "../session/tokens";

type Scope = components["schemas"]["Scope"];

const READ: Scope[] = ["accounts", "cards"];
const WRITE: Scope[] = [...READ, "cards-write"];
/** Two-factor scopes are capped at SENSITIVE_TOKEN_MAX_SECONDS (900 by default); ask for no more. */
const LIFETIME_SECONDS = 900;

let cached: { token: string; scopes: Set<string>; expiresAt: number } | null = null;
tokens.onChange(() => {
  cached = null;
});

async function customerToken(write: boolean): Promise<string> {
  const scopes = write ? WRITE : READ;
  if (cached && cached.expiresAt > Date.now() + 30_000 && scopes.every((scope) => cached?.scopes.has(scope))) {
    return cached.token;
  }
  const granted = await call(() => client().POST("/token", { body: { scopes, expiresIn: LIFETIME_SECONDS } }));
  cached = { token: granted.token, scopes: new Set(granted.scopes), expiresAt: Date.now() + granted.expiresIn * 1000 };
  return granted.token;
}

/** Calls a card route with a customer token; a token Unit refuses (expired, revoked) is replaced once. */
export async function withCustomerToken<T>(
  write: boolean,
  send: (headers: { Authorization: string }) => Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const once = async () => call(async () => send({ Authorization: `Bearer ${await customerToken(write)}` }));
  try {
    return await once();
  } catch (problem) {
    if (!(problem instanceof ApiProblem) || problem.code !== "invalid_unit_token") throw problem;
    cached = null;
    return once();
  }
}
