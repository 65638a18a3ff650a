// The /mcp body parsing (express.json with the service's limit and its errors as JSON-RPC answers) over real
// HTTP: media types, charsets, encodings, limits and broken input.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import express, { type Request, type Response } from 'express';
import { Registry } from 'prom-client';
import { Client, type Dispatcher, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../../src/observability/metrics.js';
import { bodyErrors, jsonBody } from '../../../src/server/body-parsing.js';
import { BUILD } from '../../../src/version.js';

const LIMIT = 1024;
let server: Server;
let url: string;
const metrics = createMetrics(new Registry(), BUILD);

beforeAll(async () => {
  // Answers with what was parsed; when nothing was, also with what was left unread in the stream. A refusal
  // is the middleware's own JSON-RPC answer, reported below as {kind: 'refused', status, code, message}.
  const app = express();
  app.post(
    '/',
    jsonBody({ maxBytes: LIMIT, timeoutMs: 5_000, budgetBytes: 32 * LIMIT }, metrics),
    async (req: Request, res: Response) => {
      let rest = '';
      if (req.body === undefined) for await (const chunk of req) rest += String(chunk);
      const read = req.body === undefined ? { kind: 'none' } : { kind: 'json', value: req.body };
      res.json({ read, rest });
    },
  );
  app.use(bodyErrors(LIMIT, metrics));
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function post(
  body: string | Buffer | Readable,
  headers: Record<string, string>,
  dispatcher?: Dispatcher,
) {
  const res = await request(url, { method: 'POST', headers, body, ...(dispatcher ? { dispatcher } : {}) });
  const answer = (await res.body.json()) as {
    read?: Record<string, unknown>;
    rest?: string;
    error?: { code: number; message: string };
  };
  if (answer.error) {
    return { read: { kind: 'refused', status: res.statusCode, ...answer.error }, rest: '' };
  }
  return answer as { read: Record<string, unknown>; rest: string };
}

const JSON_TYPE = { 'content-type': 'application/json' };
async function* chunks(count: number, size: number) {
  for (let i = 0; i < count; i++) yield Buffer.alloc(size, 0x20);
}

describe('JSON body parsing', () => {
  it.each([
    ['an object', '{"jsonrpc":"2.0","id":1,"method":"ping"}', { jsonrpc: '2.0', id: 1, method: 'ping' }],
    ['an array', '[1,2]', [1, 2]],
    ['a bare string (any JSON value; the MCP layer judges the shape)', '"x"', 'x'],
    ['a number', '42', 42],
  ])('parses %s', async (_what, body, value) => {
    expect((await post(body, JSON_TYPE)).read).toEqual({ kind: 'json', value });
  });

  it.each([
    'application/json; charset=utf-8',
    'application/json;charset="UTF-8"',
    'Application/JSON',
    'application/vnd.api+json',
  ])('takes the media type %s', async (type) => {
    expect((await post('{"a":1}', { 'content-type': type })).read).toEqual({ kind: 'json', value: { a: 1 } });
  });

  it.each(['text/plain', 'application/jsonp', 'multipart/form-data'])(
    'leaves a %s body unread for the next handler',
    async (type) => {
      expect(await post('{"a":1}', { 'content-type': type })).toEqual({
        read: { kind: 'none' },
        rest: '{"a":1}',
      });
    },
  );

  it("takes an empty body as {} (body-parser's rule; the MCP layer refuses it as no JSON-RPC message)", async () => {
    expect((await post('', { ...JSON_TYPE, 'content-length': '0' })).read).toEqual({
      kind: 'json',
      value: {},
    });
  });

  it('decodes the other Unicode charsets JSON allows (body-parser), and refuses the rest with 415', async () => {
    const utf16 = Buffer.from('{"a":"é"}', 'utf16le');
    const decoded = await post(utf16, { 'content-type': 'application/json; charset=utf-16le' });
    expect(decoded.read).toEqual({ kind: 'json', value: { a: 'é' } });
    const { read } = await post('{}', { 'content-type': 'application/json; charset=latin1' });
    expect(read).toMatchObject({ kind: 'refused', status: 415, message: expect.stringMatching(/UTF-8/) });
  });

  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ])('decodes a %s body', async (encoding, encode) => {
    const body = encode(Buffer.from('{"jsonrpc":"2.0","id":7,"method":"tools/list"}'));
    const { read } = await post(body, { ...JSON_TYPE, 'content-encoding': encoding });
    expect(read).toEqual({ kind: 'json', value: { jsonrpc: '2.0', id: 7, method: 'tools/list' } });
  });

  it('refuses an unknown Content-Encoding with 415 naming the ones it takes', async () => {
    const { read } = await post('{}', { ...JSON_TYPE, 'content-encoding': 'compress' });
    expect(read).toMatchObject({
      kind: 'refused',
      status: 415,
      message: expect.stringMatching(/gzip, deflate or br/),
    });
  });

  it('refuses a declared length over the limit with 413', async () => {
    const { read } = await post('x'.repeat(LIMIT + 1), JSON_TYPE);
    expect(read).toMatchObject({ kind: 'refused', status: 413, code: -32600 });
  });

  it('accepts exactly the limit', async () => {
    const body = `"${'a'.repeat(LIMIT - 2)}"`;
    expect((await post(body, JSON_TYPE)).read).toEqual({ kind: 'json', value: 'a'.repeat(LIMIT - 2) });
  });

  it('refuses a chunked body that grows past the limit with 413', async () => {
    const { read } = await post(Readable.from(chunks(8, 200)), JSON_TYPE);
    expect(read).toMatchObject({ kind: 'refused', status: 413 });
  });

  it('answers 413 to a large streamed body while it is still being sent, and the connection stays usable', async () => {
    const one = new Client(url); // a single connection: the second request must reuse it
    try {
      const { read } = await post(Readable.from(chunks(256, 8192)), JSON_TYPE, one);
      expect(read).toMatchObject({ kind: 'refused', status: 413 });
      const after = await post('{"after":true}', JSON_TYPE, one);
      expect(after.read).toEqual({ kind: 'json', value: { after: true } });
    } finally {
      await one.close();
    }
  });

  it('applies the limit to the decoded size (a small gzip of a large body is refused)', async () => {
    const bomb = gzipSync(Buffer.alloc(LIMIT * 100, 0x20));
    expect(bomb.length).toBeLessThan(LIMIT);
    const { read } = await post(bomb, { ...JSON_TYPE, 'content-encoding': 'gzip' });
    expect(read).toMatchObject({ kind: 'refused', status: 413 });
  });

  it('answers a corrupt gzip body with 400 -32700', async () => {
    const { read } = await post(Buffer.from('not gzip at all'), { ...JSON_TYPE, 'content-encoding': 'gzip' });
    expect(read).toMatchObject({ kind: 'refused', status: 400, code: -32700 });
  });

  it('answers a large corrupt gzip body with 400, and the connection stays usable', async () => {
    const junk = Buffer.concat([Buffer.from('not gzip at all'), Buffer.alloc(2 * 2 ** 20, 0x41)]);
    const one = new Client(url);
    try {
      const { read } = await post(junk, { ...JSON_TYPE, 'content-encoding': 'gzip' }, one);
      expect(read).toMatchObject({ kind: 'refused', status: 400, code: -32700 });
      const after = await post('{"after":1}', JSON_TYPE, one);
      expect(after.read).toEqual({ kind: 'json', value: { after: 1 } });
    } finally {
      await one.close();
    }
  });

  it('answers malformed JSON with 400 -32700', async () => {
    const { read } = await post('{"a":', JSON_TYPE);
    expect(read).toMatchObject({
      kind: 'refused',
      status: 400,
      code: -32700,
      message: expect.stringMatching(/not valid JSON/),
    });
  });

  it('answers a body of only whitespace with 400 -32700', async () => {
    const { read } = await post(' \n ', JSON_TYPE);
    expect(read).toMatchObject({ kind: 'refused', status: 400, code: -32700 });
  });

  it('decodes multi-byte UTF-8 split across chunks', async () => {
    async function* split() {
      const bytes = Buffer.from('"héllo ✓"');
      yield bytes.subarray(0, 3);
      yield bytes.subarray(3);
    }
    expect((await post(Readable.from(split()), JSON_TYPE)).read).toEqual({ kind: 'json', value: 'héllo ✓' });
  });
});
