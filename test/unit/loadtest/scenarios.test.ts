// Flow generators: same requests under sync and async senders, ids, session echo, early stop, replica capture.
import { describe, expect, it } from 'vitest';
import type { Exchange } from '../../../loadtest/lib/classify.js';
import type { Era, FlowOptions, StepRequest } from '../../../loadtest/lib/scenarios.js';
import { flowFor, legacyFlow, modernFlow, runFlow, runFlowAsync } from '../../../loadtest/lib/scenarios.js';

interface FakeOptions {
  user?: string;
  sessionId?: string;
  failStep?: string;
  negotiate?: string;
}

/** A scripted MCP server: answers each request well-formed, except the step told to fail. */
function fakeServer(options: FakeOptions = {}) {
  const seen: StepRequest[] = [];
  let count = 0;
  const answer = (request: StepRequest): Exchange => {
    seen.push(request);
    count++;
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'X-Served-By': `pod-${count % 2}`,
    };
    if (options.sessionId !== undefined && request.step === 'initialize')
      headers['Mcp-Session-Id'] = options.sessionId;
    if (request.step === options.failStep) return { status: 404, headers, body: 'Session not found' };
    if (request.step === 'initialized') return { status: 202, headers: {}, body: '' };
    const message = JSON.parse(request.body) as { id: number; params?: { protocolVersion?: string } };
    const modern = request.era === 'modern' ? { resultType: 'complete' } : {};
    const results: Record<string, unknown> = {
      initialize: { protocolVersion: options.negotiate ?? message.params?.protocolVersion, capabilities: {} },
      discover: { supportedVersions: ['2026-07-28'], capabilities: {} },
      'tools/list': { tools: [{ name: 'get_variable' }, { name: 'list_dags' }] },
      whoami: { content: [{ type: 'text', text: JSON.stringify({ value: options.user ?? 'alice' }) }] },
      list_dags: { content: [{ type: 'text', text: '{}' }] },
    };
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: message.id,
      result: { ...modern, ...(results[request.step] as object) },
    });
    return { status: 200, headers, body };
  };
  return { seen, answer };
}

const base: FlowOptions = { user: 'alice', authorization: 'Bearer t' };

describe.each(['legacy', 'modern'] as const)('%s flow', (era: Era) => {
  it('sends identical requests and reaches identical results with sync and async senders', async () => {
    const sync = fakeServer();
    const async = fakeServer();
    const a = runFlow(flowFor(era, base), sync.answer);
    const b = await runFlowAsync(flowFor(era, base), async (r) => async.answer(r));
    expect(b).toStrictEqual(a);
    expect(async.seen).toStrictEqual(sync.seen);
    expect(a.ok).toBe(true);
    expect(a.steps.every((s) => s.classification.ok)).toBe(true);
  });

  it('numbers requests from firstId and sends Authorization on every POST', () => {
    const server = fakeServer();
    runFlow(flowFor(era, { ...base, firstId: 100 }), server.answer);
    const ids = server.seen
      .map((r) => (JSON.parse(r.body) as { id?: number }).id)
      .filter((id) => id !== undefined);
    expect(ids).toStrictEqual([100, 101, 102, 103]);
    expect(server.seen.every((r) => r.headers.Authorization === 'Bearer t')).toBe(true);
  });

  it('records which replica answered each step', () => {
    const result = runFlow(flowFor(era, base), fakeServer().answer);
    expect(result.steps.map((s) => s.replica)).toStrictEqual(
      era === 'legacy'
        ? ['pod-1', undefined, 'pod-1', 'pod-0', 'pod-1']
        : ['pod-1', 'pod-0', 'pod-1', 'pod-0'],
    );
  });

  it('stops at the first failed step, as a real client would', () => {
    const server = fakeServer({ failStep: 'tools/list' });
    const result = runFlow(flowFor(era, base), server.answer);
    expect(result.ok).toBe(false);
    expect(result.abortedAt).toBe('tools/list');
    expect(result.steps.at(-1)?.classification.sessionError).toBe(true);
    expect(server.seen.map((r) => r.step)).not.toContain('whoami');
  });

  it('keeps going after a failure with continueOnError', () => {
    const result = runFlow(
      flowFor(era, { ...base, continueOnError: true }),
      fakeServer({ failStep: 'tools/list' }).answer,
    );
    expect(result.abortedAt).toBeUndefined();
    expect(result.steps.map((s) => s.step)).toContain('list_dags');
    expect(result.ok).toBe(false);
  });

  it('flags a mismatched identity on the whoami step', () => {
    const result = runFlow(flowFor(era, base), fakeServer({ user: 'bob' }).answer);
    expect(result.abortedAt).toBe('whoami');
    expect(result.steps.at(-1)?.classification).toMatchObject({ tokenMismatch: true, identity: 'bob' });
  });

  it('skips whoami without an expected user and list_dags when disabled', () => {
    const server = fakeServer();
    runFlow(flowFor(era, { listDags: false }), server.answer);
    expect(server.seen.map((r) => r.step).filter((s) => s === 'whoami' || s === 'list_dags')).toStrictEqual(
      [],
    );
    const list = server.seen.find((r) => r.step === 'tools/list');
    expect(list).toBeDefined();
  });

  it('turns a thrown send into a status-0 failure, never a retry', async () => {
    let calls = 0;
    const result = await runFlowAsync(flowFor(era, base), () => {
      calls++;
      throw new Error('ECONNREFUSED');
    });
    expect(calls).toBe(1);
    expect(result.steps[0]).toMatchObject({ status: 0, classification: { httpError: true } });
    expect(result.steps[0]?.classification.reason).toContain('ECONNREFUSED');
  });
});

