// JSON-RPC request and HTTP header builders for both MCP wire eras (2025-era handshake, 2026-07-28 envelope).
import { base64Encode } from './encoding.js';
import { LATEST_LEGACY_PROTOCOL_VERSION, MCP_ACCEPT, MCP_HEADERS, MODERN_PROTOCOL_VERSION } from './wire.js';

export { LATEST_LEGACY_PROTOCOL_VERSION, MCP_ACCEPT, MCP_HEADERS, MODERN_PROTOCOL_VERSION };

export type RequestId = string | number;
export type JsonObject = Record<string, unknown>;

export interface JsonRpcRequest {
  jsonrpc: '2.0';
  id: RequestId;
  method: string;
  params?: JsonObject;
}

export interface JsonRpcNotification {
  jsonrpc: '2.0';
  method: string;
  params?: JsonObject;
}

export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification;

/** What a client says about itself; the SDK's Implementation schema needs both fields. */
export interface ClientInfo {
  name: string;
  version: string;
}

/** The 2025-era revisions a load test may negotiate (the server also knows older ones). */
export const LEGACY_PROTOCOL_VERSIONS = ['2025-03-26', '2025-06-18', LATEST_LEGACY_PROTOCOL_VERSION] as const;
export type LegacyProtocolVersion = (typeof LEGACY_PROTOCOL_VERSIONS)[number];

/** Reserved `_meta` keys of the per-request envelope (core `constants.ts` in the SDK). */
export const META_KEYS = {
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
  clientCapabilities: 'io.modelcontextprotocol/clientCapabilities',
  logLevel: 'io.modelcontextprotocol/logLevel',
} as const;

export const DEFAULT_CLIENT_INFO: ClientInfo = { name: 'airflow-mcp-loadtest', version: '0.1.0' };

/**
 * Which body field each method's `Mcp-Name` header mirrors (SEP-2243 table; the SDK's
 * MCP_NAME_HEADER_SOURCE). A missing or mismatched header is a 400 / -32020 on the server.
 */
export const MCP_NAME_SOURCE: ReadonlyMap<string, string> = new Map([
  ['tools/call', 'name'],
  ['prompts/get', 'name'],
  ['resources/read', 'uri'],
  ['tasks/get', 'taskId'],
  ['tasks/update', 'taskId'],
  ['tasks/cancel', 'taskId'],
]);

function request(id: RequestId, method: string, params?: JsonObject): JsonRpcRequest {
  return params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params };
}

// ---- 2025 era -------------------------------------------------------------------------------

export interface InitializeOptions {
  protocolVersion?: LegacyProtocolVersion;
  clientInfo?: ClientInfo;
  capabilities?: JsonObject;
}

export function initializeRequest(id: RequestId, options: InitializeOptions = {}): JsonRpcRequest {
  return request(id, 'initialize', {
    protocolVersion: options.protocolVersion ?? LATEST_LEGACY_PROTOCOL_VERSION,
    capabilities: options.capabilities ?? {},
    clientInfo: options.clientInfo ?? DEFAULT_CLIENT_INFO,
  });
}

export function initializedNotification(): JsonRpcNotification {
  return { jsonrpc: '2.0', method: 'notifications/initialized' };
}

export function toolsListRequest(id: RequestId, cursor?: string): JsonRpcRequest {
  return request(id, 'tools/list', cursor === undefined ? undefined : { cursor });
}

export interface ToolCallOptions {
  /** Asks the server for progress notifications (which forces an SSE answer when it sends any). */
  progressToken?: string | number;
}

export function toolsCallRequest(
  id: RequestId,
  name: string,
  args: JsonObject = {},
  options: ToolCallOptions = {},
): JsonRpcRequest {
  const params: JsonObject = { name, arguments: args };
  if (options.progressToken !== undefined) params._meta = { progressToken: options.progressToken };
  return request(id, 'tools/call', params);
}

// ---- 2026-07-28 era -------------------------------------------------------------------------

export interface EnvelopeOptions {
  protocolVersion?: string;
  clientInfo?: ClientInfo;
  /** Per-request client capabilities; `{}` declares none. */
  capabilities?: JsonObject;
  logLevel?: string;
}

/**
 * The per-request `_meta` envelope, in the key order the SDK's 2026 codec emits
 * (`outboundEnvelope`). protocolVersion and clientCapabilities are required by the server;
 * clientInfo is a SHOULD, and we always send it.
 */
export function modernEnvelope(options: EnvelopeOptions = {}): JsonObject {
  const envelope: JsonObject = {
    [META_KEYS.protocolVersion]: options.protocolVersion ?? MODERN_PROTOCOL_VERSION,
    [META_KEYS.clientInfo]: options.clientInfo ?? DEFAULT_CLIENT_INFO,
    [META_KEYS.clientCapabilities]: options.capabilities ?? {},
  };
  if (options.logLevel !== undefined) envelope[META_KEYS.logLevel] = options.logLevel;
  return envelope;
}

