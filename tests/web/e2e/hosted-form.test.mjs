// The other way to apply: Unit's hosted application form, opened in a new tab; the applicant fills it in there
// (the sandbox's page at the form's URL stands in for Unit's), Unit sends that tab back to the app, and the app,
// still signed in in its own tab, shows the application it created.
import assert from "node:assert/strict";
import { test } from "node:test";
import { approvedSsn, button, checkpoint, heading, newEmail, newPhone, openPhone, signIn } from "./harness.mjs";

test("onboarding through Unit's hosted application form", async () => {
  const { page, close } = await openPhone();
  try {
    const email = newEmail();
    await signIn(page, email);
    await heading(page, "Open your account");
    const opened = page.context().waitForEvent("page");
    await button(page, "Apply on Unit's form").click();
    const tab = await opened;
    await tab.waitForURL(/\/application-forms\/[^/]+$/);

    // The applicant fills in the form's page (the sandbox's stand-in for Unit's), prefilled with the sign-in email.
    assert.equal(await tab.getByLabel("Email").inputValue(), email, "the form is prefilled with the user's email");
    const typed = {
      "First name": "Grace",
      "Last name": "Hopper",
      "Phone country code": "1",
      "Phone number": newPhone(),
      "Date of birth": "1990-12-09",
      "SSN (9 digits)": approvedSsn(),
      Street: "2 Main St",
      City: "Springfield",
      State: "IL",
      "Postal code": "62701",
      Country: "US",
    };
    for (const [label, value] of Object.entries(typed)) await tab.getByLabel(label, { exact: true }).fill(value);
    await tab.getByRole("button", { name: "Submit application" }).click();

    // Unit sends the form's tab back to the app (APPLICATION_FORM_REDIRECT_URL), which says what to do next.
    await tab.waitForURL((url) => url.searchParams.get("step") === "application-form");
    await heading(tab, "Application sent");
    await tab.close();

    await button(page, "I sent it: check my application").click();
    await heading(page, "Your account is open");
    await checkpoint(page, "13-hosted-form-approved");
  } finally {
    await close();
  }
});
