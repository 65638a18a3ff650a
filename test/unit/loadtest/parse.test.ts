// Response-body parsing: JSON and SSE (keepalives, multiple events, CRLF), response picking by id.
import { describe, expect, it } from 'vitest';
import { parseBody, parseResponse, pickResponse } from '../../../loadtest/lib/parse.js';

const result = (id: number | string, value: unknown = {}) =>
  JSON.stringify({ jsonrpc: '2.0', id, result: value });
const progress = (n: number) =>
  JSON.stringify({
    jsonrpc: '2.0',
    method: 'notifications/progress',
    params: { progressToken: 't', progress: n },
  });

describe('parseBody', () => {
  it('parses a JSON body', () => {
    expect(parseBody(result(1), 'application/json')).toStrictEqual({
      format: 'json',
      messages: [{ jsonrpc: '2.0', id: 1, result: {} }],
      events: 0,
      keepalives: 0,
      problems: [],
      warnings: [],
    });
  });

  it('flattens a JSON batch array', () => {
    expect(parseBody(`[${result(1)},${result(2)}]`, 'application/json; charset=utf-8').messages).toHaveLength(
      2,
    );
  });

  it('reports invalid JSON as a problem instead of throwing', () => {
    const parsed = parseBody('{"jsonrpc":', 'application/json');
    expect(parsed.format).toBe('json');
    expect(parsed.messages).toStrictEqual([]);
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.problems[0]).toMatch(/not valid JSON/);
  });

  it.each([null, undefined, '', '  \n'])('treats %j as an empty body', (body) => {
    expect(parseBody(body, 'application/json')).toMatchObject({
      format: 'empty',
      messages: [],
      problems: [],
    });
  });

  it('parses a single SSE event', () => {
    const parsed = parseBody(`event: message\ndata: ${result(7)}\n\n`, 'text/event-stream');
    expect(parsed).toMatchObject({ format: 'sse', events: 1, keepalives: 0, problems: [], warnings: [] });
    expect(parsed.messages).toStrictEqual([{ jsonrpc: '2.0', id: 7, result: {} }]);
  });

  it('parses keepalive comments and several events, in order', () => {
    const body = [
      ': keepalive',
      '',
      'event: message',
      `data: ${progress(1)}`,
      '',
      ': keepalive',
      'event: message',
      'id: 42',
      `data: ${progress(2)}`,
      '',
      'event: message',
      `data: ${result(3, { ok: true })}`,
      '',
      '',
    ].join('\n');
    const parsed = parseBody(body, 'text/event-stream');
    expect(parsed.keepalives).toBe(2);
    expect(parsed.events).toBe(3);
    expect(parsed.problems).toStrictEqual([]);
    expect(parsed.messages.map((m) => (m as { method?: string; id?: number }).method ?? m)).toStrictEqual([
      'notifications/progress',
      'notifications/progress',
      { jsonrpc: '2.0', id: 3, result: { ok: true } },
    ]);
  });

  it('handles CRLF line endings, data without the optional space, and multi-line data', () => {
    const body = 'event: message\r\ndata:{"jsonrpc":"2.0",\r\ndata: "id":1,"result":{}}\r\n\r\n';
    const parsed = parseBody(body, 'text/event-stream');
    expect(parsed.problems).toStrictEqual([]);
    expect(parsed.messages).toStrictEqual([{ jsonrpc: '2.0', id: 1, result: {} }]);
  });

  it('dispatches a final event that lacks its blank line (the body is complete)', () => {
    expect(parseBody(`data: ${result(1)}`, 'text/event-stream').messages).toHaveLength(1);
  });

  it('treats events without a type as messages and warns about other types', () => {
    const parsed = parseBody(
      `data: ${result(1)}\n\nevent: ping\ndata: {}\n\nevent: message\n\n`,
      'text/event-stream',
    );
    expect(parsed.messages).toHaveLength(1);
    expect(parsed.problems).toStrictEqual([]);
    expect(parsed.warnings).toStrictEqual([
      'ignored SSE event of type "ping"',
      'SSE message event without data',
    ]);
  });

  it('reports bad JSON inside an SSE event as a problem', () => {
    expect(parseBody('data: {nope\n\n', 'text/event-stream').problems[0]).toMatch(/SSE data: not valid JSON/);
  });

  it('sniffs the format when the content type is missing', () => {
    expect(parseBody(result(1)).format).toBe('json');
    expect(parseBody(`: keepalive\n\ndata: ${result(1)}\n\n`).format).toBe('sse');
    expect(parseBody('<html>502 Bad Gateway</html>').format).toBe('unknown');
    expect(parseBody('<html>502 Bad Gateway</html>').problems).toHaveLength(1);
  });
});

describe('pickResponse', () => {
  it('picks the response with the matching id and collects notifications', () => {
    const body = `data: ${progress(1)}\n\ndata: ${result(2, { tools: [] })}\n\n`;
    const pick = pickResponse(parseBody(body, 'text/event-stream'), 2);
    expect(pick.response).toStrictEqual({ jsonrpc: '2.0', id: 2, result: { tools: [] } });
    expect(pick.notifications).toStrictEqual([
      { method: 'notifications/progress', params: { progressToken: 't', progress: 1 } },
    ]);
    expect(pick.strayResponses).toStrictEqual([]);
    expect(pick.problems).toStrictEqual([]);
  });

  it('does not confuse numeric and string ids', () => {
    const pick = pickResponse(parseBody(result('2'), 'application/json'), 2);
    expect(pick.response).toBeUndefined();
    expect(pick.strayResponses).toHaveLength(1);
  });

  it('keeps an error response and flags malformed error objects', () => {
    const error = JSON.stringify({ jsonrpc: '2.0', id: 1, error: { code: -32600, message: 'bad' } });
    expect(pickResponse(parseBody(error), 1).response?.error).toStrictEqual({ code: -32600, message: 'bad' });
    const malformed = JSON.stringify({ jsonrpc: '2.0', id: 1, error: 'bad' });
    expect(pickResponse(parseBody(malformed), 1).problems).toStrictEqual(['malformed JSON-RPC error object']);
  });

  it('flags duplicates, server requests, and messages that are neither', () => {
    const body = [
      result(1),
      result(1),
      '{"jsonrpc":"2.0","id":9,"method":"sampling/createMessage"}',
      '{}',
      '3',
    ]
      .map((m) => `data: ${m}\n\n`)
      .join('');
    const pick = pickResponse(parseBody(body, 'text/event-stream'), 1);
    expect(pick.response?.id).toBe(1);
    expect(pick.problems).toStrictEqual([
      'duplicate response for id 1',
      'unexpected server request "sampling/createMessage"',
      'message with neither method nor id',
      'non-object JSON-RPC message: 3',
    ]);
  });

  it('carries parse problems through parseResponse', () => {
    const picked = parseResponse('data: {\n\n', 'text/event-stream', 1);
    expect(picked.response).toBeUndefined();
    expect(picked.problems).toHaveLength(1);
    expect(picked.parsed.format).toBe('sse');
  });
});
