// One error taxonomy: handlers throw AppError; the MCP boundary turns it into an isError result or a JSON-RPC error.

/**
 * Each code means one thing everywhere, and whether it is worth retrying follows from the code alone
 * (docs/reliability.md has the table).
 */
export const ERROR_CODES = [
  'upstream_unauthorized',
  'upstream_forbidden',
  'not_found',
  'invalid_argument',
  'conflict',
  'upstream_unavailable',
  'upstream_timeout',
  'misconfigured',
  'too_large',
  'busy',
  'cancelled',
  'read_only',
  'not_exposed',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface AppErrorOptions {
  hint?: string;
  status?: number;
  cause?: unknown;
  /** Milliseconds Airflow asked callers to wait (its Retry-After), when it said. */
  retryAfterMs?: number;
  /**
   * Whether the error counts against Airflow's health (the circuit breaker). Defaults by code: only
   * `upstream_unavailable` and `upstream_timeout` do; rate limiting and the open breaker itself pass false.
   */
  fault?: boolean;
}

const RETRYABLE: ReadonlySet<ErrorCode> = new Set(['upstream_unavailable', 'upstream_timeout', 'busy']);
const FAULT_BY_DEFAULT: ReadonlySet<ErrorCode> = new Set(['upstream_unavailable', 'upstream_timeout']);

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  /** Worth the same call again later: decided by the code, never per call site. */
  readonly retryable: boolean;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  /** Airflow itself is failing (unreachable, timing out, 5xx, garbage): counted by the circuit breaker. */
  readonly fault: boolean;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.hint = options.hint;
    this.retryable = RETRYABLE.has(code);
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.fault = FAULT_BY_DEFAULT.has(code) && options.fault !== false;
  }
}

/** The caller went away (disconnected or cancelled) while its call was in progress. */
export function cancelledError(): AppError {
  return new AppError('cancelled', 'The request was cancelled by the client.');
}

/** The structured body of a tool error (and the `data` of a resource read's JSON-RPC error). */
export interface ToolErrorBody {
  code: ErrorCode;
  message: string;
  hint?: string;
  retryable: boolean;
  status?: number;
  request_id: string;
}

export function toErrorBody(error: unknown, requestId: string): ToolErrorBody {
  if (error instanceof AppError) {
    return {
      code: error.code,
      message: error.message,
      ...(error.hint ? { hint: error.hint } : {}),
      retryable: error.retryable,
      ...(error.status !== undefined ? { status: error.status } : {}),
      request_id: requestId,
    };
  }
  // Unknown errors never leak internals (which might include a URL with credentials).
  return {
    code: 'internal',
    message: 'Internal error while handling the request.',
    hint: `Report request id ${requestId} to the operator; details are in the server log.`,
    retryable: false,
    request_id: requestId,
  };
}
