// Turns Airflow's HTTP answers and transport failures into actionable AppErrors that never echo a credential.

import { AppError } from '../errors.js';
import { CONNECT_TIMEOUT } from './airflow-dispatcher.js';

const MAX_DETAIL = 500;

/** Airflow 3 errors are {detail: string|object}; Airflow 2 errors are RFC 7807 {title, detail}. Whole, uncut. */
export function airflowDetail(body: unknown): string | undefined {
  if (typeof body === 'string') return body || undefined;
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  const detail = b.detail ?? b.title ?? b.message;
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) {
    // FastAPI validation errors: [{loc: [...], msg, type}]
    return detail
      .map((d) => {
        const item = d as { loc?: unknown[]; msg?: string };
        const loc = Array.isArray(item.loc)
          ? item.loc.filter((l) => l !== 'body' && l !== 'query').join('.')
          : '';
        return loc ? `${loc}: ${item.msg ?? 'invalid'}` : (item.msg ?? 'invalid');
      })
      .join('; ');
  }
  if (detail !== undefined) return JSON.stringify(detail);
  return undefined;
}

/** The forms a credential can take in text Airflow sent back: the token, or Basic's base64, user:password and password. */
function credentialForms(secret: string | undefined): string[] {
  if (!secret) return [];
  const raw = secret.replace(/^(Bearer|Basic)\s+/i, '');
  const forms = [raw];
  if (/^Basic\s/i.test(secret)) {
    const decoded = Buffer.from(raw, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    forms.push(decoded);
    if (colon >= 0) forms.push(decoded.slice(colon + 1));
  }
  // Shorter strings would redact ordinary words; the settings require longer secrets anyway.
  return forms.filter((f) => f.length >= 6);
}

/** Removes the credential, in any of its forms, from text Airflow sent back. */
export function scrub(text: string, secret: string | undefined): string {
  let out = text;
  for (const form of credentialForms(secret)) out = out.split(form).join('[redacted]');
  return out;
}

/**
 * Airflow's detail made safe to show: scrubbed whole first (cutting first could split a credential so that
 * no whole copy is left to find), then cut to MAX_DETAIL; a credential's first characters left at the cut
 * (an upstream that itself echoed a cut credential) are redacted too.
 */
export function safeDetail(body: unknown, secret: string | undefined): string {
  const text = scrub(airflowDetail(body) ?? '', secret);
  if (text.length <= MAX_DETAIL) return text;
  let cut = text.slice(0, MAX_DETAIL);
  for (const form of credentialForms(secret)) {
    for (let k = Math.min(form.length - 1, cut.length); k >= 1; k--) {
      if (cut.endsWith(form.slice(0, k))) {
        cut = `${cut.slice(0, cut.length - k)}[redacted]`;
        break;
      }
    }
  }
  return `${cut}…`;
}

export interface StatusErrorInput {
  status: number;
  body: unknown;
  what: string;
  forwarded: boolean;
  authorization: string | undefined;
  retryAfter?: string | undefined;
  /** The Retry-After above in milliseconds (see parseRetryAfter). */
  retryAfterMs?: number | undefined;
}

export function errorForStatus(input: StatusErrorInput): AppError {
  const { status, what } = input;
  const detail = safeDetail(input.body, input.authorization);
  const said = detail ? `: ${detail}` : '';
  if (
    status === 401 ||
    (status === 403 && /invalid jwt|signature|token/i.test(detail) && !/forbidden/i.test(detail))
  ) {
    const expired = /expired/i.test(detail);
    const hint = !input.authorization
      ? "Send your Airflow credentials in the MCP request's Authorization header (Bearer <token from Airflow's POST /auth/token>, or Basic for Airflow 2)."
      : expired
        ? 'Your Airflow token has expired: get a fresh one from POST /auth/token and update the Authorization header.'
        : input.forwarded
          ? 'Airflow did not accept the Authorization header you sent: check it is a valid token for this Airflow.'
          : 'Airflow did not accept the service credentials: check AIRFLOW_AUTH_TOKEN / AIRFLOW_USERNAME / AIRFLOW_PASSWORD.';
    return new AppError(
      'upstream_unauthorized',
      `Airflow rejected the credentials for ${what} (HTTP ${status})${said}`,
      {
        hint,
        status,
      },
    );
  }
  if (status === 403) {
    return new AppError(
      'upstream_forbidden',
      `Airflow refused ${what} for these credentials (HTTP 403)${said}`,
      {
        hint: 'Your Airflow role does not allow this action; ask an Airflow admin for a role that does (e.g. op for variables and connections, user for triggering runs).',
        status,
      },
    );
  }
  if (status === 404) {
    return new AppError('not_found', `Airflow found nothing for ${what}${said}`, {
      hint: 'Check the identifiers; list tools (list_dags, list_dag_runs) show valid ones.',
      status,
    });
  }
  if (status === 409) {
    return new AppError('conflict', `Airflow reported a conflict for ${what}${said}`, { status });
  }
  if (status === 400 || status === 422) {
    return new AppError('invalid_argument', `Airflow rejected the request for ${what}${said}`, { status });
  }
  if (status === 429) {
    const wait = input.retryAfter ? ` Retry after ${input.retryAfter.slice(0, 40)} s.` : '';
    // Airflow is answering, just not this fast: not a fault for the breaker.
    return new AppError('upstream_unavailable', `Airflow is rate limiting requests (HTTP 429).${wait}`, {
      hint: 'Wait and retry.',
      status,
      fault: false,
      ...(input.retryAfterMs !== undefined ? { retryAfterMs: input.retryAfterMs } : {}),
    });
  }
  if (status >= 300 && status < 400) {
    return new AppError('misconfigured', `Airflow answered ${what} with a redirect (HTTP ${status}).`, {
      hint: 'Set AIRFLOW_API_URL to the final Airflow URL (redirects are not followed, so credentials stay with the configured origin).',
      status,
    });
  }
  return new AppError('upstream_unavailable', `Airflow failed on ${what} (HTTP ${status})${said}`, {
    hint: 'Airflow may be restarting or overloaded; retry shortly (get_system_health shows its state).',
    status,
  });
}

// undici's own timeouts count as Airflow being slow; the call's deadline normally fires first.
const TIMEOUT_CODES = new Set([
  CONNECT_TIMEOUT,
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

export function errorForTransport(error: unknown, what: string, timeoutMs: number): AppError {
  if (error instanceof AppError) return error;
  const e = error as { code?: string; name?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code;
  if ((code && TIMEOUT_CODES.has(code)) || e.name === 'TimeoutError') {
    return new AppError('upstream_timeout', `Airflow did not answer ${what} within ${timeoutMs} ms.`, {
      hint: 'Airflow is slow or unreachable; retry, or raise AIRFLOW_TIMEOUT_MS.',
    });
  }
  const reason =
    code === 'ECONNREFUSED'
      ? 'connection refused'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'host name not found'
        : code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET'
          ? 'connection reset'
          : (code ?? 'network error');
  return new AppError('upstream_unavailable', `Could not reach Airflow for ${what} (${reason}).`, {
    hint: 'Check that Airflow is running and AIRFLOW_API_URL (or the discovered URL) is right.',
  });
}

/** Worth another try for an idempotent call: an Airflow fault, or rate limiting. */
export function isRetryable(error: unknown): boolean {
  return error instanceof AppError && (error.fault || error.status === 429);
}

/** Retry-After is delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  if (/^\d{1,6}$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
