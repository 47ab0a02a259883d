// What a session meets besides the happy path: a JWT that expired while the page slept (the session outlives it),
// and our banking partner failing (a readable error with a retry that works once it is back).
import assert from "node:assert/strict";
import { test } from "node:test";
import { button, checkpoint, heading, newEmail, newPhone, onboard, openPhone, sandbox, signIn } from "./harness.mjs";

test("a session outlives its JWT, and an upstream fault is shown with a retry", async () => {
  const { page, close } = await openPhone();
  try {
    // The app receives a JWT that has already expired, as after a laptop slept through the background refresh.
    await page.route("**/signup/authenticate", async (route) => {
      const response = await route.fetch();
      const body = await response.json();
      const now = Math.floor(Date.now() / 1000);
      const { session_jwt } = await sandbox.sessionJwt(body.sessionToken, { iat: now - 400, nbf: now - 400, exp: now - 100 });
      await route.fulfill({ response, json: { ...body, sessionJwt: session_jwt } });
    });
    const refreshed = page.waitForResponse((r) => r.url().endsWith("/session/refresh"));
    await signIn(page, newEmail());
    assert.equal((await refreshed).status(), 200, "the session token got a new JWT");
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
