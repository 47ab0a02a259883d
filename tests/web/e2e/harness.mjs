// What the browser tests share: Debian's Chromium driven by playwright-core, the stack's URLs (set by
// tests/dev/local_stack.py --web), screenshots, axe-core, the sandbox's controls, and the person's side of each step.
import assert from "node:assert/strict";
import { randomInt } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { TOTP } from "otpauth";
import { chromium } from "playwright-core";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const SCREENSHOTS = process.env.SCREENSHOT_DIR ?? path.join(ROOT, "target", "web");
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

export function env(name) {
  const value = process.env[name];
  assert.ok(value, `${name} is not set: run through \`make test-web\` (tests/dev/local_stack.py --web)`);
  return value.replace(/\/$/, "");
}

/** CHROMIUM_PATH, else the usual places of a distribution's Chromium or Chrome. */
export function chromiumPath() {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];
  const found = candidates.find((candidate) => candidate && existsSync(candidate));
  assert.ok(found, "no Chromium found: install the `chromium` package, or set CHROMIUM_PATH to a Chromium or Chrome");
  return found;
}

/** A phone-sized page in a fresh browser; `close()` ends both. */
export async function openPhone() {
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  return { page, close: () => browser.close() };
}

/** A screenshot in target/web/, then an axe-core check: no serious or critical violation on this screen. */
export async function checkpoint(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: AXE });
  const results = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21aa", "best-practice"] } }),
  );
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(
    serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`),
    [],
    `accessibility violations on ${name}`,
  );
}

// ------------------------------------------------------------------ values a person types

const unique = () => `${Date.now().toString(36)}${randomInt(1e6).toString(36)}`;

export const newEmail = () => `web-${unique()}@example.com`;

/** A US mobile number no other test uses (10 digits, as typed into the form). */
export const newPhone = () => `555${String(randomInt(1e7)).padStart(7, "0")}`;

/** An SSN the sandbox approves at once (tests/sandbox/UNIT.md: endings 9000-9003 and 00000000x decide otherwise). */
export const approvedSsn = () => `${randomInt(100, 899)}${String(randomInt(1e6)).padStart(6, "0")}`;

/** What an authenticator app shows for `secret` (RFC 6238, SHA-1, 6 digits, 30 s), `stepsAhead` windows on. */
export function totpCode(secret, stepsAhead = 0) {
  return new TOTP({ secret, algorithm: "SHA1", digits: 6, period: 30 }).generate({
    timestamp: Date.now() + stepsAhead * 30_000,
  });
}

// ------------------------------------------------------------------ the sandbox's controls (tests/sandbox/README.md)

async function control(base, method, route, body) {
  const response = await fetch(`${env(base)}/__sandbox/${route}`, {
    method,
    headers: body ? { "content-type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  assert.ok(response.ok, `${method} ${route} answered ${response.status}`);
  return response.status === 204 ? null : response.json();
}

export const sandbox = {
  /** The next `count` Unit requests matching get `status` (Unit's error shape), as if Unit were down. */
  unitFault: (fault) => control("UNIT_URL", "POST", "faults", fault),
  clearUnitFaults: () => control("UNIT_URL", "DELETE", "faults"),
  /** A JWT of a live session with claims replaced, signed by the current key. */
  sessionJwt: (sessionToken, claims) =>
    control("STYTCH_URL", "POST", "sessions/jwt", { session_token: sessionToken, claims }),
};

// ------------------------------------------------------------------ the person's side of each step

export const button = (page, name) => page.getByRole("button", { name, exact: false });

export async function heading(page, text) {
  await page.getByRole("heading", { level: 1, name: text }).waitFor();
}

/** The sandbox inbox (dev-only, in the app): the newest message to `to`. */
async function inboxMessage(page, to) {
  const inbox = page.locator("details", { has: page.getByText("Sandbox inbox") });
  if (!(await inbox.evaluate((details) => details.open))) await page.getByText("Sandbox inbox").click();
  const message = inbox.locator(`li[data-to="${to}"]`).first();
  for (let attempt = 0; attempt < 20 && !(await message.count()); attempt++) {
    await inbox.getByRole("button", { name: "Refresh inbox" }).click();
    await page.waitForTimeout(250);
  }
  return message;
}

/** Email → "check your inbox" → the magic link from the sandbox inbox → signed in. */
export async function signIn(page, email, shots) {
  await page.goto(env("WEB_URL"));
  await heading(page, "Sign in");
  if (shots) {
    // By keyboard alone: the heading has the focus, the next stop is the email field, Enter sends the form.
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "email", "Tab reaches the email field first");
    await page.keyboard.type(email);
    await checkpoint(page, "01-sign-in");
    await page.keyboard.press("Enter");
  } else {
    await page.getByLabel("Email").fill(email);
    await button(page, "Email me a sign-in link").click();
  }
  await heading(page, "Check your inbox");
  if (shots) await checkpoint(page, "02-check-inbox");
  await (await inboxMessage(page, email)).getByRole("link", { name: "Open sign-in link" }).click();
}

/** The SMS code the sandbox "texted" to `phone` (10 digits), read in the sandbox inbox. */
export async function smsCode(page, phone) {
  const text = await (await inboxMessage(page, `+1${phone}`)).locator("code").textContent();
  return text.trim();
}

/** Our own application form, approved at once; ends on the cards screen. */
export async function onboard(page, phone, shots) {
  await apply(page, phone, approvedSsn(), shots);
  await heading(page, "Your account is open");
  if (shots) await checkpoint(page, "04-application-approved");
  await button(page, "Continue to your cards").click();
  await heading(page, "Your cards");
}

/** Fills in and sends our own application form; Unit decides by the SSN (tests/sandbox/UNIT.md). */
export async function apply(page, phone, ssn, shots) {
  await heading(page, "Open your account");
  const fields = {
    "First name": "Ada",
    "Last name": "Lovelace",
    "Mobile phone": phone,
    "Date of birth": "1990-12-10",
    "Street address": "1 Main St",
    City: "Springfield",
    "State (2 letters)": "IL",
    "ZIP code": "62701",
    "Social Security number": ssn,
  };
  for (const [label, value] of Object.entries(fields)) await page.getByLabel(label).fill(value);
  if (shots) await checkpoint(page, "03-application-form");
  await page.getByRole("button", { name: "Apply", exact: true }).click();
}
