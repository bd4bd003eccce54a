// The one errors module: every failure a caller may branch on has a stable `code`,
// the HTTP `status` it maps to and the OpenAI error `type` clients expect.

export type OpenAIErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'rate_limit_error'
  | 'server_error'
  | 'not_found_error';

interface ErrorSpec {
  status: number;
  type: OpenAIErrorType;
}

export const ERROR_CODES = {
  EMBEDHOST_INVALID_REQUEST: { status: 400, type: 'invalid_request_error' },
  EMBEDHOST_INVALID_JSON: { status: 400, type: 'invalid_request_error' },
  EMBEDHOST_UNSUPPORTED_MEDIA_TYPE: { status: 415, type: 'invalid_request_error' },
  EMBEDHOST_INPUT_TOO_LONG: { status: 400, type: 'invalid_request_error' },
  EMBEDHOST_MODEL_NOT_FOUND: { status: 404, type: 'invalid_request_error' },
  EMBEDHOST_NOT_FOUND: { status: 404, type: 'not_found_error' },
  EMBEDHOST_METHOD_NOT_ALLOWED: { status: 405, type: 'invalid_request_error' },
  EMBEDHOST_BODY_TOO_LARGE: { status: 413, type: 'invalid_request_error' },
  EMBEDHOST_UNAUTHORIZED: { status: 401, type: 'authentication_error' },
  EMBEDHOST_FORBIDDEN: { status: 403, type: 'permission_error' },
  EMBEDHOST_RATE_LIMITED: { status: 429, type: 'rate_limit_error' },
  EMBEDHOST_BACKLOG_FULL: { status: 429, type: 'rate_limit_error' },
  EMBEDHOST_BACKEND_UNAVAILABLE: { status: 503, type: 'server_error' },
  EMBEDHOST_SHUTTING_DOWN: { status: 503, type: 'server_error' },
  EMBEDHOST_BACKEND_ERROR: { status: 502, type: 'server_error' },
  EMBEDHOST_INTERNAL: { status: 500, type: 'server_error' },
  EMBEDHOST_NOT_IMPLEMENTED: { status: 501, type: 'server_error' },
  // Start-up and provisioning failures: not HTTP-facing, but they share the code scheme.
  EMBEDHOST_CONFIG: { status: 500, type: 'server_error' },
  EMBEDHOST_BINARY_NOT_FOUND: { status: 500, type: 'server_error' },
  EMBEDHOST_BINARY_UNUSABLE: { status: 500, type: 'server_error' },
  EMBEDHOST_BUILD_FAILED: { status: 500, type: 'server_error' },
  EMBEDHOST_TOOLCHAIN_MISSING: { status: 500, type: 'server_error' },
  EMBEDHOST_BACKEND_FAILED: { status: 500, type: 'server_error' },
  // Model management (CLI): fetching and choosing model files.
  EMBEDHOST_MODEL_UNAVAILABLE: { status: 500, type: 'server_error' },
  EMBEDHOST_DOWNLOAD_FAILED: { status: 500, type: 'server_error' },
  EMBEDHOST_HUB_ACCESS_DENIED: { status: 500, type: 'server_error' },
  EMBEDHOST_OFFLINE_MISSING: { status: 500, type: 'server_error' },
  EMBEDHOST_DISK_FULL: { status: 500, type: 'server_error' },
  EMBEDHOST_NO_PROFILE_FITS: { status: 500, type: 'server_error' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface EmbedhostErrorOptions {
  param?: string | null;
  /** Seconds a client should wait before retrying (429 and 503). */
  retryAfterSeconds?: number;
  cause?: unknown;
}

export class EmbedhostError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly type: OpenAIErrorType;
  readonly param: string | null;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, options: EmbedhostErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EmbedhostError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.type = ERROR_CODES[code].type;
    this.param = options.param ?? null;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export function isEmbedhostError(value: unknown): value is EmbedhostError {
  return value instanceof EmbedhostError;
}

export interface ErrorEnvelope {
  error: { message: string; type: OpenAIErrorType; param: string | null; code: string };
}

// Anything that is not an EmbedhostError is a bug: its details stay in the log, never in a response.
export function toErrorEnvelope(error: unknown): { status: number; body: ErrorEnvelope; retryAfterSeconds?: number } {
  const known = isEmbedhostError(error)
    ? error
    : new EmbedhostError('EMBEDHOST_INTERNAL', 'Internal error; see the server log for details');
  return {
    status: known.status,
    body: { error: { message: known.message, type: known.type, param: known.param, code: known.code } },
    ...(known.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: known.retryAfterSeconds }),
  };
}

// For programmatic options: `Expected \`x\` to be a positive integer, got \`0\` (number)`.
export function invalidOption(name: string, expectation: string, value: unknown): TypeError {
  return new TypeError(`Expected \`${name}\` to be ${expectation}, got \`${String(value)}\` (${typeof value})`);
}
