// One error type for everything a call can end in, with a sentence a person can act on.
import type { components } from "./schema";
import { messageFor } from "./messages";

export type Problem = components["schemas"]["Problem"];

export class ApiProblem extends Error {
  readonly code: string;
  readonly status: number;
  readonly requestId?: string;
  readonly body: Partial<Problem>;

  constructor(code: string, status: number, body: Partial<Problem> = {}) {
    super(messageFor(code));
    this.code = code;
    this.status = status;
    this.requestId = body.requestId;
    this.body = body;
  }
}

/**
 * `error` is what openapi-fetch parsed: our problem+json, API Gateway's `{message}`, or nothing (network failure:
 * status 0).
 */
export function problemFrom(error: unknown, status: number): ApiProblem {
  if (status === 0) return new ApiProblem("network_error", 0);
  if (typeof error === "object" && error !== null && "code" in error && typeof error.code === "string") {
    return new ApiProblem(error.code, status, error as Partial<Problem>);
  }
  if (typeof error === "object" && error !== null && "message" in error) {
    return new ApiProblem(status === 429 ? "rate_limited" : "gateway_error", status);
  }
  return new ApiProblem("unexpected_response", status);
}
