// DNS-rebinding defences: Host and Origin checks for loopback and non-loopback binds, counted when refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../../sim/index.js';
import { legacyHeaders, rawPost, toolsList } from '../../helpers/raw-mcp.js';
import { metricValue, type TestService, withTestService } from '../../helpers/service.js';
import { recordRow } from './support.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ auth: 'none' });
});
afterAll(async () => {
  await sim.close();
});

async function withService(env: Record<string, string>, fn: (s: TestService) => Promise<void>) {
  return withTestService({ airflowUrl: sim.url, env: { AIRFLOW_AUTH_MODE: 'none', ...env } }, fn);
}

const errorOf = (r: { text: string }) =>
  (JSON.parse(r.text) as { error?: { message: string } }).error?.message;

const post = (s: TestService, headers: Record<string, string>) =>
  rawPost(s.url, toolsList(1), legacyHeaders(headers));

describe('bound to loopback (the default for local use)', () => {
  it('accepts only localhost names in Host, refuses others with 403 (DNS rebinding)', async () => {
    await withService({}, async (s) => {
      const port = new URL(s.url).port;
      for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) {
        expect((await post(s, { host })).status).toBe(200);
      }
      const t0 = performance.now();
      const evil = await post(s, { host: `attacker.example:${port}` });
      expect(evil.status).toBe(403);
      expect(errorOf(evil)).toMatch(/Host header not allowed/);
      recordRow(
        'who gets in',
        'Host: attacker.example (loopback bind)',
        `HTTP 403, JSON-RPC -32000 "${errorOf(evil)}"`,
        Math.round(performance.now() - t0),
      );
      expect(metricValue(await s.metrics(), 'airflow_mcp_rejected_requests_total', { reason: 'host' })).toBe(
        1,
      );
    });
  });

  it('a present but disallowed Origin gets 403; localhost origins and no Origin pass', async () => {
    await withService({}, async (s) => {
      expect((await post(s, {})).status).toBe(200);
      expect((await post(s, { origin: 'http://localhost:6274' })).status).toBe(200);
      let ms: number | undefined;
      for (const origin of ['https://attacker.example', 'null', 'http://127.0.0.1.attacker.example']) {
        const t0 = performance.now();
        const r = await post(s, { origin });
        ms ??= Math.round(performance.now() - t0);
        expect(r.status).toBe(403);
        expect(errorOf(r)).toBe('Forbidden: Origin not allowed.');
      }
      recordRow(
        'who gets in',
        'Origin: https://attacker.example',
        'HTTP 403, JSON-RPC -32000 "Forbidden: Origin not allowed."',
        ms ?? 0,
      );
      expect(
        metricValue(await s.metrics(), 'airflow_mcp_rejected_requests_total', { reason: 'origin' }),
      ).toBe(3);
    });
  });
});

describe('bound to all interfaces (behind a Service)', () => {
  it('ALLOWED_HOSTS and ALLOWED_ORIGINS decide; anything else is 403', async () => {
    await withService(
      { HOST: '0.0.0.0', ALLOWED_HOSTS: 'mcp.example.com,airflow-mcp', ALLOWED_ORIGINS: 'app.example.com' },
      async (s) => {
        expect((await post(s, { host: 'mcp.example.com' })).status).toBe(200);
        expect((await post(s, { host: 'airflow-mcp:8000' })).status).toBe(200);
        expect((await post(s, { host: 'localhost' })).status).toBe(403);
        expect((await post(s, { host: 'mcp.example.com', origin: 'https://app.example.com' })).status).toBe(
          200,
        );
        expect((await post(s, { host: 'mcp.example.com', origin: 'https://mcp.example.com' })).status).toBe(
          403,
        );
      },
    );
  });

  it('without ALLOWED_* any Host passes, but a browser Origin must match the Host it was sent to', async () => {
    await withService({ HOST: '0.0.0.0' }, async (s) => {
      expect((await post(s, { host: '10.1.2.3:8000' })).status).toBe(200);
      expect(
        (await post(s, { host: 'airflow-mcp.svc:8000', origin: 'https://airflow-mcp.svc' })).status,
      ).toBe(200);
      expect(
        (await post(s, { host: 'airflow-mcp.svc:8000', origin: 'https://attacker.example' })).status,
      ).toBe(403);
    });
  });
});
