// The key file format, redirect URI rules (RFC 8252 loopback ports), oauth settings and sealed artefacts.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../../src/config/load-settings.js';
import { ConfigError } from '../../../../src/config/settings.js';
import { isPrivateAddress } from '../../../../src/server/oauth/cimd.js';
import { parseKeyRing } from '../../../../src/server/oauth/keys.js';
import { createAttemptLimiter } from '../../../../src/server/oauth/rate-limit.js';
import { redirectUriMatches, redirectUriProblem } from '../../../../src/server/oauth/redirect-uris.js';
import { createSealer } from '../../../../src/server/oauth/sealed.js';

const key = () => randomBytes(32).toString('base64url');

describe('MCP_OAUTH_KEYS_FILE', () => {
  it('reads ids and keys, skips comments and blank lines, seals under the first', () => {
    const ring = parseKeyRing(`# rotation: newest first\n\nnew ${key()}\n  old ${key()}  \n`);
    expect(ring.current.kid).toBe('new');
    expect([...ring.byId.keys()]).toEqual(['new', 'old']);
  });

  it.each([
    ['', /holds no keys/],
    ['# only a comment', /holds no keys/],
    ['k1', /line 1 must be "<key id> <base64url key>"/],
    [`k1 ${key()} extra`, /line 1 must be/],
    [`k1 ${key().slice(0, 20)}`, /key k1 must be base64url of exactly 32 random bytes/],
    [`k1 ${key()}\nk1 ${key()}`, /line 2: key id k1 is listed twice/],
    [`bad/id ${key()}`, /key id must be/],
    [`k1 ${'+'.repeat(43)}`, /exactly 32 random bytes/],
  ])('refuses %j with one line naming the setting', (text, why) => {
    expect(() => parseKeyRing(text)).toThrow(ConfigError);
    expect(() => parseKeyRing(text)).toThrow(why);
    try {
      parseKeyRing(text);
    } catch (error) {
      expect((error as Error).message).toMatch(/^Invalid MCP_OAUTH_KEYS_FILE: /);
      expect((error as Error).message).not.toContain('\n');
    }
  });
});

describe('sealed artefacts', () => {
  it('open only as their own kind, within their lifetime, under a listed key', async () => {
    let t = 1_800_000_000_000;
    const ring = parseKeyRing(`a ${key()}\nb ${key()}`);
    const sealer = createSealer(ring, () => t);
    const code = await sealer.seal('code', { x: 1 }, 60);
    expect(await sealer.open('code', code)).toMatchObject({ x: 1 });
    expect(await sealer.open('access', code)).toBeUndefined();
    expect(await sealer.open('client', code)).toBeUndefined();
    t += 61_000;
    expect(await sealer.open('code', code)).toBeUndefined();
    const other = createSealer(parseKeyRing(`b ${key()}`), () => t);
    expect(await other.open('code', await sealer.seal('code', {}, 60))).toBeUndefined();
    const token = await sealer.seal(
      'access',
      { aud: 'https://a/mcp', exp: Math.floor(t / 1000) + 60 },
      undefined,
    );
    expect(await sealer.open('access', token, { audience: 'https://a/mcp' })).toBeDefined();
    expect(await sealer.open('access', token, { audience: 'https://b/mcp' })).toBeUndefined();
    expect(await sealer.open('access', 'x'.repeat(20_000))).toBeUndefined();
  });
});

