// What each pair of answers to the unauthenticated version probe decides, and what is kept.
import { describe, expect, it } from 'vitest';
import { type DetectedVersion, type ProbeGet, probingVersion } from '../../../src/airflow/api-version.js';
import { AppError } from '../../../src/errors.js';

type Answer = { status: number; body?: unknown } | 'reset';

function getFrom(answers: Record<string, Answer[]>): { get: ProbeGet; paths: string[] } {
  const paths: string[] = [];
  return {
    paths,
    get: async (path) => {
      paths.push(path);
      const next = answers[path]?.shift();
      if (!next) throw new Error(`unexpected probe of ${path}`);
      if (next === 'reset') throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      return { status: next.status, body: next.body };
    },
  };
}

const v3 = { status: 200, body: { version: '3.1.0', git_version: null } };
const v2x = { status: 200, body: { version: '2.11.0', git_version: null } };

async function detectWith(v2: Answer, v1?: Answer) {
  const { get, paths } = getFrom({ '/api/v2/version': [v2], '/api/v1/version': v1 ? [v1] : [] });
  const found: DetectedVersion[] = [];
  const resolver = probingVersion({ get, timeoutMs: 1000, onDetected: (f) => found.push(f) });
  const result = await resolver.resolve(new AbortController().signal).catch((e: unknown) => e);
  return { result, paths, found };
}

describe('probingVersion decides from answers that need no credentials', () => {
  it.each([
    ['Airflow 3', v3, undefined, 'v2', '3.1.0'],
    ['Airflow 2 (404 on /api/v2)', { status: 404, body: 'Not Found' }, v2x, 'v1', '2.11.0'],
    ['/api/v2 guarded (401), /api/v1 absent', { status: 401 }, { status: 404 }, 'v2', undefined],
    ['/api/v2 guarded (403), /api/v1 guarded too', { status: 403 }, { status: 401 }, 'v2', undefined],
    ['/api/v2 guarded, /api/v1 names a version', { status: 401 }, v2x, 'v1', '2.11.0'],
    ['/api/v2 absent, /api/v1 guarded', { status: 404 }, { status: 401 }, 'v1', undefined],
    ['/api/v2 405, /api/v1 names a version', { status: 405 }, v2x, 'v1', '2.11.0'],
    [
      'a 200 without a version (a catch-all page), then Airflow 2',
      { status: 200, body: '<html>' },
      v2x,
      'v1',
      '2.11.0',
    ],
  ] as const)('%s', async (_name, v2, v1, api, version) => {
    const { result, found } = await detectWith(v2, v1);
    expect(result).toMatchObject({ api, airflowVersion: version });
    expect(found).toHaveLength(1);
  });

  it.each([
    ['a 503 on /api/v2 (v1 is not asked)', { status: 503 }, undefined, 'upstream_unavailable', true],
    [
      'a 500 on /api/v1 after a 404 on /api/v2',
      { status: 404 },
      { status: 500 },
      'upstream_unavailable',
      true,
    ],
    ['no REST API at all (404, 404)', { status: 404 }, { status: 404 }, 'misconfigured', false],
    ['connection reset', 'reset', undefined, 'upstream_unavailable', true],
  ] as const)('fails and keeps nothing on %s', async (_name, v2, v1, code, retryable) => {
    const { result, found } = await detectWith(v2, v1);
    expect(result).toBeInstanceOf(AppError);
    expect(result).toMatchObject({ code, retryable });
    expect(found).toEqual([]);
  });

  it('a failure is not kept: the next resolve probes again', async () => {
    const { get, paths } = getFrom({ '/api/v2/version': [{ status: 502 }, v3] });
    const resolver = probingVersion({ get, timeoutMs: 1000, onDetected: () => {} });
    const signal = new AbortController().signal;
    await expect(resolver.resolve(signal)).rejects.toMatchObject({ code: 'upstream_unavailable' });
    await expect(resolver.resolve(signal)).resolves.toMatchObject({ api: 'v2' });
    await expect(resolver.resolve(signal)).resolves.toMatchObject({ api: 'v2' });
    expect(paths).toEqual(['/api/v2/version', '/api/v2/version']);
  });

  it('runs on its own deadline, not the caller’s, and a cancelled waiter leaves it running for the others', async () => {
    let seenSignal: AbortSignal | undefined;
    let answer!: (a: { status: number; body: unknown }) => void;
    const resolver = probingVersion({
      get: (_path, signal) => {
        seenSignal = signal;
        return new Promise((r) => {
          answer = r;
        });
      },
      timeoutMs: 5000,
      onDetected: () => {},
    });
    const leaving = new AbortController();
    const first = resolver.resolve(leaving.signal);
    const second = resolver.resolve(new AbortController().signal);
    leaving.abort();
    await expect(first).rejects.toMatchObject({ message: 'The request was cancelled by the client.' });
    expect(seenSignal?.aborted).toBe(false);
    answer(v3);
    await expect(second).resolves.toMatchObject({ api: 'v2', airflowVersion: '3.1.0' });
  });

  it('times out with upstream_timeout at its deadline', async () => {
    const resolver = probingVersion({
      get: (_path, signal) =>
        new Promise((_r, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
      timeoutMs: 50,
      onDetected: () => {},
    });
    await expect(resolver.resolve(new AbortController().signal)).rejects.toMatchObject({
      code: 'upstream_timeout',
    });
  });
});
