// Inbound auth decisions: API key matching, JWT claims and leeway on an injected clock, per auth mode.
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createInboundAuth, parseApiKeysFile } from '../../../src/server/inbound-auth.js';

const SECRET = 'unit-test-secret-unit-test-secret-0123456789';
const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const sec = Math.floor(NOW / 1000);

function jwt(
  claims: { exp?: number; nbf?: number; aud?: string; iss?: string },
  secret = SECRET,
  alg = 'HS512',
) {
  let b = new SignJWT({}).setProtectedHeader({ alg }).setSubject('u').setIssuedAt(sec);
  if (claims.exp !== undefined) b = b.setExpirationTime(claims.exp);
  if (claims.nbf !== undefined) b = b.setNotBefore(claims.nbf);
  if (claims.aud) b = b.setAudience(claims.aud);
  if (claims.iss) b = b.setIssuer(claims.iss);
  return b.sign(new TextEncoder().encode(secret));
}

const base = { apiKeys: [] as string[], leewaySeconds: 10, now: () => NOW };

describe('API keys', () => {
  const auth = createInboundAuth({ ...base, mode: 'token', apiKeys: ['alpha-key-123', 'beta-key-4567'] });

  it.each([
    [{ authorization: 'Bearer alpha-key-123' }, true],
    [{ authorization: 'bearer beta-key-4567' }, true],
    [{ 'x-api-key': 'beta-key-4567' }, true],
    [{ authorization: 'Bearer alpha-key-12' }, false],
    [{ authorization: 'Bearer alpha-key-1234' }, false],
    [{ authorization: 'Basic alpha-key-123' }, false],
    [{ 'x-api-key': '' }, false],
    [{}, false],
  ])('%j → %s', async (headers, ok) => {
    expect((await auth.check(headers)).ok).toBe(ok);
  });

  it('a missing key is a bare challenge; a wrong one says invalid_token', async () => {
    expect(await auth.check({})).toMatchObject({ status: 401, challenge: 'Bearer realm="airflow-mcp"' });
    const wrong = await auth.check({ authorization: 'Bearer nope' });
    expect(wrong).toMatchObject({ status: 401 });
    expect(!wrong.ok && wrong.challenge).toContain('error="invalid_token"');
    expect(JSON.stringify(wrong)).not.toContain('nope');
  });

  it('is off when nothing is configured', async () => {
    const off = createInboundAuth({ ...base, mode: 'token' });
    expect(off.enabled).toBe(false);
  });

  it('keys files skip blanks and comments, trim, and accept CRLF', () => {
    expect(parseApiKeysFile('# c\r\n a \r\n\r\nb\n#d\n')).toEqual(['a', 'b']);
  });
});

describe('JWT verification (forward mode)', () => {
  const auth = createInboundAuth({
    ...base,
    mode: 'forward',
    jwtSecret: SECRET,
    audience: 'apache-airflow',
    issuer: 'airflow',
  });
  const good = { exp: sec + 60, aud: 'apache-airflow', iss: 'airflow' };
  const bearer = async (claims: Parameters<typeof jwt>[0], secret?: string, alg?: string) =>
    auth.check({ authorization: `Bearer ${await jwt(claims, secret, alg)}` });

  it('accepts a valid token', async () => {
    expect((await bearer(good)).ok).toBe(true);
  });

  it.each([
    ['expired beyond the 10 s leeway', { ...good, exp: sec - 11 }, /token expired/],
    ['not yet valid beyond the leeway', { ...good, nbf: sec + 30 }, /claim nbf check failed/],
    ['wrong audience', { ...good, aud: 'other' }, /claim aud check failed/],
    ['wrong issuer', { ...good, iss: 'other' }, /claim iss check failed/],
    ['no exp at all', { aud: 'apache-airflow', iss: 'airflow' }, /claim exp check failed/],
  ])('refuses a token %s', async (_label, claims, message) => {
    const d = await bearer(claims);
    expect(d.ok).toBe(false);
    expect(!d.ok && d.message).toMatch(message);
  });

  it('accepts a token expired within the leeway (Airflow stays the judge)', async () => {
    expect((await bearer({ ...good, exp: sec - 9 })).ok).toBe(true);
  });

  it('refuses another secret and another algorithm', async () => {
    expect(await bearer(good, 'another-secret-another-secret-another')).toMatchObject({
      ok: false,
      status: 401,
    });
    expect(await bearer(good, SECRET, 'HS256')).toMatchObject({ ok: false, status: 401 });
  });

  it('refuses Basic and missing credentials with a bare challenge', async () => {
    expect(await auth.check({ authorization: 'Basic YTpi' })).toMatchObject({
      ok: false,
      reason: 'missing_credentials',
    });
    expect(await auth.check({})).toMatchObject({ ok: false, reason: 'missing_credentials' });
  });
});
