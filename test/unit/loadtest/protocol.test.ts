// Request and header builders: exact JSON-RPC shapes for both eras and the SDK's header rules.
import { describe, expect, it } from 'vitest';
import {
  baseHeaders,
  DEFAULT_CLIENT_INFO,
  discoverRequest,
  encodeMcpHeaderValue,
  headerValue,
  initializedNotification,
  initializeRequest,
  LEGACY_PROTOCOL_VERSIONS,
  legacyHeaders,
  META_KEYS,
  MODERN_PROTOCOL_VERSION,
  modernEnvelope,
  modernHeaders,
  modernToolsCallRequest,
  modernToolsListRequest,
  toolsCallRequest,
  toolsListRequest,
  withEnvelope,
} from '../../../loadtest/lib/protocol.js';

const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'airflow-mcp-loadtest', version: '0.1.0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

describe('2025-era builders', () => {
  it('builds initialize with version, empty capabilities and client info', () => {
    expect(initializeRequest(1, { protocolVersion: '2025-06-18' })).toStrictEqual({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: DEFAULT_CLIENT_INFO },
    });
    expect(initializeRequest('a').params?.protocolVersion).toBe('2025-11-25');
  });

  it('lists exactly the three 2025 revisions a load test negotiates', () => {
    expect([...LEGACY_PROTOCOL_VERSIONS]).toStrictEqual(['2025-03-26', '2025-06-18', '2025-11-25']);
  });

  it('builds the initialized notification without id or params', () => {
    expect(initializedNotification()).toStrictEqual({ jsonrpc: '2.0', method: 'notifications/initialized' });
  });

  it('builds tools/list with params only when a cursor is given', () => {
    expect(toolsListRequest(2)).toStrictEqual({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    expect(toolsListRequest(2, 'c1')).toStrictEqual({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/list',
      params: { cursor: 'c1' },
    });
  });

  it('builds tools/call with arguments and an optional progress token', () => {
    expect(toolsCallRequest(3, 'get_variable', { key: 'k' })).toStrictEqual({
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: { name: 'get_variable', arguments: { key: 'k' } },
    });
    expect(toolsCallRequest(3, 'list_dags', {}, { progressToken: 9 }).params).toStrictEqual({
      name: 'list_dags',
      arguments: {},
      _meta: { progressToken: 9 },
    });
  });
});

describe('2026-07-28 builders', () => {
  it('uses the SDK reserved _meta keys', () => {
    expect(META_KEYS).toStrictEqual({
      protocolVersion: 'io.modelcontextprotocol/protocolVersion',
      clientInfo: 'io.modelcontextprotocol/clientInfo',
      clientCapabilities: 'io.modelcontextprotocol/clientCapabilities',
      logLevel: 'io.modelcontextprotocol/logLevel',
    });
    expect(MODERN_PROTOCOL_VERSION).toBe('2026-07-28');
  });

  it('builds the envelope with version, client info and capabilities (log level only on request)', () => {
    expect(modernEnvelope()).toStrictEqual(ENVELOPE);
    expect(modernEnvelope({ logLevel: 'debug', capabilities: { roots: {} } })).toStrictEqual({
      ...ENVELOPE,
      'io.modelcontextprotocol/clientCapabilities': { roots: {} },
      'io.modelcontextprotocol/logLevel': 'debug',
    });
  });

  it('builds server/discover whose only params are the envelope', () => {
    expect(discoverRequest(1)).toStrictEqual({
      jsonrpc: '2.0',
      id: 1,
      method: 'server/discover',
      params: { _meta: ENVELOPE },
    });
  });

  it('puts the envelope on tools/list and tools/call, keeping a progress token beside it', () => {
    expect(modernToolsListRequest(2).params).toStrictEqual({ _meta: ENVELOPE });
    expect(
      modernToolsCallRequest(3, 'get_variable', { key: 'k' }, { progressToken: 'p' }).params,
    ).toStrictEqual({
      name: 'get_variable',
      arguments: { key: 'k' },
      _meta: { progressToken: 'p', ...ENVELOPE },
    });
  });

  it('does not mutate the request it wraps', () => {
    const original = toolsCallRequest(4, 'x', {}, { progressToken: 1 });
    const copy = structuredClone(original);
    withEnvelope(original);
    expect(original).toStrictEqual(copy);
  });
});

describe('headers', () => {
  it('always sends JSON content type and both Accept types; Authorization only when given', () => {
    expect(baseHeaders()).toStrictEqual({
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
    });
    expect(baseHeaders({ authorization: '' })).not.toHaveProperty('Authorization');
    expect(baseHeaders({ authorization: 'Bearer t', sessionId: 's' })).toMatchObject({
      Authorization: 'Bearer t',
      'Mcp-Session-Id': 's',
    });
  });

  it('adds MCP-Protocol-Version to 2025-era requests only after negotiation', () => {
    expect(legacyHeaders()).not.toHaveProperty('MCP-Protocol-Version');
    expect(legacyHeaders({ protocolVersion: '2025-03-26' })['MCP-Protocol-Version']).toBe('2025-03-26');
    expect(legacyHeaders({ protocolVersion: '2025-03-26' })).not.toHaveProperty('Mcp-Method');
  });

  it('derives MCP-Protocol-Version, Mcp-Method and Mcp-Name from a modern message', () => {
    const call = modernToolsCallRequest(1, 'get_variable', {});
    expect(modernHeaders(call, { authorization: 'Bearer t' })).toStrictEqual({
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      Authorization: 'Bearer t',
      'MCP-Protocol-Version': '2026-07-28',
      'Mcp-Method': 'tools/call',
      'Mcp-Name': 'get_variable',
    });
    const list = modernHeaders(modernToolsListRequest(2));
    expect(list['Mcp-Method']).toBe('tools/list');
    expect(list).not.toHaveProperty('Mcp-Name');
  });

  it('does not take Mcp-Name from Object.prototype for a method named like a builtin', () => {
    expect(modernHeaders(withEnvelope({ jsonrpc: '2.0', id: 1, method: 'toString' }))).not.toHaveProperty(
      'Mcp-Name',
    );
  });

  it.each([
    ['get_variable', 'get_variable'],
    ['', '=?base64??='],
    [' padded', '=?base64?IHBhZGRlZA==?='],
    ['café', '=?base64?Y2Fmw6k=?='],
    ['=?base64?abc?=', '=?base64?PT9iYXNlNjQ/YWJjPz0=?='],
  ])('encodes header value %j as %j, like the SDK', (input, expected) => {
    expect(encodeMcpHeaderValue(input)).toBe(expected);
  });

  it('looks headers up case-insensitively and joins repeated values', () => {
    const headers = { 'X-Served-By': 'pod-a', 'set-cookie': ['a', 'b'], missing: undefined };
    expect(headerValue(headers, 'x-served-by')).toBe('pod-a');
    expect(headerValue(headers, 'Set-Cookie')).toBe('a, b');
    expect(headerValue(headers, 'missing')).toBeUndefined();
    expect(headerValue(headers, 'other')).toBeUndefined();
  });
});
