// Shutdown over real sockets: clients that connect around the moment the listener would close, each sending
// one request at once, are all answered (with Connection: close), never reset; after the close, a new
// connection is refused.
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../../src/sim/index.js';
import { startTestService } from '../../helpers/service.js';
import { recordRow } from '../hardening/support.js';

const CLIENTS = 200;

type Outcome = 'refused' | 'answered' | 'reset' | 'closed without an answer';

/** Connects, sends GET /healthz as soon as connected, and says how it ended. */
function oneClient(url: URL): Promise<{ outcome: Outcome; closeHeader: boolean }> {
  return new Promise((resolve) => {
    let text = '';
    let connected = false;
    let error: string | undefined;
    const socket = connect(Number(url.port), url.hostname, () => {
      connected = true;
      socket.write(`GET /healthz HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`);
    });
    socket.on('data', (chunk) => {
      text += String(chunk);
      // One answer is all this client wants; a server that keeps the connection open is fine too.
      if (text.includes('\r\n\r\n{"status":"ok"}')) socket.end();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error = e.code ?? e.message;
    });
    socket.once('close', () => {
      const outcome: Outcome = !connected
        ? 'refused'
        : text.startsWith('HTTP/1.1 200')
          ? 'answered'
          : error
            ? 'reset'
            : 'closed without an answer';
      resolve({ outcome, closeHeader: /\r\nconnection: close\r\n/i.test(text) });
    });
  });
}

describe('shutdown', () => {
  it('answers every client that connected around the close, resets none, then refuses new ones', async () => {
    const sim: Simulator = await startSimulator({ auth: 'none' });
    const service = await startTestService({ airflowUrl: sim.url, env: { AIRFLOW_AUTH_MODE: 'none' } });
    const url = new URL(service.url);
    try {
      const started = performance.now();
      const stopped = service.stop({ delayMs: 100, graceMs: 5_000 });
      // 200 clients from 80 to 120 ms: the drain delay ends at 100 ms, when Node's server.close() would run.
      const clients = await Promise.all(
        Array.from(
          { length: CLIENTS },
          (_, i) =>
            new Promise<Awaited<ReturnType<typeof oneClient>>>((resolve) => {
              setTimeout(() => resolve(oneClient(url)), 80 + (i * 40) / CLIENTS);
            }),
        ),
      );
      const counts: Record<string, number> = {};
      for (const c of clients) counts[c.outcome] = (counts[c.outcome] ?? 0) + 1;
      expect(counts).toEqual({ answered: CLIENTS });
      expect(clients.every((c) => c.closeHeader)).toBe(true);
      expect(await stopped).toBe(true);
      const late = await oneClient(url);
      expect(late.outcome).toBe('refused');
      recordRow(
        'shutdown',
        `${CLIENTS} clients connecting in the 40 ms around the end of the drain delay, one request each`,
        `${CLIENTS} × HTTP 200 with Connection: close, 0 resets; the listener closed once no connection came for 200 ms; later connections refused`,
        Math.round(performance.now() - started),
      );
    } finally {
      await service.close().catch(() => {});
      await sim.close();
    }
  });
});
