// Offline checks of the app itself: the production build carries no sandbox inbox, and every problem `code` the
// API documents has a human message.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const WEB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const INBOX_MARKERS = ["__sandbox", "Sandbox inbox"];

function bundleText(dir) {
  const assets = path.join(dir, "assets");
  return readdirSync(assets).map((file) => readFileSync(path.join(assets, file), "utf8")).join("\n");
}

test("the production build contains no sandbox-inbox code; the sandbox build does", () => {
  const out = mkdtempSync(path.join(tmpdir(), "web-prod-"));
  try {
    execFileSync(path.join(WEB, "node_modules", ".bin", "vite"), ["build", "--outDir", out, "--emptyOutDir", "--logLevel", "error"], {
      cwd: WEB,
      stdio: "inherit",
    });
    const production = bundleText(out);
    for (const marker of INBOX_MARKERS) assert.ok(!production.includes(marker), `production build contains ${marker}`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  // The markers are the right ones: the sandbox build (`make web`, what the browser tests use) has them.
  const sandbox = bundleText(path.join(WEB, "dist"));
  for (const marker of INBOX_MARKERS) assert.ok(sandbox.includes(marker), `sandbox build lacks ${marker}`);
});

test("every problem code in infra/openapi.yaml has a human message", () => {
  const spec = readFileSync(path.join(WEB, "..", "..", "infra", "openapi.yaml"), "utf8");
  const description = spec.slice(spec.indexOf("Stable, machine-readable."), spec.indexOf("examples: [step_up_required]"));
  const documented = [...description.matchAll(/`([a-z][a-z0-9_]*)`/g)].map((m) => m[1]);
  assert.ok(documented.length > 50, "the Problem.code description was found");
  const messages = readFileSync(path.join(WEB, "src", "api", "messages.ts"), "utf8");
  const known = new Set([...messages.matchAll(/^\s+([a-z][a-z0-9_]*): "/gm)].map((m) => m[1]));
  assert.deepEqual(documented.filter((code) => !known.has(code)), []);
});
