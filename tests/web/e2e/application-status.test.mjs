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

test("an application awaiting a document takes the upload, then waits for review", async () => {
  const { page, close } = await openPhone();
  try {
    await signIn(page, newEmail());
    await apply(page, newPhone(), ssnEnding("9003"));
    await heading(page, "We need a document");
    await checkpoint(page, "16-application-documents");
    // A PNG's signature and header are enough for the sandbox, which checks and drops the file.
    const png = Buffer.from("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489", "hex");
    await page.getByLabel("(PDF, PNG or JPEG)").setInputFiles({ name: "utility-bill.png", mimeType: "image/png", buffer: png });
    await button(page, "Upload").click();
    await heading(page, "Your application is being reviewed");
    await button(page, "Check again").waitFor();
  } finally {
    await close();
  }
});
