// A sentence for every problem `code` the API documents (infra/openapi.yaml, Problem.code; the browser suite
// checks that none is missing), and for the three this app adds itself.
const MESSAGES: Record<string, string> = {
  // this app's own
  network_error: "We could not reach the bank. Check your connection and try again.",
  gateway_error: "The bank's service did not answer properly. Try again in a moment.",
  unexpected_response: "Something unexpected came back. Try again; if it persists, contact support.",
  // 400
  invalid_body: "The request was not understood. Reload the page and try again.",
  validation_failed: "Some fields need another look.",
  unknown_scope: "This action is not one the app can ask for. Reload the page and try again.",
  application_rejected: "Unit could not accept this application. Check the details and try again.",
  document_rejected: "That document was not accepted. Upload a clear PDF, PNG or JPEG.",
  account_required: "Your account is not ready yet, so no card can be issued.",
  idempotency_key_required: "The request was missing its retry key. Try again.",
  phone_number_not_accepted: "That phone number cannot receive codes. Use a mobile number.",
  invalid_webhook_payload: "The webhook payload was not understood.",
  // 401
  missing_credentials: "Please sign in.",
  invalid_session: "Your session is not valid any more. Please sign in again.",
  session_expired: "Your session has expired. Please sign in again.",
  session_too_old: "For your security, please sign in again.",
  session_not_found: "Your session has ended. Please sign in again.",
  invalid_magic_link: "This sign-in link was already used or has expired. Ask for a new one.",
  invalid_code: "That code is not right, or it has expired. Check it and try again.",
  invalid_verification_code: "That verification code is not right. Check it and try again.",
  pkce_mismatch: "This sign-in link was opened in another browser. Open it where you asked for it, or ask again.",
  invalid_unit_token: "Your card access has expired. Try again.",
  missing_signature: "The webhook signature is missing.",
  invalid_signature: "The webhook signature is not valid.",
  // 403
  step_up_required: "For your security, confirm it's you with a second factor.",
  factor_not_bound: "That factor is not linked to your account, so it cannot confirm it's you.",
  insufficient_scope: "You do not have access to this action.",
  csrf_rejected: "This request did not come from the app. Reload the page and try again.",
  // 404
  route_not_found: "This feature is not available.",
  no_application: "You have not applied for an account yet.",
  no_customer_to_link: "We found no existing customer with your email.",
  document_not_found: "That document request no longer exists.",
  card_not_found: "That card was not found.",
  factor_not_found: "That sign-in factor was not found on your account.",
  not_found: "Not found.",
  // 405
  method_not_allowed: "This action is not available.",
  // 409
  duplicate_application: "An application with these details already exists.",
  application_exists: "You have already applied.",
  already_onboarded: "Your account is already open.",
  last_second_factor: "This is your only second factor left. Set up an authenticator app before removing it.",
  several_customers_match: "Several customers match your details; please contact support.",
  customer_linked_to_another_user: "That customer belongs to another sign-in; please contact support.",
  no_link_pending: "There is no pending link to confirm. Start again.",
  application_pending: "Your application is being checked. This usually takes a minute.",
  application_in_review: "Your application is with a reviewer at our banking partner.",
  documents_required: "We need a document from you before we can open your account.",
  application_denied: "We could not open an account with these details.",
  application_canceled: "Your application was canceled. You can apply again.",
  documents_not_required: "No documents are needed right now.",
  totp_already_enrolled: "An authenticator app is already set up.",
  totp_not_enrolled: "No authenticator app is set up yet.",
  no_bound_phone: "There is no phone on your application to text a code to.",
  no_code_sent: "Ask for a code first.",
  phone_number_in_use: "That phone number is used by another account.",
  no_account: "You have no account to attach a card to yet.",
  card_inactive: "This card is not activated yet.",
  card_active: "This card is already active.",
  card_frozen: "This card is frozen.",
  card_lost: "This card was reported lost and cannot be used again.",
  card_stolen: "This card was reported stolen and cannot be used again.",
  card_closed: "This card is closed.",
  card_suspected_fraud: "This card is blocked for suspected fraud. Please contact support.",
  card_not_physical: "Only a physical card can be replaced.",
  card_status_conflict: "The card's status does not allow this right now.",
  conflict: "That clashed with another change. Reload and try again.",
  // 413, 415, 429
  payload_too_large: "That file is too large (4 MiB at most).",
  unsupported_media_type: "Upload a PDF, PNG or JPEG.",
  rate_limited: "Too many attempts. Wait a moment and try again.",
  // 5xx
  internal_error: "Something went wrong on our side. Try again.",
  upstream_error: "Our banking partner is not answering right now. Try again in a moment.",
  jwks_unavailable: "Sign-in checks are unavailable right now. Try again in a moment.",
  secrets_unavailable: "The service is starting up or unavailable. Try again in a moment.",
  webhook_secret_missing: "Webhooks are not configured.",
  upstream_timeout: "Our banking partner took too long to answer. Try again.",
  request_timeout: "That took too long. Try again.",
};

export function messageFor(code: string): string {
  return MESSAGES[code] ?? MESSAGES.unexpected_response;
}

