// Big Airflow answers under concurrency, in the Helm chart's memory limit (a memory cgroup, the image's Node
// flags and allocator): 256 concurrent get_xcom_entry for a 4 MB XCom, and 64 concurrent list calls whose
// answers are 6 MB each, must all end in an answer or a clear error, with the process alive.

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageAllocatorEnv, imageNodeFlags } from '../../../loadtest/harness/image-flags.js';
import { chartMemoryLimit } from '../../../loadtest/harness/memory-limit.js';
import { freePort } from '../../../loadtest/harness/network.js';
import { type Child, NODE, startChild, stopChild, waitForOk } from '../../../loadtest/harness/procs.js';
import { bundleService } from '../../../scripts/build/bundle.js';
import { legacyHeaders, rawPost, toolsCall } from '../../helpers/raw-mcp.js';
import { recordRow } from './support.js';

const XCOM = JSON.stringify({ key: 'return_value', value: 'x'.repeat(4 * 1024 * 1024) });
const DAGS = JSON.stringify({
  dags: Array.from({ length: 100 }, (_, i) => ({ dag_id: `d${i}`, description: 'y'.repeat(60_000) })),
  total_entries: 100,
});

let upstream: Server;
let service: Child;
let serviceUrl: string;
let dir: string;
const memory = chartMemoryLimit();

function answer(res: ServerResponse, text: string, chunked: boolean) {
  const headers: Record<string, string | number> = { 'content-type': 'application/json' };
  if (!chunked) headers['content-length'] = Buffer.byteLength(text);
  res.writeHead(200, headers);
  res.end(text);
}

beforeAll(async () => {
  upstream = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '';
    if (url.startsWith('/api/v2/version')) return answer(res, '{"version":"3.3.2"}', false);
    if (url.includes('/xcomEntries/')) return answer(res, XCOM, url.includes('chunked'));
    if (url.startsWith('/api/v2/dags?')) return answer(res, DAGS, true);
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"nope"}');
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), 'airflow-mcp-memory-'));
  const main = join(dir, 'main.js');
  await bundleService(main);
  const port = await freePort();
  const confined = memory.confine(NODE, [...imageNodeFlags(), main]);
  service = startChild('service', confined.command, confined.args, {
    env: {
      AIRFLOW_API_URL: upstreamUrl,
      AIRFLOW_AUTH_MODE: 'none',
      AIRFLOW_API_VERSION: 'v2',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      MAX_CONCURRENT_REQUESTS: '512',
      ...imageAllocatorEnv(),
    },
    quietStdout: true,
  });
  void service.exited.then(() => confined.release());
  serviceUrl = `http://127.0.0.1:${port}/mcp`;
  await waitForOk(`http://127.0.0.1:${port}/readyz`, 30_000, service);
}, 120_000);

afterAll(async () => {
  if (service) await stopChild(service);
  await new Promise<void>((r) => upstream?.close(() => r()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Outcome of one call: 'answer', or the tool error's code. */
async function outcome(name: string, args: Record<string, unknown>, id: number): Promise<string> {
  const ex = await rawPost(serviceUrl, toolsCall(id, name, args), legacyHeaders());
  expect(ex.status).toBe(200);
  const result = ex.rpc?.result as {
    isError?: boolean;
    structuredContent?: { code?: string; retryable?: boolean };
  };
  if (!result?.isError) return 'answer';
  return `${result.structuredContent?.code}${result.structuredContent?.retryable ? ' (retryable)' : ''}`;
}

function tally(outcomes: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[o] = (counts[o] ?? 0) + 1;
  return counts;
}

describe(`big answers in the chart's memory limit (${memory.how})`, () => {
  it('256 concurrent calls for a 4 MB XCom: every caller gets a clear error, none reads it, the process lives', async () => {
    for (const taskId of ['t', 'chunked']) {
      const started = performance.now();
      const outcomes = await Promise.all(
        Array.from({ length: 256 }, (_, i) =>
          outcome('get_xcom_entry', { dag_id: 'd', run_id: 'r', task_id: taskId }, i + 1),
        ),
      );
      // Larger than anything the tool could show: refused by its read limit, never buffered. An answer of
      // undeclared length takes budget as it arrives, so under load some calls may instead be told the
      // server is busy (retryable): a clear error too.
      const counts = tally(outcomes);
      if (taskId === 't') expect(counts).toEqual({ too_large: 256 });
      else {
        expect(Object.keys(counts).every((k) => k === 'too_large' || k === 'busy (retryable)')).toBe(true);
        expect(counts.too_large).toBeGreaterThan(0);
      }
      recordRow(
        'upstream',
        `256 concurrent get_xcom_entry for a 4 MB XCom (${taskId === 't' ? 'Content-Length' : 'chunked'}), 384 MiB memory limit`,
        'every call: tool error `too_large` "Airflow\'s response was larger than 1048576 bytes and was not read."; process alive',
        Math.round(performance.now() - started),
      );
    }
    expect(service.proc.exitCode).toBeNull();
  }, 120_000);

  it('64 concurrent list calls with 6 MB answers: answers or a retryable "busy", within the budget, the process lives', async () => {
    const started = performance.now();
    const outcomes = await Promise.all(
      Array.from({ length: 64 }, (_, i) => outcome('list_dags', { limit: 100 }, 1000 + i)),
    );
    const counts = tally(outcomes);
    expect(Object.keys(counts).every((k) => k === 'answer' || k === 'busy (retryable)')).toBe(true);
    expect(counts.answer).toBeGreaterThan(0);
    expect(service.proc.exitCode).toBeNull();
    recordRow(
      'upstream',
      '64 concurrent list_dags whose Airflow answers are 6 MB each (chunked), 384 MiB memory limit',
      `${counts.answer} answers, ${counts['busy (retryable)'] ?? 0} × retryable \`busy\` "…reading too many large Airflow answers at once…"; process alive`,
      Math.round(performance.now() - started),
    );
  }, 120_000);
});
