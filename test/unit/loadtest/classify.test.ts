// Exchange classification: session errors, protocol errors, tool errors and identity mismatches are told apart.
import { describe, expect, it } from 'vitest';
import type { Exchange, Expectation } from '../../../loadtest/lib/classify.js';
import { classifyExchange, extractIdentity, mentionsSession } from '../../../loadtest/lib/classify.js';

const JSON_HEADERS = { 'Content-Type': 'application/json' };
const SSE_HEADERS = { 'content-type': 'text/event-stream' };

function json(status: number, body: unknown): Exchange {
  return { status, headers: JSON_HEADERS, body: typeof body === 'string' ? body : JSON.stringify(body) };
}
function rpc(id: unknown, result: unknown): Exchange {
  return json(200, { jsonrpc: '2.0', id, result });
}
function whoamiResult(value: string, extra: Record<string, unknown> = {}) {
  return { content: [{ type: 'text', text: JSON.stringify({ key: 'sim_whoami', value }) }], ...extra };
}

const call: Expectation = { kind: 'response', id: 4, method: 'tools/call', era: 'legacy' };
const whoami: Expectation = { ...call, expectUser: 'alice' };
const FLAGS = {
  sessionError: false,
  protocolError: false,
  toolError: false,
  tokenMismatch: false,
  httpError: false,
};

describe('session errors', () => {
  it.each([
    [
      400,
      {
        jsonrpc: '2.0',
        error: { code: -32000, message: 'Bad Request: No valid session ID provided' },
        id: null,
      },
    ],
    [404, { jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null }],
    [400, 'Bad Request'],
    [404, ''],
  ])('counts HTTP %i as a session error', (status, body) => {
    const c = classifyExchange(json(status, body), call);
    expect(c).toMatchObject({ ...FLAGS, ok: false, sessionError: true, status });
    expect(c.reason).toMatch(new RegExp(`^HTTP ${status}`));
  });

  it('quotes the JSON-RPC error message of a 404 in the reason', () => {
    const body = { jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: 4 };
    expect(classifyExchange(json(404, body), call).reason).toBe('HTTP 404: Session not found');
  });

  it.each(['Session not found', 'No valid session ID provided', 'Bad Request: Server not initialized'])(
    'counts a 200 JSON-RPC error saying %j as a session error',
    (message) => {
      const c = classifyExchange(
        json(200, { jsonrpc: '2.0', id: 4, error: { code: -32000, message } }),
        call,
      );
      expect(c).toMatchObject({ ...FLAGS, ok: false, sessionError: true, error: { code: -32000, message } });
    },
  );

  it('matches session wording case-insensitively and nothing else', () => {
    expect(mentionsSession('SESSION expired')).toBe(true);
    expect(mentionsSession('Server not initialized')).toBe(true);
    expect(mentionsSession('Invalid params')).toBe(false);
  });
});

