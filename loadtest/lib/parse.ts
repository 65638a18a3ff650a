// Parses an MCP HTTP response body (plain JSON or an SSE stream) into JSON-RPC messages.
import type { RequestId } from './protocol.js';

export type BodyFormat = 'json' | 'sse' | 'empty' | 'unknown';

export interface JsonRpcError {
  code: number;
  message: string;
  data?: unknown;
}

/** One JSON-RPC response; exactly one of result/error is set when it is well formed. */
export interface JsonRpcResponse {
  jsonrpc: unknown;
  id: unknown;
  result?: unknown;
  error?: JsonRpcError;
}

export interface ServerNotification {
  method: string;
  params?: unknown;
}

export interface ParsedBody {
  format: BodyFormat;
  /** Every JSON value found, in order (SSE: one per `message` event; a batch array is flattened). */
  messages: unknown[];
  /** SSE events seen (any type) and `:` comment lines (keepalives). */
  events: number;
  keepalives: number;
  /** Failures that make the exchange untrustworthy (bad JSON...), human-readable. */
  problems: string[];
  /** Harmless oddities (an SSE event type other than `message`, an event without data). */
  warnings: string[];
}

export interface ResponsePick {
  response?: JsonRpcResponse;
  /** Server notifications (progress, logging...) that came before or after the response. */
  notifications: ServerNotification[];
  /** Responses whose id did not match: a sign of crossed wires. */
  strayResponses: JsonRpcResponse[];
  problems: string[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function pushJson(text: string, into: ParsedBody, where: string): void {
  try {
    const value: unknown = JSON.parse(text);
    if (Array.isArray(value)) into.messages.push(...value);
    else into.messages.push(value);
  } catch {
    into.problems.push(`${where}: not valid JSON: ${text.slice(0, 120)}`);
  }
}

/**
 * Parses a Server-Sent Events stream (WHATWG rules: `field: value`, one optional space after
 * the colon, `:` comments, blank line dispatches). A trailing event without its blank line is
 * still dispatched: the body is complete when we see it, so nothing more can arrive.
 */
function parseSse(body: string, into: ParsedBody): void {
  let dataLines: string[] = [];
  let eventType = '';
  let hasField = false;
  const dispatch = (): void => {
    if (hasField) {
      into.events++;
      const type = eventType === '' ? 'message' : eventType;
      // WHATWG SSE never dispatches an event with no data; neither do we.
      if (type !== 'message') into.warnings.push(`ignored SSE event of type "${type}"`);
      else if (dataLines.length === 0) into.warnings.push('SSE message event without data');
      else pushJson(dataLines.join('\n'), into, 'SSE data');
    }
    dataLines = [];
    eventType = '';
    hasField = false;
  };
  for (const line of body.split(/\r\n|\r|\n/)) {
    if (line === '') {
      dispatch();
      continue;
    }
    if (line.startsWith(':')) {
      into.keepalives++;
      continue;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    hasField = true;
    if (field === 'data') dataLines.push(value);
    else if (field === 'event') eventType = value;
    // `id` and `retry` matter only for resumption, which a load test never does.
  }
  dispatch();
}

function looksLikeSse(body: string): boolean {
  return /^(?:data|event|id|retry):/m.test(body) || /^:/.test(body);
}

/**
 * Parses a response body. The content type decides when present; otherwise the body is
 * sniffed (JSON starts with `{` or `[`). Never throws: failures land in `problems`.
 */
export function parseBody(body: string | null | undefined, contentType?: string): ParsedBody {
  const parsed: ParsedBody = {
    format: 'empty',
    messages: [],
    events: 0,
    keepalives: 0,
    problems: [],
    warnings: [],
  };
  const text = body ?? '';
  if (text.trim() === '') return parsed;
  const type = (contentType ?? '').toLowerCase();
  const trimmed = text.trimStart();
  if (type.includes('text/event-stream') || (!type.includes('json') && looksLikeSse(text))) {
    parsed.format = 'sse';
    parseSse(text, parsed);
  } else if (type.includes('json') || trimmed.startsWith('{') || trimmed.startsWith('[')) {
    parsed.format = 'json';
    pushJson(text, parsed, 'JSON body');
  } else {
    parsed.format = 'unknown';
    parsed.problems.push(`unrecognised body (content-type "${contentType ?? ''}"): ${text.slice(0, 120)}`);
  }
  return parsed;
}

function isError(value: unknown): value is JsonRpcError {
  return isObject(value) && typeof value.code === 'number' && typeof value.message === 'string';
}

/**
 * Finds the JSON-RPC response whose id equals `id` (strictly: `1` and `"1"` differ, as they
 * do for a JSON-RPC client) and collects notifications. Server-to-client requests (they
 * carry both id and method) are reported as problems: a stateless load client cannot answer.
 */
export function pickResponse(parsed: ParsedBody, id: RequestId): ResponsePick {
  const pick: ResponsePick = { notifications: [], strayResponses: [], problems: [...parsed.problems] };
  for (const message of parsed.messages) {
    if (!isObject(message)) {
      pick.problems.push(`non-object JSON-RPC message: ${JSON.stringify(message)?.slice(0, 80)}`);
      continue;
    }
    if (typeof message.method === 'string') {
      if ('id' in message) pick.problems.push(`unexpected server request "${message.method}"`);
      else pick.notifications.push({ method: message.method, params: message.params });
      continue;
    }
    if (!('id' in message)) {
      pick.problems.push('message with neither method nor id');
      continue;
    }
    const response: JsonRpcResponse = { jsonrpc: message.jsonrpc, id: message.id };
    if ('result' in message) response.result = message.result;
    if ('error' in message && isError(message.error)) response.error = message.error;
    else if ('error' in message) pick.problems.push('malformed JSON-RPC error object');
    if (message.id === id && pick.response === undefined) pick.response = response;
    else if (message.id === id) pick.problems.push(`duplicate response for id ${String(id)}`);
    else pick.strayResponses.push(response);
  }
  return pick;
}

/** Parses `body` and picks the response to request `id` in one call. */
export function parseResponse(
  body: string | null | undefined,
  contentType: string | undefined,
  id: RequestId,
) {
  const parsed = parseBody(body, contentType);
  return { parsed, ...pickResponse(parsed, id) };
}
