// Answers plain 2025-era tools/list and tools/call straight from the tool registry, as the SDK would.
//
// Why: these two messages are nearly all of an assistant's traffic, and the SDK's stateless path spends most
// of its time on them converting Node req/res to web Request/Response, building a transport and validating
// the message with zod — several times our own work per call. Only messages whose answer cannot differ
// are taken here (checked by a byte-for-byte comparison test); everything else goes to the SDK unchanged.
import type { ServerResponse } from 'node:http';
import {
  type CallToolResult,
  isJsonContentType,
  ProtocolError,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/server';
import type { RequestContext } from '../mcp/request-context.js';
import type { ToolRegistry } from '../mcp/tool-registry.js';
import { textIsStructuredJson } from '../mcp/tool-result.js';

/** Revisions from this date on are the 2026-07-28 era (per-request envelope), served by the SDK. */
const MODERN_ERA_START = '2026-07-28';
const LEGACY_VERSIONS: ReadonlySet<string> = new Set(
  SUPPORTED_PROTOCOL_VERSIONS.filter((v) => v < MODERN_ERA_START),
);

type RequestId = string | number;

export type DirectMessage =
  | { method: 'tools/list'; id: RequestId }
  | { method: 'tools/call'; id: RequestId; name: string; arguments: Record<string, unknown> | undefined };

type Headers = Record<string, string | string[] | undefined>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasOnlyKeys(value: Record<string, unknown>, allowed: ReadonlySet<string>): boolean {
  for (const key in value) if (!allowed.has(key)) return false;
  return true;
}

const ENVELOPE_KEYS: ReadonlySet<string> = new Set(['jsonrpc', 'id', 'method', 'params']);
const LIST_PARAM_KEYS: ReadonlySet<string> = new Set(['cursor']);
const CALL_PARAM_KEYS: ReadonlySet<string> = new Set(['name', 'arguments']);

/**
 * The message, when it is one the SDK would serve on its 2025-era stateless path with nothing but our
 * handler's answer: headers it accepts, one request (no batch, no notification), no `_meta` (so no progress
 * token and no 2026-07-28 envelope) and params of the exact expected shape. Anything else: undefined.
 */
export function directMessage(headers: Headers, body: unknown): DirectMessage | undefined {
  const contentType = headers['content-type'];
  if (typeof contentType !== 'string' || !isJsonContentType(contentType)) return undefined;
  const accept = headers.accept;
  if (
    typeof accept !== 'string' ||
    !accept.includes('application/json') ||
    !accept.includes('text/event-stream')
  )
    return undefined;
  const version = headers['mcp-protocol-version'];
  if (version !== undefined && (typeof version !== 'string' || !LEGACY_VERSIONS.has(version)))
    return undefined;

  if (!isPlainObject(body) || !hasOnlyKeys(body, ENVELOPE_KEYS) || body.jsonrpc !== '2.0') return undefined;
  const id = body.id;
  if (!(typeof id === 'string' || (typeof id === 'number' && Number.isSafeInteger(id)))) return undefined;
  const params = body.params;
  if (body.method === 'tools/list') {
    // One page holds every tool, so a cursor changes nothing (as in the SDK handler); a bad one is its error.
    const plain =
      params === undefined ||
      (isPlainObject(params) &&
        hasOnlyKeys(params, LIST_PARAM_KEYS) &&
        (params.cursor === undefined || typeof params.cursor === 'string'));
    return plain ? { method: 'tools/list', id } : undefined;
  }
  if (body.method !== 'tools/call' || !isPlainObject(params) || !hasOnlyKeys(params, CALL_PARAM_KEYS))
    return undefined;
  const args = params.arguments;
  if (typeof params.name !== 'string' || !(args === undefined || isPlainObject(args))) return undefined;
  return { method: 'tools/call', id, name: params.name, arguments: args };
}

/** The SDK's framing of a single response on its 2025-era POST stream. */
function writeSse(res: ServerResponse, json: string): void {
  if (res.headersSent || res.destroyed) return;
  // Encoded once: the length and the write share one pass over the (often 10 kB+) text.
  const payload = Buffer.from(`event: message\ndata: ${json}\n\n`, 'utf8');
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache, no-transform',
    'x-accel-buffering': 'no',
    'content-length': payload.length,
  });
  res.end(payload);
}

/** JSON.stringify(result), without serialising the same data a second time when the text already is it. */
function serialiseResult(result: CallToolResult): string {
  const only = result.content.length === 1 ? result.content[0] : undefined;
  if (only?.type !== 'text' || result.isError !== undefined || !textIsStructuredJson(result)) {
    return JSON.stringify(result);
  }
  return `{"content":[{"type":"text","text":${JSON.stringify(only.text)}}],"structuredContent":${only.text}}`;
}

export function createDirectDispatch(tools: ToolRegistry) {
  const noNotifications = async () => {};

  async function answer(message: DirectMessage, rctx: RequestContext): Promise<string> {
    const id = JSON.stringify(message.id);
    // Serialised once per exposure by the registry: tools/list answers are the bulk of the bytes.
    if (message.method === 'tools/list')
      return `{"result":${tools.listJson(rctx.exposure)},"jsonrpc":"2.0","id":${id}}`;
    try {
      const result = await tools.call({ name: message.name, arguments: message.arguments }, rctx, {
        signal: rctx.signal,
        notify: noNotifications,
      });
      return `{"result":${serialiseResult(result)},"jsonrpc":"2.0","id":${id}}`;
    } catch (error) {
      // The registry turns tool failures (invalid arguments too) into results; what is thrown is a protocol
      // error (unknown tool), rendered as the SDK renders it.
      const e =
        error instanceof ProtocolError
          ? {
              code: error.code,
              message: error.message,
              ...(error.data !== undefined ? { data: error.data } : {}),
            }
          : { code: -32603, message: 'Internal error' };
      if (!(error instanceof ProtocolError)) rctx.logger.error({ err: error }, 'direct dispatch failed');
      return JSON.stringify({ jsonrpc: '2.0', id: message.id, error: e });
    }
  }

  return {
    /** Serves the message and resolves when the response is written. */
    async serve(message: DirectMessage, rctx: RequestContext, res: ServerResponse): Promise<void> {
      writeSse(res, await answer(message, rctx));
    },
  };
}

export type DirectDispatch = ReturnType<typeof createDirectDispatch>;