/** Returns a copy of `message` whose `params._meta` carries the envelope (other `_meta` keys kept). */
export function withEnvelope(message: JsonRpcRequest, options: EnvelopeOptions = {}): JsonRpcRequest {
  const params: JsonObject = { ...(message.params ?? {}) };
  const existing = params._meta;
  const meta = existing !== null && typeof existing === 'object' ? (existing as JsonObject) : {};
  params._meta = { ...meta, ...modernEnvelope(options) };
  return { ...message, params };
}

/** `server/discover`: the envelope era's replacement for initialize (its params hold only `_meta`). */
export function discoverRequest(id: RequestId, options: EnvelopeOptions = {}): JsonRpcRequest {
  return withEnvelope(request(id, 'server/discover'), options);
}

export function modernToolsListRequest(id: RequestId, options: EnvelopeOptions = {}): JsonRpcRequest {
  return withEnvelope(toolsListRequest(id), options);
}

export function modernToolsCallRequest(
  id: RequestId,
  name: string,
  args: JsonObject = {},
  options: EnvelopeOptions & ToolCallOptions = {},
): JsonRpcRequest {
  return withEnvelope(toolsCallRequest(id, name, args, options), options);
}

// ---- HTTP headers ---------------------------------------------------------------------------

/**
 * Encodes a value for an `Mcp-Name` / `Mcp-Param-*` header the way the SDK does
 * (`encodeMcpParamValue`): plain printable ASCII passes through; anything else (empty,
 * leading/trailing whitespace, non-ASCII, or sentinel-shaped) becomes `=?base64?...?=`.
 */
export function encodeMcpHeaderValue(value: string): string {
  const sentinel = value.startsWith('=?base64?') && value.endsWith('?=');
  const plain = value.length > 0 && !sentinel && value === value.trim() && /^[\t\x20-\x7e]*$/.test(value);
  return plain ? value : `=?base64?${base64Encode(value)}?=`;
}

export interface HeaderOptions {
  /** Full `Authorization` header value, e.g. `Bearer eyJ...` or `Basic dXNlcjpwdw==`. */
  authorization?: string;
  /** Sent as-is: a stateless server must ignore it, a stateful one routes by it. */
  sessionId?: string;
}

/** Headers every MCP POST needs: without both Accept types the server answers 406. */
export function baseHeaders(options: HeaderOptions = {}): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    Accept: MCP_ACCEPT,
  };
  if (options.authorization !== undefined && options.authorization !== '') {
    headers.Authorization = options.authorization;
  }
  if (options.sessionId !== undefined) headers[MCP_HEADERS.sessionId] = options.sessionId;
  return headers;
}

/**
 * 2025-era headers. `protocolVersion` is the negotiated version and belongs on every request
 * after initialize (the initialize POST itself carries none, like the SDK clients).
 */
export function legacyHeaders(
  options: HeaderOptions & { protocolVersion?: string } = {},
): Record<string, string> {
  const headers = baseHeaders(options);
  if (options.protocolVersion !== undefined) headers[MCP_HEADERS.protocolVersion] = options.protocolVersion;
  return headers;
}

/**
 * 2026-07-28 headers derived from the message itself, as the SDK client transport does
 * (`_applyBodyDerivedHeaders`): MCP-Protocol-Version from the envelope, Mcp-Method from the
 * method, Mcp-Name from the mirrored params field. The server cross-checks all three.
 */
export function modernHeaders(message: JsonRpcRequest, options: HeaderOptions = {}): Record<string, string> {
  const headers = baseHeaders(options);
  const meta = message.params?._meta as JsonObject | undefined;
  const version = meta?.[META_KEYS.protocolVersion];
  headers[MCP_HEADERS.protocolVersion] = typeof version === 'string' ? version : MODERN_PROTOCOL_VERSION;
  headers[MCP_HEADERS.method] = message.method;
  // A Map, not an object literal: a method named "toString" must not find a prototype entry.
  const field = MCP_NAME_SOURCE.get(message.method);
  const value = field === undefined ? undefined : message.params?.[field];
  if (typeof value === 'string') headers[MCP_HEADERS.name] = encodeMcpHeaderValue(value);
  return headers;
}

/** Case-insensitive header lookup over k6 (canonical-case) and undici (lower-case) header maps. */
export function headerValue(
  headers: Readonly<Record<string, string | readonly string[] | undefined>>,
  name: string,
): string | undefined {
  const wanted = name.toLowerCase();
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() !== wanted) continue;
    const value = headers[key];
    if (value === undefined) continue;
    return typeof value === 'string' ? value : value.join(', ');
  }
  return undefined;
}
