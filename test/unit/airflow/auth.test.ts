import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { passwordAuth } from '../../../src/airflow/auth-providers.js';
import { parseAuthorization } from '../../../src/airflow/call-context.js';

const ctx = { requestId: 'r', credentials: undefined, signal: new AbortController().signal };

async function jwt(expSeconds: number) {
  return new SignJWT({ sub: 'svc' })
    .setProtectedHeader({ alg: 'HS512' })
    .setExpirationTime(expSeconds)
    .sign(new TextEncoder().encode('k'.repeat(64)));
}

describe('parseAuthorization', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['Bearer abc.def-ghi_jkl', { scheme: 'bearer', header: 'Bearer abc.def-ghi_jkl' }],
    ['bearer abc', { scheme: 'bearer', header: 'Bearer abc' }],
    ['Basic YWRtaW46YWRtaW4=', { scheme: 'basic', header: 'Basic YWRtaW46YWRtaW4=' }],
    ['Token abc', 'invalid'],
    ['Bearer', 'invalid'],
    ['Bearer a b', 'invalid'],
    ['Bearer abc\r\nX-Evil: 1', 'invalid'],
  ])('%j → %j', (header, expected) => {
    expect(parseAuthorization(header)).toEqual(expected);
  });
});

describe('passwordAuth', () => {
  it('logs in once for concurrent calls, caches, and refreshes before expiry', async () => {
    let now = 1_000_000_000_000;
    let logins = 0;
    const auth = passwordAuth({
      username: 'svc',
      password: 'pw',
      now: () => now,
      login: async () => {
        logins++;
        return jwt(Math.floor(now / 1000) + 600);
      },
    });
    const [a, b] = await Promise.all([auth.authorize(ctx, 'v2'), auth.authorize(ctx, 'v2')]);
    expect(logins).toBe(1);
    expect(a.authorization).toBe(b.authorization);
    expect(a.path).toBe('service_login');
    now += 550_000; // 50 s before exp: inside the 60 s refresh margin
    const c = await auth.authorize(ctx, 'v2');
    expect(logins).toBe(2);
    expect(c.authorization).not.toBe(a.authorization);
  });

  it('drops the cached token after a 401 so one retry logs in again', async () => {
    let logins = 0;
    const auth = passwordAuth({
      username: 'svc',
      password: 'pw',
      now: () => 0,
      login: async () => {
        logins++;
        return jwt(4_000_000_000 + logins);
      },
    });
    const first = await auth.authorize(ctx, 'v2');
    expect(auth.invalidate(first)).toBe(true);
    await auth.authorize(ctx, 'v2');
    expect(logins).toBe(2);
  });

  it('uses HTTP Basic on Airflow 2 without logging in', async () => {
    const auth = passwordAuth({
      username: 'svc',
      password: 'pw',
      now: () => 0,
      login: async () => {
        throw new Error('must not log in');
      },
    });
    const got = await auth.authorize(ctx, 'v1');
    expect(got).toEqual({
      authorization: `Basic ${Buffer.from('svc:pw').toString('base64')}`,
      path: 'service_login',
    });
  });
});
