// The whole journey by clicks, as a person does it with `make dev`: sign in, apply, a card action that asks for
// step-up (SMS to the phone on the application) and then goes through, freeze and unfreeze, authenticator-app
// enrolment from the QR code's secret, logout, and a second sign-in whose card action steps up with that app.
import assert from "node:assert/strict";
import { test } from "node:test";
import { button, checkpoint, heading, newEmail, newPhone, onboard, openPhone, signIn, smsCode, totpCode } from "./harness.mjs";

test("the whole journey, by clicks", async () => {
  const { page, close } = await openPhone();
  try {
    const email = newEmail();
    const phone = newPhone();
    await signIn(page, email, true);
    await onboard(page, phone, true);
    // Signed in, and nothing of it outside the page's memory; the magic-link token is out of the address bar.
    const stored = await page.evaluate(() => [localStorage.length, sessionStorage.length, document.cookie]);
    assert.deepEqual(stored, [0, 0, ""], "nothing in localStorage, sessionStorage or cookies");
    assert.ok(!page.url().includes("token="), `the address bar keeps the token: ${page.url()}`);
    await page.getByText("You have no cards yet.").waitFor();
    await checkpoint(page, "05-cards-empty");

    // A new card needs cards-write: one factor is not enough, so step-up comes first, then the card.
    await button(page, "New virtual card").click();
    await heading(page, "Confirm it's you");
    await checkpoint(page, "06-step-up");
    await button(page, "Text a code to").click();
    await page.getByLabel("Code we texted to").fill(await smsCode(page, phone));
    await button(page, "Confirm").click();
    await heading(page, "Your cards");
    await page.getByRole("status").getByText(/Your new virtual card ending \d{4} is Active/).waitFor();
    const focused = await page.evaluate(() => document.activeElement?.textContent);
    assert.equal(focused, "Your cards", "after step-up the focus is back on the screen's heading");
    const card = page.getByRole("listitem").filter({ hasText: "Virtual card" });
    await checkpoint(page, "07-card-created");

    await card.getByRole("button", { name: "Freeze" }).click();
    await card.getByText("Frozen").waitFor();
    await checkpoint(page, "08-card-frozen");
    await card.getByRole("button", { name: "Unfreeze" }).click();
    await card.locator('[data-card-status="Active"]').waitFor();

    // The authenticator app: the QR code and recovery codes shown once; the app's first code turns it on.
    await button(page, "Account").click();
    await heading(page, "Account");
    await button(page, "Set up an authenticator app").click();
    await heading(page, "Set up an authenticator app");
    await page.getByRole("img", { name: /QR code/ }).waitFor();
    const secret = (await page.getByTestId("totp-secret").textContent()).trim();
    assert.equal((await page.locator(".codes li").count()), 10, "ten recovery codes are shown");
    await checkpoint(page, "09-totp-enrolment");
    await page.getByLabel("Code shown by your app").fill(totpCode(secret));
    await button(page, "Turn on").click();
    await heading(page, "Account");
    await page.getByText("Set up", { exact: true }).waitFor();
    await checkpoint(page, "10-account");

    // Logout ends the session at Stytch (204), not only in the page.
    const loggedOut = page.waitForResponse((r) => r.url().endsWith("/session/logout"));
    await button(page, "Log out").click();
    assert.equal((await loggedOut).status(), 204);
    await heading(page, "Sign in");
    await page.getByText("You are signed out.").waitFor();

    // Signed in again (one factor): reporting the card lost asks for step-up, now also by authenticator app.
    await signIn(page, email);
    await heading(page, "Your cards");
    await card.getByRole("button", { name: "Report lost" }).click();
    await heading(page, "Confirm it's you");
    // The next window's code: the current one was spent turning the app on, and Stytch takes each code once.
    await page.getByLabel("Code from your authenticator app").fill(totpCode(secret, 1));
    await button(page, "Confirm").click();
    await heading(page, "Your cards");
    await card.getByText("Reported lost").waitFor();
    await checkpoint(page, "11-card-lost");
  } finally {
    await close();
  }
});
