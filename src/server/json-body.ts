// Reads a JSON request body with a size limit: the one body format /mcp takes, without a framework.
import type { IncomingMessage } from 'node:http';
import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

export type JsonBody =
  /** Not a JSON request (or no body at all): the stream is left unread for the SDK to judge. */
  | { kind: 'none' }
  | { kind: 'json'; value: unknown }
  | { kind: 'refused'; status: 400 | 413 | 415; code: number; message: string; reason?: string };

const JSON_TYPE = /^application\/(?:json|[^;\s]+\+json)\s*(?:;|$)/i;
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)"?/i;
const DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/**
 * The parsed body of a JSON request (application/json or application/*+json, UTF-8, identity, gzip,
 * deflate or br), at most `limit` bytes once decoded. Any JSON value parses: the MCP layer judges its shape.
 */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<JsonBody> {
  const type = req.headers['content-type'];
  if (typeof type !== 'string' || !JSON_TYPE.test(type) || !hasBody(req)) return { kind: 'none' };
  const charset = CHARSET.exec(type)?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    return {
      kind: 'refused',
      status: 415,
      code: -32600,
      message: 'Unsupported charset: send the body as UTF-8.',
    };
  }
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  const makeDecoder = encoding === 'identity' ? undefined : DECODERS[encoding];
  if (encoding !== 'identity' && !makeDecoder) {
    return {
      kind: 'refused',
      status: 415,
      code: -32600,
      message: 'Unsupported Content-Encoding: send the body as identity, gzip, deflate or br.',
    };
  }
  const tooLarge: JsonBody = {
    kind: 'refused',
    status: 413,
    code: -32600,
    message: `Request body too large (limit ${limit} bytes).`,
    reason: 'body_too_large',
  };
  // Refused before a byte is read when the client says up front it will send too much.
  if (!makeDecoder && Number(req.headers['content-length'] ?? 0) > limit) return tooLarge;

  const decoder = makeDecoder?.();
  let source: Readable = req;
  if (decoder) {
    source = decoder;
    req.pipe(decoder);
    req.once('error', (error) => decoder.destroy(error));
  }
  const read = await collect(source, limit);
  if (typeof read === 'string') {
    // The rest is read and dropped, as Node does with a body nobody reads: left in the socket it would
    // stall the keep-alive connection, and closing with unread data can reset it before the client reads
    // the answer.
    decoder?.destroy();
    req.resume();
    if (read === 'too_large') return tooLarge;
    // A broken compressed stream; a client that went away never reads this answer.
    return {
      kind: 'refused',
      status: 400,
      code: -32700,
      message: 'Parse error: the request body could not be read.',
    };
  }
  const text = read.toString('utf8');
  try {
    return { kind: 'json', value: JSON.parse(text) };
  } catch {
    return {
      kind: 'refused',
      status: 400,
      code: -32700,
      message:
        text.trim() === ''
          ? 'Parse error: the request body is empty.'
          : 'Parse error: the request body is not valid JSON.',
    };
  }
}

/** The stream's bytes, or why not: more than `limit` (reading stops there) or an error / early close. */
function collect(source: Readable, limit: number): Promise<Buffer | 'too_large' | 'broken'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: Buffer | 'too_large' | 'broken') => {
      source.off('data', onData).off('end', onEnd).off('error', onBroken).off('close', onBroken);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) finish('too_large');
      else chunks.push(chunk);
    };
    const onEnd = () => finish(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    const onBroken = () => finish('broken');
    source.on('data', onData).once('end', onEnd).once('error', onBroken).once('close', onBroken);
  });
}
