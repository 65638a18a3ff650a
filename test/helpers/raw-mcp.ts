// Raw JSON-RPC over HTTP for tests that check status codes and headers the SDK clients hide.
// Messages and headers come from loadtest/lib/protocol.ts, the one place they are built.
import { request } from 'undici';
import { parseResponse } from '../../loadtest/lib/parse.js';
import {
  initializeRequest,
  type JsonObject,
  LATEST_LEGACY_PROTOCOL_VERSION,
  type LegacyProtocolVersion,
  MCP_ACCEPT,
  MCP_HEADERS,
  toolsCallRequest,
} from '../../loadtest/lib/protocol.js';

export { MCP_ACCEPT };

export interface RawExchange {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The JSON-RPC response with the request's id, when there is one. */
  rpc: { result?: Record<string, unknown>; error?: { code: number; message: string } } | undefined;
}

export async function rawPost(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<RawExchange> {
  const res = await request(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: MCP_ACCEPT,
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.body.text();
  const id = (body as { id?: string | number } | undefined)?.id;
  const contentType = String(res.headers['content-type'] ?? '');
  const rpc =
    id !== undefined
      ? (parseResponse(text, contentType, id).response as RawExchange['rpc'])
      : (parseResponse(text, contentType, null as never).parsed.messages[0] as RawExchange['rpc']);
  return { status: res.statusCode, headers: res.headers, text, rpc };
}

/** initialize; any version string, so tests can also offer ones the server must refuse. */
export const initialize = (id: number, protocolVersion: string = LATEST_LEGACY_PROTOCOL_VERSION) =>
  initializeRequest(id, {
    protocolVersion: protocolVersion as LegacyProtocolVersion,
    clientInfo: { name: 'raw-test', version: '1.0.0' },
  });

/** tools/list with empty params, as the SDK clients send it. */
export const toolsList = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/list', params: {} });

export const toolsCall = (id: number, name: string, args: JsonObject = {}) =>
  toolsCallRequest(id, name, args);

/** Headers a 2025-era client sends after initialize. */
export const legacyHeaders = (extra: Record<string, string> = {}) => ({
  [MCP_HEADERS.protocolVersion.toLowerCase()]: LATEST_LEGACY_PROTOCOL_VERSION,
  ...extra,
});

/** The tool result's JSON payload from a raw exchange. */
export function toolPayload(ex: RawExchange): Record<string, unknown> {
  const result = ex.rpc?.result as {
    structuredContent?: Record<string, unknown>;
    content?: { text?: string }[];
  };
  if (!result) throw new Error(`no result: ${ex.status} ${ex.text.slice(0, 300)}`);
  return (
    result.structuredContent ?? (JSON.parse(result.content?.[0]?.text ?? 'null') as Record<string, unknown>)
  );
}
