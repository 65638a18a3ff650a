// Hardening settings: defaults, limits, and the refusal to serve held credentials openly without inbound auth.
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../src/config/load-settings.js';
import { isLoopbackHost } from '../../../src/config/settings.js';

const load = (env: Record<string, string>) => loadSettings([], env, 'test');

describe('hardening settings', () => {
  it('has safe defaults', () => {
    expect(load({})).toMatchObject({
      airflowRetries: 2,
      airflowRetryBudgetRatio: 0.1,
      airflowBreakerThreshold: 5,
      airflowBreakerCooldownMs: 10_000,
      airflowJwtLeewaySeconds: 10,
      mcpApiKeys: [],
      allowUnauthenticated: false,
    });
  });

  it.each([
    [{ AIRFLOW_RETRIES: '9' }, /^Invalid AIRFLOW_RETRIES: /],
    [{ AIRFLOW_RETRY_BUDGET_RATIO: '2' }, /^Invalid AIRFLOW_RETRY_BUDGET_RATIO: /],
    [{ AIRFLOW_BREAKER_COOLDOWN_MS: '5' }, /^Invalid AIRFLOW_BREAKER_COOLDOWN_MS: /],
    [{ AIRFLOW_JWT_SECRET: 'short' }, /^Invalid AIRFLOW_JWT_SECRET: [^"]*$/],
    [{ AIRFLOW_JWKS_URL: 'ftp://x' }, /^Invalid AIRFLOW_JWKS_URL: /],
    [
      { AIRFLOW_JWT_SECRET: 'a'.repeat(32), AIRFLOW_JWKS_URL: 'https://airflow/jwks' },
      /^Invalid AIRFLOW_JWKS_URL: set either/,
    ],
  ])('rejects %j', (env, message) => {
    expect(() => load(env)).toThrow(message);
  });

  it.each([
    ['token on 0.0.0.0', { AIRFLOW_AUTH_MODE: 'token', AIRFLOW_AUTH_TOKEN: 'secret-token' }, true],
    ['token on 127.0.0.1', { AIRFLOW_AUTH_MODE: 'token', AIRFLOW_AUTH_TOKEN: 't', HOST: '127.0.0.1' }, false],
    [
      'token with API keys',
      { AIRFLOW_AUTH_MODE: 'token', AIRFLOW_AUTH_TOKEN: 't', MCP_API_KEYS: 'k' },
      false,
    ],
    [
      'token with a keys file',
      { AIRFLOW_AUTH_MODE: 'token', AIRFLOW_AUTH_TOKEN: 't', MCP_API_KEYS_FILE: '/k' },
      false,
    ],
    [
      'token with ALLOW_UNAUTHENTICATED',
      { AIRFLOW_AUTH_MODE: 'token', AIRFLOW_AUTH_TOKEN: 't', ALLOW_UNAUTHENTICATED: 'true' },
      false,
    ],
    [
      'password on ::',
      { AIRFLOW_AUTH_MODE: 'password', AIRFLOW_USERNAME: 'u', AIRFLOW_PASSWORD: 'pw', HOST: '::' },
      true,
    ],
    ['forward on 0.0.0.0', { AIRFLOW_AUTH_MODE: 'forward' }, false],
    ['none on 0.0.0.0', { AIRFLOW_AUTH_MODE: 'none' }, false],
  ])('%s → refused: %s', (_label, env, refused) => {
    if (refused) {
      expect(() => load(env)).toThrow(
        /^Refusing to start: .* without inbound authentication; set MCP_API_KEYS/,
      );
      expect(() => load(env)).not.toThrow(/secret-token/);
    } else {
      expect(() => load(env)).not.toThrow();
    }
  });
});

describe('isLoopbackHost parses the address', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.3.2.1', true],
    ['::1', true],
    ['[::1]', true],
    ['0:0:0:0:0:0:0:1', true],
    ['::ffff:127.0.0.1', true],
    ['localhost', true],
    ['LOCALHOST', true],
    ['127.0.0.1.nip.io', false],
    ['127.attacker.example', false],
    ['localhost.attacker.example', false],
    ['0.0.0.0', false],
    ['::', false],
    ['10.0.0.1', false],
    ['128.0.0.1', false],
    ['::2', false],
  ])('%s → %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });

  it('HOST=127.0.0.1.nip.io does not pass the refusal to serve held credentials without inbound auth', () => {
    expect(() =>
      load({ AIRFLOW_AUTH_MODE: 'token', AIRFLOW_AUTH_TOKEN: 'secret-token', HOST: '127.0.0.1.nip.io' }),
    ).toThrow(
      /^Refusing to start: AIRFLOW_AUTH_MODE=token on 127\.0\.0\.1\.nip\.io without inbound authentication/,
    );
  });
});
