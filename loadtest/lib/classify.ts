// Classifies one MCP HTTP exchange: ok, or which kind of failure (session, protocol, tool, identity, HTTP).
import type { JsonRpcError, ServerNotification } from './parse.js';
import { parseResponse } from './parse.js';
import type { JsonObject, RequestId } from './protocol.js';
import { headerValue, MODERN_PROTOCOL_VERSION } from './protocol.js';

/** What came back for one POST, in the shape both k6 and undici can provide. */
export interface Exchange {
  status: number;
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  body: string | null;
}

/** What the caller expected: a notification ack, or the response to one request. */
export type Expectation =
  | { kind: 'accepted' }
  | {
      kind: 'response';
      id: RequestId;
      method: string;
      era: 'legacy' | 'modern';
      /** The caller's user: the tool result must name exactly this identity (whoami calls). */
      expectUser?: string;
      /** Tool names tools/list must include. */
      requireTools?: readonly string[];
    };

export interface Classification {
  ok: boolean;
  /** HTTP 400/404, or a JSON-RPC error that talks about a session: the failure stateless serving prevents. */
  sessionError: boolean;
  /** Unparseable body, no/duplicate/wrong-id response, jsonrpc != "2.0", missing result, bad result shape. */
  protocolError: boolean;
  /** A tools/call result with `isError: true` (e.g. Airflow refused the caller's token). */
  toolError: boolean;
  /** The result named an identity other than the caller's. */
  tokenMismatch: boolean;
  /** Any other non-2xx status (5xx, 401, 406, 415, 429...). */
  httpError: boolean;
  /** Why it is not ok; empty when ok. */
  reason: string;
  status: number;
  result?: JsonObject;
  error?: JsonRpcError;
  identity?: string;
  notifications: ServerNotification[];
}

const SESSION_PATTERN = /session|not initialized/i;

/** True for the errors a stateful server gives a request that reached the wrong replica. */
export function mentionsSession(message: string): boolean {
  return SESSION_PATTERN.test(message);
}

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The identity a `get_variable sim_whoami` result reveals: `structuredContent.value`, else the
 * `value` of the first text block parsed as JSON. Undefined when neither names one.
 */
export function extractIdentity(result: JsonObject): string | undefined {
  const structured = result.structuredContent;
  if (isObject(structured) && typeof structured.value === 'string') return structured.value;
  const content = Array.isArray(result.content) ? result.content : [];
  for (const block of content) {
    if (!isObject(block) || block.type !== 'text' || typeof block.text !== 'string') continue;
    try {
      const parsed: unknown = JSON.parse(block.text);
      if (isObject(parsed) && typeof parsed.value === 'string') return parsed.value;
    } catch {
      // Plain prose, not JSON: it names nobody.
    }
    return undefined;
  }
  return undefined;
}

function base(status: number): Classification {
  return {
    ok: false,
    sessionError: false,
    protocolError: false,
    toolError: false,
    tokenMismatch: false,
    httpError: false,
    reason: '',
    status,
    notifications: [],
  };
}

function fail<K extends 'sessionError' | 'protocolError' | 'toolError' | 'tokenMismatch' | 'httpError'>(
  c: Classification,
  kind: K,
  reason: string,
): Classification {
  c[kind] = true;
  c.reason = reason;
  return c;
}

/** Method-specific shape checks on a result; returns a reason when the result is malformed. */
function resultShapeProblem(
  method: string,
  era: 'legacy' | 'modern',
  result: JsonObject,
): string | undefined {
  // The 2026 codec stamps resultType on every result; a missing one means an old-era answer.
  if (era === 'modern' && result.resultType !== 'complete') {
    return `modern result without resultType "complete" (got ${JSON.stringify(result.resultType)})`;
  }
  switch (method) {
    case 'initialize':
      if (typeof result.protocolVersion !== 'string') return 'initialize result without protocolVersion';
      if (!isObject(result.capabilities)) return 'initialize result without capabilities';
      return undefined;
    case 'server/discover': {
      const versions = result.supportedVersions;
      if (!Array.isArray(versions)) return 'server/discover result without supportedVersions';
      if (!versions.includes(MODERN_PROTOCOL_VERSION)) {
        return `server/discover does not list ${MODERN_PROTOCOL_VERSION}: ${JSON.stringify(versions)}`;
      }
      return isObject(result.capabilities) ? undefined : 'server/discover result without capabilities';
    }
    case 'tools/list':
      return Array.isArray(result.tools) ? undefined : 'tools/list result without a tools array';
    case 'tools/call':
      return Array.isArray(result.content) ? undefined : 'tools/call result without a content array';
    default:
      return undefined;
  }
}

