// Each application status a person can be left waiting on is explained, with the one next step that fits it
// (the sandbox decides by the SSN's ending: tests/sandbox/UNIT.md).
import { randomInt } from "node:crypto";
import { test } from "node:test";
import { apply, button, checkpoint, heading, newEmail, newPhone, openPhone, signIn } from "./harness.mjs";

const ssnEnding = (ending) => `${String(randomInt(1e5)).padStart(5, "0")}${ending}`;

for (const { ending, title, next, shot } of [
  { ending: "9001", title: "We are checking your details", next: "Check again", shot: "14-application-pending" },
  { ending: "9000", title: "We could not open an account", next: "Apply again", shot: "15-application-denied" },
]) {
  test(`an application decided ${ending} is explained: ${title}`, async () => {
    const { page, close } = await openPhone();
    try {
      await signIn(page, newEmail());
      await apply(page, newPhone(), ssnEnding(ending));
      await heading(page, title);
      await button(page, next).waitFor();
      await checkpoint(page, shot);
    } finally {
      await close();
    }
  });
}
