// One error taxonomy: handlers throw AppError; the MCP boundary turns it into an isError result.

export type ErrorCode =
  | 'upstream_unauthorized'
  | 'upstream_forbidden'
  | 'not_found'
  | 'invalid_argument'
  | 'conflict'
  | 'upstream_unavailable'
  | 'upstream_timeout'
  | 'read_only'
  | 'not_exposed'
  | 'internal';

export interface AppErrorOptions {
  hint?: string;
  retryable?: boolean;
  status?: number;
  cause?: unknown;
}

const RETRYABLE_BY_DEFAULT: ReadonlySet<ErrorCode> = new Set(['upstream_unavailable', 'upstream_timeout']);

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly retryable: boolean;
  readonly status: number | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.hint = options.hint;
    this.retryable = options.retryable ?? RETRYABLE_BY_DEFAULT.has(code);
    this.status = options.status;
  }
}

/** The structured body of a tool error, as DESIGN.md specifies. */
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
    message: 'Internal error while handling the tool call.',
    hint: `Report request id ${requestId} to the operator; details are in the server log.`,
    retryable: false,
    request_id: requestId,
  };
}
