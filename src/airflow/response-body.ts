// Reading an Airflow answer: bounded by the call's cap, within the process-wide byte budget, never buffered
// whole when it cannot be used.
import type { Dispatcher } from 'undici';
import { AppError } from '../errors.js';
import type { ResponseBudget } from './response-budget.js';

export function headerOf(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export type ResponseBody = Dispatcher.ResponseData['body'];

/** Budget taken at a time for an answer of unknown length, as its bytes arrive. */
const BUDGET_STEP = 256 * 1024;
/** Longest a call waits for budget (within its own deadline). */
const BUDGET_WAIT_MS = 2_000;

/**
 * Up to `max` bytes of a response body, holding budget for what it reads: `reserved` bytes are held already;
 * past them, `grow` is asked for more while the stream is paused. Past `max` reading stops and the stream is
 * destroyed, which gives its socket back (undici closes it): a body too large to use is never buffered whole.
 */
function readBounded(
  stream: ResponseBody,
  max: number,
  reserved: number,
  grow: () => Promise<number>,
): Promise<{ bytes: Buffer; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      stream.off('data', onData);
      fn();
    };
    const onData = (chunk: Buffer) => {
      if (size + chunk.length > max) {
        chunks.push(chunk.subarray(0, max - size));
        size = max;
        settle(() => resolve({ bytes: Buffer.concat(chunks, size), truncated: true }));
        stream.destroy();
        return;
      }
      chunks.push(chunk);
      size += chunk.length;
      if (size > reserved) {
        stream.pause();
        grow().then(
          (more) => {
            reserved += more;
            stream.resume();
          },
          (error: unknown) => {
            settle(() => reject(error));
            stream.destroy();
          },
        );
      }
    };
    stream.on('data', onData);
    stream.once('end', () =>
      settle(() =>
        resolve({ bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size), truncated: false }),
      ),
    );
    stream.once('error', (error) => settle(() => reject(error)));
    // Destroyed without an error (e.g. the pool closed): neither 'end' nor 'error' comes.
    stream.once('close', () =>
      settle(() =>
        reject(Object.assign(new Error('Airflow closed the response early'), { code: 'ECONNRESET' })),
      ),
    );
  });
}

/** The caller asked for too much, Airflow is fine. */
export function tooLarge(max: number): AppError {
  return new AppError('too_large', `Airflow's response was larger than ${max} bytes and was not read.`, {
    hint: 'Ask for less: use a smaller limit or narrower filters.',
  });
}

export interface ReadBody {
  text: string;
  isJson: boolean;
  /** True when the body was cut at the cap (the caller refuses cut JSON). */
  truncated: boolean;
  /** Gives back the budget held for the body; call once the text is no longer needed. */
  release(): void;
}

/**
 * Reads a body up to `max` bytes. JSON declared over the cap is refused before a byte is read (a cut JSON is
 * useless). With a budget, a declared length is taken up front and an undeclared one in steps as it arrives.
 */
export async function readResponseBody(
  stream: ResponseBody,
  headers: Dispatcher.ResponseData['headers'],
  max: number,
  budget: ResponseBudget | undefined,
  signal: AbortSignal,
): Promise<ReadBody> {
  const isJson = (headerOf(headers, 'content-type') ?? '').includes('json');
  const declared = Number(headerOf(headers, 'content-length') ?? Number.NaN);
  const known = Number.isFinite(declared) && declared >= 0;
  if (isJson && known && declared > max) {
    stream.destroy();
    throw tooLarge(max);
  }
  if (!budget) {
    const { bytes, truncated } = await readBounded(stream, max, max, async () => max);
    return { text: bytes.toString('utf8'), isJson, truncated, release: () => {} };
  }
  const releases: (() => void)[] = [];
  const release = () => {
    for (const give of releases.splice(0)) give();
  };
  const take = async (bytes: number) => {
    releases.push(await budget.acquire(bytes, signal, BUDGET_WAIT_MS));
    return bytes;
  };
  try {
    const first = known ? Math.min(declared, max) : Math.min(BUDGET_STEP, max);
    await take(first).catch((error: unknown) => {
      stream.destroy();
      throw error;
    });
    const { bytes, truncated } = await readBounded(stream, max, first, () => take(BUDGET_STEP));
    return { text: bytes.toString('utf8'), isJson, truncated, release };
  } catch (error) {
    release();
    throw error;
  }
}
