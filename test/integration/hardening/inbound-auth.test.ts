// Inbound auth: API keys in token/password mode, local JWT verification in forward mode, start-up refusal.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_JWT_SECRET, JWT_AUDIENCE } from '../../../sim/auth.js';
import { type Simulator, startSimulator } from '../../../sim/index.js';
import { ConfigError } from '../../../src/config/settings.js';
import { metricValue, startTestService, type TestService, withTestService } from '../../helpers/service.js';
import { callTool, recordRow, sawOf } from './support.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ auth: 'enforced' });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => sim.resetCalls());

async function withService(env: Record<string, string>, fn: (s: TestService) => Promise<void>) {
  return withTestService({ airflowUrl: sim.url, env: { AIRFLOW_API_VERSION: 'v2', ...env } }, fn);
}

describe('token mode with MCP_API_KEYS', () => {
  it('no key → 401 with a Bearer challenge; wrong key → 401 invalid_token; right key → served with the service token', async () => {
    const service = await sim.issueToken('admin');
    await withService(
      {
        AIRFLOW_AUTH_MODE: 'token',
        AIRFLOW_AUTH_TOKEN: service,
        MCP_API_KEYS: 'key-one-aaaaaaaa, key-two-bbbbbbbb',
      },
      async (s) => {
        const none = await callTool(s.url, 'list_dags');
        expect(none.ex.status).toBe(401);
        expect(none.ex.headers['www-authenticate']).toBe('Bearer realm="airflow-mcp"');
        recordRow('who gets in', 'token mode, no API key', sawOf(none), none.ms);
        const wrong = await callTool(s.url, 'list_dags', {}, { authorization: 'Bearer key-three-cccccc' });
        expect(wrong.ex.status).toBe(401);
        expect(wrong.ex.headers['www-authenticate']).toContain('error="invalid_token"');
        expect(sim.calls).toHaveLength(0);
        recordRow('who gets in', 'token mode, wrong API key', sawOf(wrong), wrong.ms);
        const viaBearer = await callTool(
          s.url,
          'list_dags',
          {},
          { authorization: 'Bearer key-two-bbbbbbbb' },
        );
        expect(viaBearer.body?.code).toBeUndefined();
        const viaHeader = await callTool(s.url, 'list_dags', {}, { 'x-api-key': 'key-one-aaaaaaaa' });
        expect(viaHeader.body?.code).toBeUndefined();
        // The API key is never sent to Airflow: the service's own token is.
        expect(sim.calls.map((c) => c.user)).toEqual(['admin', 'admin']);
        const m = await s.metrics();
        expect(metricValue(m, 'airflow_mcp_rejected_requests_total', { reason: 'missing_credentials' })).toBe(
          1,
        );
        expect(metricValue(m, 'airflow_mcp_rejected_requests_total', { reason: 'invalid_token' })).toBe(1);
      },
    );
  });

  it('MCP_API_KEYS_FILE: one key per line (comments and blanks ignored); an unreadable file stops start-up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcp-keys-'));
    const file = join(dir, 'keys');
    writeFileSync(file, '# rotated 2026-11\n\nfile-key-1111111\n  file-key-2222222  \n');
    await withService(
      {
        AIRFLOW_AUTH_MODE: 'token',
        AIRFLOW_AUTH_TOKEN: await sim.issueToken('admin'),
        MCP_API_KEYS_FILE: file,
      },
      async (s) => {
        expect(
          (await callTool(s.url, 'list_dags', {}, { 'x-api-key': 'file-key-2222222' })).body?.code,
        ).toBeUndefined();
        expect((await callTool(s.url, 'list_dags', {}, { 'x-api-key': '# rotated 2026-11' })).ex.status).toBe(
          401,
        );
      },
    );
    await expect(
      startTestService({
        airflowUrl: sim.url,
        env: { AIRFLOW_AUTH_MODE: 'token', AIRFLOW_AUTH_TOKEN: 'x', MCP_API_KEYS_FILE: join(dir, 'missing') },
      }),
    ).rejects.toThrow(/^Invalid MCP_API_KEYS_FILE: cannot read .*missing \(ENOENT\)$/);
  });

  it('password mode on a non-loopback address without inbound auth refuses to start, unless ALLOW_UNAUTHENTICATED', async () => {
    const env = {
      HOST: '0.0.0.0',
      AIRFLOW_AUTH_MODE: 'password',
      AIRFLOW_USERNAME: 'admin',
      AIRFLOW_PASSWORD: 'admin',
    };
    const refused = startTestService({ airflowUrl: sim.url, env });
    await expect(refused).rejects.toThrow(ConfigError);
    await expect(refused).rejects.toThrow(
      /^Refusing to start: AIRFLOW_AUTH_MODE=password on 0\.0\.0\.0 without inbound authentication/,
    );
    await withService({ ...env, ALLOW_UNAUTHENTICATED: 'true' }, async (s) => {
      expect(s.logs.some((l) => l.includes('ALLOW_UNAUTHENTICATED=true'))).toBe(true);
      expect((await callTool(s.url, 'list_dags')).body?.code).toBeUndefined();
    });
  });

  it('a verified Airflow JWT also authenticates in token mode; Airflow still sees only the service token', async () => {
    await withService(
      {
        AIRFLOW_AUTH_MODE: 'token',
        AIRFLOW_AUTH_TOKEN: await sim.issueToken('admin'),
        AIRFLOW_JWT_SECRET: DEFAULT_JWT_SECRET,
      },
      async (s) => {
        const viewer = await sim.issueToken('viewer');
        const r = await callTool(s.url, 'list_dags', {}, { authorization: `Bearer ${viewer}` });
        expect(r.body?.code).toBeUndefined();
        expect(sim.calls.map((c) => c.user)).toEqual(['admin']);
        const forged = await sim.issueToken('viewer', { secret: 'forged-forged-forged-forged-forged' });
        expect(
          (await callTool(s.url, 'list_dags', {}, { authorization: `Bearer ${forged}` })).ex.status,
        ).toBe(401);
      },
    );
  });
});

