// What a session meets besides the happy path: a JWT that expired while the page slept (the session outlives it),
// and our banking partner failing (a readable error with a retry that works once it is back).
import assert from "node:assert/strict";
import { test } from "node:test";
import { button, checkpoint, heading, newEmail, newPhone, onboard, openPhone, sandbox, signIn } from "./harness.mjs";

/** Hands the app, at sign-in, a JWT of its new session that expired 100 s ago. */
async function expiredJwtAtSignIn(page) {
  await page.route("**/signup/authenticate", async (route) => {
    const response = await route.fetch();
    const body = await response.json();
    // In cookie mode (as `make dev` runs) the session token is in the Set-Cookie header, not the body.
    const cookie = /stytch_session_token=([^;]+)/.exec(response.headers()["set-cookie"] ?? "");
    const sessionToken = body.sessionToken ?? cookie?.[1];
    const now = Math.floor(Date.now() / 1000);
    const { session_jwt } = await sandbox.sessionJwt(sessionToken, { iat: now - 400, nbf: now - 400, exp: now - 100 });
    await route.fulfill({ response, json: { ...body, sessionJwt: session_jwt } });
  });
}

test("a session outlives its JWT, and an upstream fault is shown with a retry", async () => {
  const { page, close } = await openPhone();
  try {
    // As after a laptop slept through the background refresh: the app sees the JWT expired and refreshes first.
    await expiredJwtAtSignIn(page);
    const refreshes = [];
    page.on("response", (r) => {
      if (r.url().endsWith("/session/refresh")) refreshes.push(r.status());
    });
    await signIn(page, newEmail());
    await heading(page, "Open your account");
    // (In cookie mode the page first tries the cookie on load: 401 before there is a session.)
    assert.equal(refreshes.at(-1), 200, "the session token got a new JWT");
    await page.unroute("**/signup/authenticate");

    // Unit answers 503 to every card read: the app says so in words, with a retry.
    await sandbox.unitFault({ method: "GET", path: "/cards", status: 503, count: 50 });
    try {
      await onboard(page, newPhone());
      const alert = page.getByRole("alert");
      await alert.getByText("Our banking partner is not answering right now").waitFor();
      await checkpoint(page, "12-upstream-fault");
    } finally {
      await sandbox.clearUnitFaults();
    }
    await page.getByRole("alert").getByRole("button", { name: "Try again" }).click();
    await page.getByText("You have no cards yet.").waitFor();
    await assert.rejects(page.getByRole("alert").waitFor({ timeout: 500 }), "the error is gone");
    await heading(page, "Your cards");
  } finally {
    await close();
  }
});

test("a JWT the API finds expired (the device's clock is behind) is refreshed and the request sent again", async () => {
  const { page, close } = await openPhone();
  try {
    // Ten minutes behind, the page believes the expired JWT still has minutes to run, so it sends it.
    await page.clock.install({ time: Date.now() - 10 * 60_000 });
    await expiredJwtAtSignIn(page);
    const answers = [];
    page.on("response", (r) => {
      if (/\/(me|session\/refresh)$/.test(new URL(r.url()).pathname)) answers.push(`${new URL(r.url()).pathname} ${r.status()}`);
    });
    await signIn(page, newEmail());
    await heading(page, "Open your account");
    // What follows the sign-in (in cookie mode the page first tries the cookie on load: 401 before a session).
    assert.deepEqual(answers.slice(answers.indexOf("/me 401")), ["/me 401", "/session/refresh 200", "/me 200"]);
  } finally {
    await close();
  }
});