describe('legacy specifics', () => {
  it('uses the negotiated version for MCP-Protocol-Version after initialize', () => {
    const server = fakeServer({ negotiate: '2025-06-18' });
    runFlow(legacyFlow({ ...base, protocolVersion: '2025-11-25' }), server.answer);
    expect(server.seen.map((r) => r.headers['MCP-Protocol-Version'])).toStrictEqual([
      undefined,
      '2025-06-18',
      '2025-06-18',
      '2025-06-18',
      '2025-06-18',
    ]);
  });

  it('echoes an issued session id like an SDK client and reports that one was issued', () => {
    const server = fakeServer({ sessionId: 'sess-1' });
    const result = runFlow(legacyFlow(base), server.answer);
    expect(result.sessionIdIssued).toBe(true);
    expect(server.seen[0]?.headers['Mcp-Session-Id']).toBeUndefined();
    expect(server.seen.slice(1).every((r) => r.headers['Mcp-Session-Id'] === 'sess-1')).toBe(true);
  });

  it('does not echo when told not to, and sends a stale id from the first request when asked', () => {
    const quiet = fakeServer({ sessionId: 'sess-1' });
    runFlow(legacyFlow({ ...base, echoSessionId: false }), quiet.answer);
    expect(quiet.seen.every((r) => r.headers['Mcp-Session-Id'] === undefined)).toBe(true);
    const stale = fakeServer();
    runFlow(legacyFlow({ ...base, staleSessionId: 'old' }), stale.answer);
    expect(stale.seen.every((r) => r.headers['Mcp-Session-Id'] === 'old')).toBe(true);
  });
});

describe('modern specifics', () => {
  it('sends Mcp-Method on every request and Mcp-Name on tool calls, never a session id', () => {
    const server = fakeServer();
    runFlow(modernFlow(base), server.answer);
    expect(server.seen.map((r) => [r.headers['Mcp-Method'], r.headers['Mcp-Name']])).toStrictEqual([
      ['server/discover', undefined],
      ['tools/list', undefined],
      ['tools/call', 'get_variable'],
      ['tools/call', 'list_dags'],
    ]);
    expect(server.seen.every((r) => r.headers['MCP-Protocol-Version'] === '2026-07-28')).toBe(true);
    expect(server.seen.every((r) => !('Mcp-Session-Id' in r.headers))).toBe(true);
  });
});