describe('forward mode with local JWT verification (AIRFLOW_JWT_SECRET)', () => {
  const env = {
    AIRFLOW_AUTH_MODE: 'forward',
    AIRFLOW_JWT_SECRET: DEFAULT_JWT_SECRET,
    AIRFLOW_JWT_AUDIENCE: JWT_AUDIENCE,
  };

  it('bad tokens get 401 + WWW-Authenticate invalid_token without touching Airflow; good ones are forwarded', async () => {
    await withService(env, async (s) => {
      const cases: [string, string, RegExp][] = [
        [
          'expired 60 s ago',
          `Bearer ${await sim.issueToken('admin', { expiresInSeconds: -60 })}`,
          /token expired/,
        ],
        [
          'wrong signature',
          `Bearer ${await sim.issueToken('admin', { secret: 'x'.repeat(40) })}`,
          /signature/,
        ],
        ['not a JWT', 'Bearer not-a-jwt-at-all', /malformed token/],
        [
          'Basic credentials',
          `Basic ${Buffer.from('admin:admin').toString('base64')}`,
          /Authorization: Bearer/,
        ],
        ['no Authorization', '', /Authorization: Bearer/],
      ];
      for (const [label, authorization, message] of cases) {
        const r = await callTool(s.url, 'list_dags', {}, authorization ? { authorization } : {});
        expect(r.ex.status, label).toBe(401);
        expect(r.ex.headers['www-authenticate'], label).toMatch(/^Bearer realm="airflow-mcp"/);
        expect(JSON.parse(r.ex.text).error.message, label).toMatch(message);
        if (label === 'expired 60 s ago' || label === 'wrong signature') {
          expect(r.ex.headers['www-authenticate']).toContain('error="invalid_token"');
          recordRow(
            'who gets in',
            `forward + AIRFLOW_JWT_SECRET, token ${label}`,
            `${sawOf(r)}, WWW-Authenticate: ${r.ex.headers['www-authenticate']}; Airflow not called`,
            r.ms,
          );
        }
      }
      expect(sim.calls).toHaveLength(0);
      expect(metricValue(await s.metrics(), 'airflow_mcp_auth_forwarding_total', { path: 'rejected' })).toBe(
        cases.length,
      );

      // Within the 10 s leeway: accepted locally, and Airflow stays the judge.
      const justExpired = await sim.issueToken('admin', { expiresInSeconds: -5 });
      const lenient = await callTool(s.url, 'list_dags', {}, { authorization: `Bearer ${justExpired}` });
      expect(lenient.body).toMatchObject({ code: 'upstream_unauthorized' });
      const good = await callTool(
        s.url,
        'list_dags',
        {},
        { authorization: `Bearer ${await sim.issueToken('viewer')}` },
      );
      expect(good.body?.code).toBeUndefined();
      expect(sim.calls.map((c) => c.status)).toEqual([401, 200]);
    });
  });

  it('a token for another audience or issuer is refused', async () => {
    await withService({ ...env, AIRFLOW_JWT_AUDIENCE: 'another-airflow' }, async (s) => {
      const r = await callTool(
        s.url,
        'list_dags',
        {},
        { authorization: `Bearer ${await sim.issueToken('admin')}` },
      );
      expect(r.ex.status).toBe(401);
      expect(JSON.parse(r.ex.text).error.message).toMatch(/claim aud check failed/);
    });
    await withService({ ...env, AIRFLOW_JWT_ISSUER: 'https://airflow.example' }, async (s) => {
      const r = await callTool(
        s.url,
        'list_dags',
        {},
        { authorization: `Bearer ${await sim.issueToken('admin')}` },
      );
      expect(r.ex.status).toBe(401);
      expect(JSON.parse(r.ex.text).error.message).toMatch(/claim iss check failed/);
    });
    expect(sim.calls).toHaveLength(0);
  });

  it('forward mode with MCP_API_KEYS wants the key in X-API-Key, next to the caller’s own Authorization', async () => {
    await withService({ AIRFLOW_AUTH_MODE: 'forward', MCP_API_KEYS: 'gate-key-12345678' }, async (s) => {
      const token = `Bearer ${await sim.issueToken('viewer')}`;
      expect((await callTool(s.url, 'list_dags', {}, { authorization: token })).ex.status).toBe(401);
      const ok = await callTool(
        s.url,
        'list_dags',
        {},
        { authorization: token, 'x-api-key': 'gate-key-12345678' },
      );
      expect(ok.body?.code).toBeUndefined();
      expect(sim.calls.map((c) => c.user)).toEqual(['viewer']);
    });
  });
});
