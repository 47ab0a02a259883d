"""Schemathesis hooks for `make fuzz-api` (loaded through SCHEMATHESIS_HOOKS by tests/schemathesis/run.py).

- Auth: session routes get a fresh Stytch session JWT (two factors, approved application), card routes a fresh
  Unit customer token (`accounts cards cards-write`). Both come from `cargo run -p demo -- fill` against the
  running stack (API_URL, STYTCH_URL), i.e. a new user built through the API itself, and are renewed every
  4 minutes (a session JWT lives 5). `/session/*` get none: a refresh takes no bearer (its session token is in the
  body), and a logout with the shared JWT would end the session every other case uses.
- Card ids: half of the card-route cases use a real card of that user, so the 200 paths are reached too.
- Bodies that are not UTF-8 are made UTF-8 first (see before_call: a limit of the local emulator, not the API).
- Unit webhooks: half of the `POST /webhooks/unit` cases are signed as Unit signs them (HMAC-SHA1 of the body
  with the local stack's webhook token, base64), so the cases get past the signature to the payload checks.
- Check `no_internal_error`: any 5xx other than the documented upstream ones (502 / 503 / 504) fails.
"""

import base64
import hashlib
import hmac
import json
import os
import subprocess
import tempfile
import itertools

import schemathesis
from schemathesis.core import NotSet

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TEMPLATE = '{"session": "{{STYTCH_SESSION_JWT_2FA}}", "unit": "{{UNIT_CUSTOMER_TOKEN}}", "card": "{{CARD_ID}}"}'
REFRESH_SECONDS = 240
_alternate = itertools.count()
_alternate_webhook = itertools.count()
# The sandbox's default webhook token, which the local stack also puts in the Unit secret (tests/dev/local_stack.py).
WEBHOOK_TOKEN = os.environ.get("SANDBOX_UNIT_WEBHOOK_SECRET") or "sandbox-webhook-token-0000000000000000"


def fresh_credentials():
    """A new user's session JWT, Unit customer token and card id, built through the API (`demo fill`).

    Not retried: a failed set-up fails the run (set-ups once failed for a `cargo lambda watch` bug, since worked
    around: README, "Known cargo-lambda issue")."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        f.write(TEMPLATE)
    try:
        out = subprocess.run(
            ["cargo", "run", "--quiet", "-p", "demo", "--", "fill", f.name],
            cwd=ROOT, capture_output=True, text=True,
        )
    finally:
        os.unlink(f.name)
    if out.returncode != 0:
        raise RuntimeError(f"demo fill failed: {out.stderr.strip()}")
    return json.loads(out.stdout)


@schemathesis.auth(refresh_interval=REFRESH_SECONDS).apply_to(path_regex=r"^/(applications|step-up|token|me$)")
class StytchSession:
    def get(self, case, ctx):
        return fresh_credentials()["session"]

    def set(self, case, data, ctx):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@schemathesis.auth(refresh_interval=REFRESH_SECONDS).apply_to(path_regex=r"^/cards")
class UnitCustomerToken:
    def get(self, case, ctx):
        return fresh_credentials()

    def set(self, case, data, ctx):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data['unit']}"}
        # The token's own card (created by `demo fill`) for about half the cases with a card id.
        if case.path_parameters and "cardId" in case.path_parameters and next(_alternate) % 2:
            case.path_parameters = {**case.path_parameters, "cardId": data["card"]}


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    """Bodies that are not UTF-8 become UTF-8 (invalid bytes replaced): locally `cargo lambda watch` answers them
    with its own `500 text/plain` before any function runs, whereas the functions themselves answer
    `400 invalid_body` (checked with a base64 API Gateway event through `cargo lambda invoke`)."""
    if isinstance(case.body, (bytes, bytearray)):
        try:
            bytes(case.body).decode("utf-8")
        except UnicodeDecodeError:
            case.body = bytes(case.body).decode("utf-8", "replace").encode("utf-8")
    if case.method == "POST" and case.path == "/webhooks/unit" and next(_alternate_webhook) % 2:
        sign_as_unit(case)


def sign_as_unit(case):
    """The body as the exact bytes sent (a bytes body is sent as is), and Unit's signature over them."""
    if isinstance(case.body, NotSet):
        raw = b""  # no body is sent: the signature of the empty body
    elif isinstance(case.body, (bytes, bytearray)):
        raw = bytes(case.body)
    else:
        raw = json.dumps(case.body, allow_nan=False).encode("utf-8")
        case.body = raw
    signature = base64.b64encode(hmac.new(WEBHOOK_TOKEN.encode(), raw, hashlib.sha1).digest()).decode()
    case.headers = {**(case.headers or {}), "X-Unit-Signature": signature}


@schemathesis.check
def no_internal_error(ctx, response, case):
    """5xx only for the documented upstream failures: 502 upstream_error, 503 *_unavailable, 504 upstream_timeout."""
    if response.status_code >= 500 and response.status_code not in (502, 503, 504):
        raise AssertionError(f"{response.status_code} from {case.method} {case.formatted_path}: {response.text[:300]}")
