// The other way to apply: Unit's hosted application form, opened in a new tab; the applicant fills it in there
// (the sandbox's submit control at the form's URL stands in for Unit's page, which the sandbox does not serve),
// then the app, still signed in in its own tab, shows the application it created.
import assert from "node:assert/strict";
import { test } from "node:test";
import { approvedSsn, button, checkpoint, heading, newEmail, newPhone, openPhone, signIn } from "./harness.mjs";

test("onboarding through Unit's hosted application form", async () => {
  const { page, close } = await openPhone();
  try {
    await signIn(page, newEmail());
    await heading(page, "Open your account");
    const opened = page.context().waitForEvent("page");
    await button(page, "Apply on Unit's form").click();
    const tab = await opened;
    await tab.waitForURL(/\/application-forms\/[^/]+$/);
    const formUrl = tab.url();
    await tab.close();

    const attributes = {
      fullName: { first: "Grace", last: "Hopper" },
      phone: { countryCode: "1", number: newPhone() },
      dateOfBirth: "1990-12-09",
      address: { street: "2 Main St", city: "Springfield", state: "IL", postalCode: "62701", country: "US" },
      ssn: approvedSsn(),
    };
    const submitted = await fetch(`${formUrl}/submit`, {
      method: "POST",
      headers: { "content-type": "application/vnd.api+json" },
      body: JSON.stringify({ data: { type: "individualApplication", attributes } }),
    });
    assert.equal(submitted.status, 201, "the applicant submitted the form");

    await button(page, "I sent it: check my application").click();
    await heading(page, "Your account is open");
    await checkpoint(page, "13-hosted-form-approved");
  } finally {
    await close();
  }
});
