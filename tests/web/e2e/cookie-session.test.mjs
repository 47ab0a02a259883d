// Cookie mode, as `make dev` runs the app: the session token lives only in the API's HttpOnly cookie. Script never
// sees it (no body carries it, document.cookie is empty), a reload signs the user back in through the cookie, and
// logout clears it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { button, env, heading, newEmail, openPhone, signIn } from "./harness.mjs";

const sessionCookies = async (page) =>
  (await page.context().cookies(`${env("API_URL")}/session/refresh`)).filter((cookie) => cookie.name === "stytch_session_token");

test("the session token stays in an HttpOnly cookie; a reload keeps the user signed in; logout clears it", async () => {
  const { page, close } = await openPhone();
  try {
    const bodies = [];
    page.on("response", async (response) => {
      if (response.url().startsWith(env("API_URL"))) bodies.push(await response.text().catch(() => ""));
    });
    await signIn(page, newEmail());
    await heading(page, "Open your account");

    const [cookie] = await sessionCookies(page);
    assert.ok(cookie, "the sign-in set the session cookie");
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.secure, true);
    assert.equal(cookie.sameSite, "Strict");
    assert.equal(cookie.path, "/session");
    assert.equal(await page.evaluate(() => document.cookie), "", "script cannot read it");
    assert.ok(!bodies.some((body) => body.includes(cookie.value)), "no answer carried the session token");
    assert.ok(!bodies.some((body) => body.includes('"sessionToken"')), "no answer named a sessionToken");

    // The JWT lived in memory and is gone; the cookie brings the session back.
    await page.reload();
    await heading(page, "Open your account");

    const loggedOut = page.waitForResponse((r) => r.url().endsWith("/session/logout"));
    await button(page, "Log out").click();
    assert.equal((await loggedOut).status(), 204);
    await heading(page, "Sign in");
    assert.deepEqual(await sessionCookies(page), [], "logout cleared the cookie");
    await page.reload();
    await heading(page, "Sign in");
  } finally {
    await close();
  }
});
