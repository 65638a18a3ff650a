// Slow request bodies and JSON-RPC batches against the execution slots, over real sockets: a body that
// trickles in holds no slot and ends in 408 at its deadline; a batch costs one slot per message.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../../src/sim/index.js';
import { legacyHeaders, rawPost, toolsCall } from '../../helpers/raw-mcp.js';
import { metricValue, startTestService, type TestService } from '../../helpers/service.js';
import { callTool, recordRow, sawOf } from './support.js';

const SLOTS = 4;
const BODY_TIMEOUT_MS = 1_500;

let sim: Simulator;
let service: TestService;
beforeAll(async () => {
  sim = await startSimulator({ auth: 'none' });
  service = await startTestService({
    airflowUrl: sim.url,
    env: {
      AIRFLOW_AUTH_MODE: 'none',
      AIRFLOW_API_VERSION: 'v2',
      MAX_CONCURRENT_REQUESTS: String(SLOTS),
      BODY_TIMEOUT_MS: String(BODY_TIMEOUT_MS),
    },
  });
});
afterAll(async () => {
  await service.close();
  await sim.close();
});

interface SlowBody {
  socket: Socket;
  /** Everything the server sent back, and when the connection ended (ms after the headers were sent). */
  answer: Promise<{ text: string; endedAfterMs: number }>;
  stop: () => void;
}

/** Headers promising 100,000 bytes, then one byte every 200 ms (at most 50: bounded in count and time). */
function slowBody(url: string): Promise<SlowBody> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      const started = performance.now();
      socket.write(
        `POST ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\n` +
          'Accept: application/json, text/event-stream\r\nContent-Length: 100000\r\n\r\n{',
      );
      let sent = 0;
      const drip = setInterval(() => {
        if (socket.destroyed || ++sent > 50) clearInterval(drip);
        else socket.write(' ');
      }, 200);
      let text = '';
      socket.on('data', (chunk) => {
        text += String(chunk);
      });
      const answer = new Promise<{ text: string; endedAfterMs: number }>((done) => {
        socket.once('close', () => {
          clearInterval(drip);
          done({ text, endedAfterMs: performance.now() - started });
        });
      });
      resolve({ socket, answer, stop: () => socket.destroy() });
    });
    socket.once('error', reject);
  });
}

describe('slow request bodies', () => {
  it('hold no execution slot: normal calls succeed meanwhile, and the slow ones end in 408 at the deadline', async () => {
    const slow = await Promise.all(Array.from({ length: SLOTS * 2 }, () => slowBody(service.url)));
    try {
      // Every slot would be taken if a body being read held one; these must all be served.
      const normal = await Promise.all(
        Array.from({ length: SLOTS }, () => callTool(service.url, 'list_dags')),
      );
      for (const call of normal) expect(call.ex.status).toBe(200);
      recordRow(
        'overload',
        `${SLOTS * 2} bodies trickling in (1 byte / 200 ms) with MAX_CONCURRENT_REQUESTS=${SLOTS}: ${SLOTS} normal calls meanwhile`,
        sawOf(normal[0]!),
        normal[0]!.ms,
      );

      const answers = await Promise.all(slow.map((s) => s.answer));
      for (const a of answers) {
        expect(a.text).toMatch(/^HTTP\/1\.1 408 /);
        expect(a.text).toContain('not received within 1500 ms');
        expect(a.endedAfterMs).toBeGreaterThanOrEqual(BODY_TIMEOUT_MS - 50);
        expect(a.endedAfterMs).toBeLessThan(BODY_TIMEOUT_MS + 2_000);
      }
      recordRow(
        'overload',
        'a body still arriving after BODY_TIMEOUT_MS (1500 ms)',
        'HTTP 408, JSON-RPC -32600 "Request timeout: the body was not received within 1500 ms.", connection closed',
        Math.round(Math.max(...answers.map((a) => a.endedAfterMs))),
      );
      const m = await service.metrics();
      expect(metricValue(m, 'airflow_mcp_rejected_requests_total', { reason: 'body_timeout' })).toBe(
        SLOTS * 2,
      );
      expect(metricValue(m, 'airflow_mcp_inflight_requests')).toBe(0);
    } finally {
      for (const s of slow) s.stop();
    }
  });
});

describe('JSON-RPC batches', () => {
  const batch = (n: number, first: number) =>
    Array.from({ length: n }, (_, i) => toolsCall(first + i, 'list_dags', {}));
  // Batches are a 2025-03-26 feature.
  const headers = legacyHeaders({ 'mcp-protocol-version': '2025-03-26' });

  it('cost one slot per message: a batch that fills the slots leaves none for the next request', async () => {
    sim.setFault({ match: { pathIncludes: '/dags' }, delayHeadersMs: 800 });
    try {
      const running = rawPost(service.url, batch(SLOTS, 100), headers);
      const deadline = Date.now() + 5_000;
      while (
        metricValue(await service.metrics(), 'airflow_mcp_inflight_requests') < SLOTS &&
        Date.now() < deadline
      ) {
        await new Promise((r) => setTimeout(r, 10));
      }
      const shed = await callTool(service.url, 'list_dags');
      expect(shed.ex.status).toBe(503);
      recordRow(
        'overload',
        `a single call while a batch of ${SLOTS} (= MAX_CONCURRENT_REQUESTS) runs`,
        `${sawOf(shed)}, Retry-After: 1`,
        shed.ms,
      );
      const done = await running;
      expect(done.status).toBe(200);
      expect(done.text.match(/"id":10\d/g)?.length).toBe(SLOTS);
    } finally {
      sim.setFault(null);
    }
  });

  it('a batch larger than the slots is refused with 400 naming the limit', async () => {
    const ex = await rawPost(service.url, batch(SLOTS + 1, 200), headers);
    expect(ex.status).toBe(400);
    expect(JSON.parse(ex.text).error.message).toContain(`more than this server runs at once (${SLOTS})`);
    recordRow(
      'bad input',
      `a batch of ${SLOTS + 1} messages with MAX_CONCURRENT_REQUESTS=${SLOTS}`,
      `HTTP 400, JSON-RPC -32600 "Invalid Request: a batch of ${SLOTS + 1} messages is more than this server runs at once (${SLOTS}); send fewer per batch."`,
      0,
    );
  });
});