describe('redirect URIs', () => {
  it.each([
    ['https://app.example/cb', undefined],
    ['http://127.0.0.1:3000/cb', undefined],
    ['http://[::1]/cb', undefined],
    ['http://localhost:1/cb', undefined],
    ['http://app.example/cb', /https, or http on a loopback/],
    ['https://app.example/cb#x', /fragment/],
    ['https://user:pw@app.example/cb', /user information/],
    ['javascript:alert(1)', /https, or http/],
    ['/relative', /absolute/],
  ])('registering %s', (uri, problem) => {
    const found = redirectUriProblem(uri);
    if (problem) expect(found).toMatch(problem);
    else expect(found).toBeUndefined();
  });

  it.each([
    ['https://app.example/cb', 'https://app.example/cb', true],
    ['https://app.example/cb', 'https://app.example/cb/', false],
    ['https://app.example/cb', 'https://app.example:444/cb', false],
    ['https://app.example/cb', 'https://app.example/cb?x=1', false],
    ['http://127.0.0.1:3000/cb', 'http://127.0.0.1:49152/cb', true],
    ['http://127.0.0.1/cb', 'http://127.0.0.1:49152/cb', true],
    ['http://127.0.0.1:3000/cb', 'http://127.0.0.1:3000/other', false],
    ['http://127.0.0.1:3000/cb', 'http://[::1]:3000/cb', false],
    ['http://127.0.0.1:3000/cb', 'http://127.0.0.2:3000/cb', false],
    ['http://127.0.0.1:3000/cb', 'https://127.0.0.1:3000/cb', false],
  ])('registered %s, presented %s → %s', (registered, presented, ok) => {
    expect(redirectUriMatches([registered], presented)).toBe(ok);
  });
});

describe('private addresses for client metadata fetches', () => {
  it.each([
    ['127.0.0.1', true],
    ['10.1.2.3', true],
    ['172.20.0.1', true],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['::1', true],
    ['fd00::1', true],
    ['fe80::1', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:8.8.8.8', false],
    ['::ffff:7f00:1', true],
    ['::ffff:808:808', false],
    ['64:ff9b::a00:1', true],
    ['8.8.8.8', false],
    ['2606:4700::1111', false],
  ])('%s private: %s', (address, expected) => {
    expect(isPrivateAddress(address)).toBe(expected);
  });
});

describe('sign-in attempt limiter', () => {
  it('blocks an address after max failures within the window, and only that address', () => {
    let t = 0;
    const limiter = createAttemptLimiter({ max: 2, windowMs: 60_000, now: () => t });
    limiter.failed('a');
    expect(limiter.blockedFor('a')).toBe(0);
    limiter.failed('a');
    expect(limiter.blockedFor('a')).toBe(60);
    expect(limiter.blockedFor('b')).toBe(0);
    t = 30_000;
    expect(limiter.blockedFor('a')).toBe(30);
    t = 60_001;
    expect(limiter.blockedFor('a')).toBe(0);
  });
});

describe('oauth settings', () => {
  const load = (env: Record<string, string>) => loadSettings([], env, '0.0.0');
  it('needs MCP_PUBLIC_URL and MCP_OAUTH_KEYS_FILE in oauth mode only', () => {
    expect(load({}).airflowAuthMode).toBe('forward');
    expect(() => load({ AIRFLOW_AUTH_MODE: 'oauth' })).toThrow(
      /^Invalid MCP_PUBLIC_URL: .*AIRFLOW_AUTH_MODE=oauth/,
    );
    expect(() => load({ AIRFLOW_AUTH_MODE: 'oauth', MCP_PUBLIC_URL: 'https://mcp.example.com' })).toThrow(
      /^Invalid MCP_OAUTH_KEYS_FILE: /,
    );
    const s = load({
      AIRFLOW_AUTH_MODE: 'oauth',
      MCP_PUBLIC_URL: 'https://mcp.example.com/',
      MCP_OAUTH_KEYS_FILE: '/k',
    });
    expect(s).toMatchObject({ mcpPublicUrl: 'https://mcp.example.com', mcpOauthTokenTtlSeconds: 3600 });
    expect(s.mcpOauthCimdAllowPrivate).toBe(false);
    expect(s.mcpOauthAllowAirflowHeader).toBe(false);
  });
  it.each(['https://mcp.example.com/mcp', 'ftp://x', 'https://x/?a=1'])(
    'refuses MCP_PUBLIC_URL %s',
    (url) => {
      expect(() => load({ MCP_PUBLIC_URL: url })).toThrow(/^Invalid MCP_PUBLIC_URL: /);
    },
  );
});