function missingTools(result: JsonObject, required: readonly string[]): string[] {
  const tools = Array.isArray(result.tools) ? result.tools : [];
  const names = new Set(tools.map((tool) => (isObject(tool) ? tool.name : undefined)));
  return required.filter((name) => !names.has(name));
}

/** Classifies one exchange against what the caller expected. Never throws. */
export function classifyExchange(exchange: Exchange, expectation: Expectation): Classification {
  const c = base(exchange.status);
  const contentType = headerValue(exchange.headers, 'content-type');
  const status = exchange.status;

  if (status === 400 || status === 404) {
    // A stateful server says "Bad Request: No valid session ID" (400) or "Session not found" (404).
    const id = expectation.kind === 'response' ? expectation.id : null;
    const picked = id === null ? undefined : parseResponse(exchange.body, contentType, id).response;
    const message = picked?.error?.message ?? (exchange.body ?? '').slice(0, 200);
    return fail(c, 'sessionError', `HTTP ${status}: ${message}`);
  }
  if (status < 200 || status > 299) {
    return fail(c, 'httpError', `HTTP ${status}: ${(exchange.body ?? '').slice(0, 200)}`);
  }

  if (expectation.kind === 'accepted') {
    if (status !== 202) return fail(c, 'protocolError', `notification answered ${status}, expected 202`);
    c.ok = true;
    return c;
  }

  const { response, notifications, strayResponses, problems } = parseResponse(
    exchange.body,
    contentType,
    expectation.id,
  );
  c.notifications = notifications;
  if (problems.length > 0) return fail(c, 'protocolError', problems.join('; '));
  if (response === undefined) {
    const stray = strayResponses.map((r) => JSON.stringify(r.id)).join(', ');
    const why = stray === '' ? 'no JSON-RPC response' : `response id ${stray} instead of ${expectation.id}`;
    return fail(c, 'protocolError', why);
  }
  if (response.jsonrpc !== '2.0') {
    return fail(c, 'protocolError', `jsonrpc is ${JSON.stringify(response.jsonrpc)}, not "2.0"`);
  }
  if (response.error !== undefined) {
    c.error = response.error;
    const text = `JSON-RPC error ${response.error.code}: ${response.error.message}`;
    return fail(c, mentionsSession(response.error.message) ? 'sessionError' : 'protocolError', text);
  }
  if (!isObject(response.result)) return fail(c, 'protocolError', 'response without a result object');
  const result = response.result;
  c.result = result;

  const shape = resultShapeProblem(expectation.method, expectation.era, result);
  if (shape !== undefined) return fail(c, 'protocolError', shape);
  if (expectation.requireTools !== undefined) {
    const missing = missingTools(result, expectation.requireTools);
    if (missing.length > 0) return fail(c, 'protocolError', `tools/list lacks ${missing.join(', ')}`);
  }
  if (expectation.method === 'tools/call' && result.isError === true) {
    return fail(c, 'toolError', `tool error: ${JSON.stringify(result.structuredContent ?? result.content)}`);
  }
  if (expectation.expectUser !== undefined) {
    const identity = extractIdentity(result);
    if (identity === undefined) return fail(c, 'protocolError', 'tool result names no identity');
    c.identity = identity;
    if (identity !== expectation.expectUser) {
      return fail(c, 'tokenMismatch', `called as "${expectation.expectUser}", answered as "${identity}"`);
    }
  }
  c.ok = true;
  return c;
}
