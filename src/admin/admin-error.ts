import { notAnObject } from "../config/schema-errors.js";
import { ERRORS, type ErrorCode } from "../errors.js";
import type { Problem } from "../problems.js";

/**
 * A refusal the admin API answers with `{ error_code, error_msg, ...extra, request_id }`.
 * Thrown by handlers and turned into the response by the server's error handler.
 *
 * @example
 * throw new AdminError("STALE_REVISION", undefined, { current: 7 });
 */
export class AdminError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly extra: Readonly<Record<string, unknown>>;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: ErrorCode,
    message?: string,
    extra: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) {
    super(message ?? ERRORS[code].message);
    this.name = "AdminError";
    this.code = code;
    this.status = ERRORS[code].status;
    this.extra = extra;
    this.headers = headers;
  }
}

const KEY_PATH = /^apps\[\d+\]\.keys(\[\d+\])?$/;

/** Problems as answered: an API key in clear is never echoed, not even in a refusal. */
export function hideKeys(problems: readonly Problem[]): Problem[] {
  return problems.map((p) =>
    KEY_PATH.test(p.path) && p.value !== undefined ? { ...p, value: "(hidden)" } : p,
  );
}

/**
 * 400 CONFIG_INVALID with every problem (errors and warnings): paths rooted in the whole configuration,
 * or relative to the resource written (see focusProblems).
 */
export function invalid(problems: readonly Problem[], message?: string): AdminError {
  const errors = problems.filter((p) => p.severity === "error").length;
  return new AdminError(
    "CONFIG_INVALID",
    message ??
      `the configuration is invalid (${errors} error${errors === 1 ? "" : "s"}); nothing was applied`,
    { problems: hideKeys(problems) },
  );
}

/**
 * 400 ADMIN_BAD_REQUEST for a body that is not an object at all (an array, a string, nothing), with
 * the problem at the body's root.
 */
export function notAnObjectBody(body: unknown, what: string): AdminError {
  const ask = `send ${what} as a JSON or YAML object`;
  if (body === undefined) return new AdminError("ADMIN_BAD_REQUEST", `the request has no body: ${ask}`);
  const problem: Problem = {
    severity: "error",
    code: "SCHEMA",
    path: "",
    value: body,
    reason: notAnObject(body),
  };
  return new AdminError("ADMIN_BAD_REQUEST", `the body is not an object: ${ask}; nothing was applied`, {
    problems: [problem],
  });
}

export function stale(current: number): AdminError {
  return new AdminError(
    "STALE_REVISION",
    `the configuration is at revision ${current}, not the one named in If-Match; nothing was applied`,
    { current },
    { etag: `"${current}"` },
  );
}

export function readOnly(file: string): AdminError {
  return new AdminError(
    "ADMIN_READ_ONLY",
    `the configuration is managed by ${file}; edit it and crossgate reloads it`,
  );
}

export function notFound(what: string): AdminError {
  return new AdminError("ADMIN_NOT_FOUND", `${what} does not exist`);
}