describe('protocol errors', () => {
  it.each([
    ['an unparseable body', json(200, '{"jsonrpc":')],
    ['an empty body', json(200, '')],
    ['a response to another id', rpc(5, whoamiResult('alice'))],
    ['a string id where a number was sent', rpc('4', whoamiResult('alice'))],
    ['jsonrpc 1.0', json(200, { jsonrpc: '1.0', id: 4, result: whoamiResult('alice') })],
    ['a missing result', json(200, { jsonrpc: '2.0', id: 4 })],
    ['a non-object result', rpc(4, 'yes')],
    ['a tools/call result without content', rpc(4, { structuredContent: {} })],
    [
      'a non-RPC JSON-RPC error',
      json(200, { jsonrpc: '2.0', id: 4, error: { code: -32602, message: 'Invalid params' } }),
    ],
    ['an HTML page', { status: 200, headers: { 'content-type': 'text/html' }, body: '<html></html>' }],
  ])('flags %s', (_label, exchange) => {
    const c = classifyExchange(exchange, call);
    expect(c).toMatchObject({ ...FLAGS, ok: false, protocolError: true });
    expect(c.reason).not.toBe('');
  });

  it('names the wrong id in the reason', () => {
    expect(classifyExchange(rpc(5, whoamiResult('alice')), call).reason).toBe('response id 5 instead of 4');
  });

  it('flags an absent identity on a whoami call', () => {
    const c = classifyExchange(rpc(4, { content: [{ type: 'text', text: 'hello' }] }), whoami);
    expect(c).toMatchObject({ ...FLAGS, protocolError: true, reason: 'tool result names no identity' });
  });

  it.each([
    ['initialize', { capabilities: {} }, 'initialize result without protocolVersion'],
    ['initialize', { protocolVersion: '2025-06-18' }, 'initialize result without capabilities'],
    ['tools/list', { nextCursor: 'x' }, 'tools/list result without a tools array'],
  ])('checks the %s result shape', (method, result, reason) => {
    const c = classifyExchange(rpc(1, result), { kind: 'response', id: 1, method, era: 'legacy' });
    expect(c).toMatchObject({ protocolError: true, reason });
  });

  it('requires resultType "complete" on modern results and a 2026 revision from server/discover', () => {
    const expectation: Expectation = { kind: 'response', id: 1, method: 'server/discover', era: 'modern' };
    const good = { resultType: 'complete', supportedVersions: ['2026-07-28'], capabilities: {} };
    expect(classifyExchange(rpc(1, good), expectation).ok).toBe(true);
    expect(classifyExchange(rpc(1, { ...good, resultType: undefined }), expectation).protocolError).toBe(
      true,
    );
    const old = classifyExchange(rpc(1, { ...good, supportedVersions: ['2025-11-25'] }), expectation);
    expect(old.reason).toMatch(/does not list 2026-07-28/);
  });

  it('requires the named tools in tools/list', () => {
    const expectation: Expectation = {
      kind: 'response',
      id: 1,
      method: 'tools/list',
      era: 'legacy',
      requireTools: ['get_variable', 'list_dags'],
    };
    const c = classifyExchange(rpc(1, { tools: [{ name: 'list_dags' }] }), expectation);
    expect(c).toMatchObject({ protocolError: true, reason: 'tools/list lacks get_variable' });
  });

  it('wants 202 for a notification', () => {
    expect(classifyExchange({ status: 202, headers: {}, body: '' }, { kind: 'accepted' })).toMatchObject({
      ok: true,
    });
    expect(classifyExchange(json(200, ''), { kind: 'accepted' })).toMatchObject({ protocolError: true });
  });
});

describe('tool errors, mismatches and success', () => {
  it('flags isError results as tool errors', () => {
    const result = {
      isError: true,
      content: [{ type: 'text', text: 'forbidden' }],
      structuredContent: { code: 'x' },
    };
    expect(classifyExchange(rpc(4, result), whoami)).toMatchObject({ ...FLAGS, ok: false, toolError: true });
  });

  it('detects another caller identity in the text JSON', () => {
    const c = classifyExchange(rpc(4, whoamiResult('bob')), whoami);
    expect(c).toMatchObject({ ...FLAGS, ok: false, tokenMismatch: true, identity: 'bob' });
    expect(c.reason).toBe('called as "alice", answered as "bob"');
  });

  it('prefers structuredContent.value over the text block', () => {
    const result = whoamiResult('alice', { structuredContent: { key: 'sim_whoami', value: 'mallory' } });
    expect(classifyExchange(rpc(4, result), whoami)).toMatchObject({
      tokenMismatch: true,
      identity: 'mallory',
    });
  });

  it('accepts the caller identity, from an SSE answer with progress notifications', () => {
    const body = [
      ': keepalive',
      '',
      `event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/progress', params: { progress: 1 } })}`,
      '',
      `event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', id: 4, result: whoamiResult('alice') })}`,
      '',
    ].join('\n');
    const c = classifyExchange({ status: 200, headers: SSE_HEADERS, body }, whoami);
    expect(c).toMatchObject({ ...FLAGS, ok: true, reason: '', identity: 'alice' });
    expect(c.notifications).toHaveLength(1);
  });

  it('counts other statuses as HTTP errors, not session errors', () => {
    for (const status of [0, 401, 406, 415, 429, 500, 502, 503]) {
      expect(classifyExchange(json(status, ''), call)).toMatchObject({
        ...FLAGS,
        ok: false,
        httpError: true,
      });
    }
  });

  it('extracts identity only from string values', () => {
    expect(extractIdentity({ structuredContent: { value: 1 }, content: [] })).toBeUndefined();
    expect(extractIdentity({ content: [{ type: 'text', text: '{"value":"x"}' }] })).toBe('x');
    expect(
      extractIdentity({
        content: [
          { type: 'image', data: '' },
          { type: 'text', text: '{"value":"y"}' },
        ],
      }),
    ).toBe('y');
  });
});
