// TOKENS_FILE parsing and the hand-written base64/UTF-8 it relies on (k6 has no btoa or TextEncoder).
import { describe, expect, it } from 'vitest';
import { base64Decode, base64Encode, utf8Decode, utf8Encode } from '../../../loadtest/lib/encoding.js';
import { distinctUsers, jwtSubject, parseCredentialLine, parseTokens } from '../../../loadtest/lib/tokens.js';

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
function jwt(claims: Record<string, unknown>): string {
  return `${b64url({ alg: 'HS512', typ: 'JWT' })}.${b64url(claims)}.c2lnbmF0dXJl`;
}

describe('parseTokens', () => {
  it('turns each supported line form into an Authorization header and expected user', () => {
    const aliceJwt = jwt({ sub: 'alice', role: 'op' });
    const bobJwt = jwt({ sub: 'bob' });
    const text = [
      '# users for the token-isolation run',
      '',
      'carol:s3cret:with:colons',
      `Bearer ${aliceJwt}`,
      `  ${bobJwt}  `,
      `basic ${Buffer.from('dave:pw').toString('base64')}`,
      'bearer opaque-token',
    ].join('\r\n');
    expect(parseTokens(text)).toStrictEqual([
      {
        scheme: 'basic',
        authorization: `Basic ${Buffer.from('carol:s3cret:with:colons').toString('base64')}`,
        user: 'carol',
        line: 3,
      },
      { scheme: 'bearer', authorization: `Bearer ${aliceJwt}`, user: 'alice', line: 4 },
      { scheme: 'bearer', authorization: `Bearer ${bobJwt}`, user: 'bob', line: 5 },
      {
        scheme: 'basic',
        authorization: `Basic ${Buffer.from('dave:pw').toString('base64')}`,
        user: 'dave',
        line: 6,
      },
      { scheme: 'bearer', authorization: 'Bearer opaque-token', user: undefined, line: 7 },
    ]);
  });

  it('encodes non-ASCII Basic credentials as UTF-8', () => {
    expect(parseCredentialLine('zoë:pässword', 1).authorization).toBe(
      `Basic ${Buffer.from('zoë:pässword', 'utf8').toString('base64')}`,
    );
  });

  it.each(['just-a-word', ':secret', 'two words:pw', 'Basic bm9jb2xvbg==', 'Basic !!!'])(
    'rejects %j naming the line but not its content',
    (line) => {
      expect(() => parseTokens(`\n${line}`)).toThrow(/^TOKENS_FILE line 2: /);
      try {
        parseTokens(line);
      } catch (error) {
        expect((error as Error).message).not.toContain(line);
      }
    },
  );

  it('returns nothing for an empty or comment-only file', () => {
    expect(parseTokens('')).toStrictEqual([]);
    expect(parseTokens('# nothing\n\n')).toStrictEqual([]);
  });

  it('lists distinct known users in first-seen order', () => {
    const creds = parseTokens(['a:1', 'b:2', 'a:3', 'Bearer opaque'].join('\n'));
    expect(distinctUsers(creds)).toStrictEqual(['a', 'b']);
  });
});

describe('jwtSubject', () => {
  it('reads sub without verifying the signature', () => {
    expect(jwtSubject(jwt({ sub: 'admin', exp: 1 }))).toBe('admin');
  });

  it.each([
    ['no sub', jwt({ role: 'op' })],
    ['numeric sub', jwt({ sub: 7 })],
    ['empty sub', jwt({ sub: '' })],
    ['payload not JSON', `${b64url({})}.${Buffer.from('nope').toString('base64url')}.x`],
    ['payload an array', `${b64url({})}.${b64url(['sub'])}.x`],
    ['not three parts', 'abc.def'],
  ])('returns undefined for %s', (_label, token) => {
    expect(jwtSubject(token)).toBeUndefined();
  });
});

describe('encoding', () => {
  const samples = ['', 'a', 'ab', 'abc', 'user:pw', 'café', '日本語', '😀 emoji', 'x'.repeat(257)];

  it.each(samples)('base64-encodes %j exactly like Buffer', (text) => {
    expect(base64Encode(text)).toBe(Buffer.from(text, 'utf8').toString('base64'));
  });

  it.each(samples)('round-trips %j through base64 and base64url', (text) => {
    expect(base64Decode(Buffer.from(text, 'utf8').toString('base64'))).toBe(text);
    expect(base64Decode(Buffer.from(text, 'utf8').toString('base64url'))).toBe(text);
  });

  it('encodes UTF-8 like TextEncoder, lone surrogates included', () => {
    for (const text of [...samples, '\ud800', 'a\udc00b']) {
      expect(utf8Encode(text)).toStrictEqual([...new TextEncoder().encode(text)]);
    }
  });

  it.each([
    ['invalid characters', 'ab$d'],
    ['impossible length', 'abcde'],
  ])('rejects base64 with %s', (_label, input) => {
    expect(base64Decode(input)).toBeUndefined();
  });

  it.each([
    ['a lone continuation byte', [0x80]],
    ['an overlong encoding', [0xc0, 0xaf]],
    ['a truncated sequence', [0xe6, 0x97]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
  ])('refuses to decode %s', (_label, bytes) => {
    expect(utf8Decode(bytes)).toBeUndefined();
  });
});
