// Which messages the HTTP layer may answer itself: only those whose SDK answer is our handler's alone.
import { describe, expect, it } from 'vitest';
import { directMessage } from '../../../src/server/direct-dispatch.js';

const headers = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': '2025-11-25',
};
const call = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_dags', arguments: {} } };

describe('directMessage', () => {
  const listDags = { method: 'tools/call', id: 1, name: 'list_dags', arguments: {} };
  it.each([
    ['tools/call', call, headers, listDags],
    [
      'tools/call without arguments',
      { ...call, params: { name: 'list_pools' } },
      headers,
      { method: 'tools/call', id: 1, name: 'list_pools', arguments: undefined },
    ],
    [
      'tools/list',
      { jsonrpc: '2.0', id: 'a', method: 'tools/list' },
      headers,
      { method: 'tools/list', id: 'a' },
    ],
    [
      'tools/list with a cursor',
      { jsonrpc: '2.0', id: 2, method: 'tools/list', params: { cursor: 'c' } },
      headers,
      { method: 'tools/list', id: 2 },
    ],
    [
      'no protocol header (the SDK assumes 2025-03-26)',
      call,
      { ...headers, 'mcp-protocol-version': undefined },
      listDags,
    ],
    [
      'content type with charset',
      call,
      { ...headers, 'content-type': 'application/json; charset=utf-8' },
      listDags,
    ],
  ])('takes %s', (_name, body, h, expected) => {
    expect(directMessage(h, body)).toStrictEqual(expected);
  });

  it.each([
    ['a progress token', { ...call, params: { ...call.params, _meta: { progressToken: 1 } } }, headers],
    ['a 2026-07-28 request', call, { ...headers, 'mcp-protocol-version': '2026-07-28' }],
    ['an unknown protocol version', call, { ...headers, 'mcp-protocol-version': '1999-01-01' }],
    ['a batch', [call], headers],
    ['a notification', { jsonrpc: '2.0', method: 'notifications/initialized' }, headers],
    ['initialize', { jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }, headers],
    ['a fractional id', { ...call, id: 1.5 }, headers],
    ['a null id', { ...call, id: null }, headers],
    ['a wrong jsonrpc version', { ...call, jsonrpc: '1.0' }, headers],
    ['an extra envelope key', { ...call, extra: true }, headers],
    ['an extra params key', { ...call, params: { ...call.params, task: {} } }, headers],
    ['array arguments', { ...call, params: { name: 'x', arguments: [] } }, headers],
    ['a non-string tool name', { ...call, params: { name: 7 } }, headers],
    ['a non-string cursor', { jsonrpc: '2.0', id: 2, method: 'tools/list', params: { cursor: 1 } }, headers],
    ['missing Accept types', call, { ...headers, accept: 'application/json' }],
    ['another content type', call, { ...headers, 'content-type': 'application/vnd.api+json' }],
  ])('leaves %s to the SDK', (_name, body, h) => {
    expect(directMessage(h, body)).toBeUndefined();
  });
});
