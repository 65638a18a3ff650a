// Inbound auth, continued: JWKS verification in forward mode, and the real process refusing to start openly.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { JWT_AUDIENCE } from '../../../sim/auth.js';
import { type Simulator, startSimulator } from '../../../sim/index.js';
import { legacyHeaders, rawPost, toolsCall } from '../../helpers/raw-mcp.js';
import { type TestService, withTestService } from '../../helpers/service.js';
import { callTool } from './support.js';

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

describe('forward mode with AIRFLOW_JWKS_URL', () => {
  let jwks: Server;
  let jwksUrl: string;
  let sign: (claims: { iss?: string; aud?: string; expSeconds?: number }) => Promise<string>;
  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwks = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
    sign = (c) =>
      new SignJWT({ role: 'admin' })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setSubject('admin')
        .setAudience(c.aud ?? JWT_AUDIENCE)
        .setIssuer(c.iss ?? 'https://airflow.example')
        .setIssuedAt()
        .setExpirationTime(Math.floor(Date.now() / 1000) + (c.expSeconds ?? 600))
        .sign(privateKey);
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => jwks.close(() => resolve()));
  });

  it('verifies RS256 tokens against the key set: good ones reach Airflow, bad ones never do', async () => {
    const env = {
      AIRFLOW_AUTH_MODE: 'forward',
      AIRFLOW_JWKS_URL: jwksUrl,
      AIRFLOW_JWT_AUDIENCE: JWT_AUDIENCE,
      AIRFLOW_JWT_ISSUER: 'https://airflow.example',
    };
    await withService(env, async (s) => {
      const wrongIssuer = await callTool(
        s.url,
        'list_dags',
        {},
        { authorization: `Bearer ${await sign({ iss: 'https://evil.example' })}` },
      );
      expect(wrongIssuer.ex.status).toBe(401);
      const hsToken = await callTool(
        s.url,
        'list_dags',
        {},
        { authorization: `Bearer ${await sim.issueToken('admin')}` },
      );
      expect(hsToken.ex.status).toBe(401);
      expect(sim.calls).toHaveLength(0);
      // Verified locally, then the simulator (which only knows its HS512 secret) is the final judge.
      const good = await callTool(s.url, 'list_dags', {}, { authorization: `Bearer ${await sign({})}` });
      expect(good.ex.status).toBe(200);
      expect(sim.calls).toHaveLength(1);
    });
  });

  it('an unreachable JWKS endpoint → 503 with Retry-After, not a false 401', async () => {
    await withService(
      { AIRFLOW_AUTH_MODE: 'forward', AIRFLOW_JWKS_URL: 'http://127.0.0.1:9/jwks.json' },
      async (s) => {
        const r = await rawPost(
          s.url,
          toolsCall(1, 'list_dags'),
          legacyHeaders({ authorization: `Bearer ${await sign({})}` }),
        );
        expect(r.status).toBe(503);
        expect(r.headers['retry-after']).toBeDefined();
        expect(sim.calls).toHaveLength(0);
      },
    );
  });
});

describe('the real process', () => {
  it('token mode on 0.0.0.0 without inbound auth exits 2 with one line saying what to set', async () => {
    const child = spawn(
      join(import.meta.dirname, '../../../node_modules/.bin/tsx'),
      [join(import.meta.dirname, '../../../src/main.ts')],
      {
        env: {
          PATH: process.env.PATH ?? '',
          HOST: '0.0.0.0',
          PORT: '0',
          AIRFLOW_API_URL: sim.url,
          AIRFLOW_AUTH_MODE: 'token',
          AIRFLOW_AUTH_TOKEN: 'service-token-never-printed',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    onTestFinished(() => {
      if (child.exitCode === null) child.kill('SIGTERM');
    });
    const err: string[] = [];
    child.stderr.on('data', (d) => err.push(String(d)));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    const text = err.join('').trim();
    expect(code).toBe(2);
    expect(text.split('\n')).toHaveLength(1);
    expect(text).toMatch(/^airflow-mcp: Refusing to start: .*set MCP_API_KEYS or MCP_API_KEYS_FILE/);
    expect(text).not.toContain('service-token-never-printed');
  });
});
