// Parses a TOKENS_FILE (one credential per line) into Authorization headers and expected user names.
import { base64Decode, base64Encode } from './encoding.js';

export interface Credential {
  scheme: 'basic' | 'bearer';
  /** The full Authorization header value. */
  authorization: string;
  /** Who the server should see: JWT `sub` (unverified) or the Basic user; undefined for opaque tokens. */
  user: string | undefined;
  /** 1-based line in the file, for error messages. */
  line: number;
}

const JWT_PATTERN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** The `sub` claim of a JWT, read without verifying anything (the server and Airflow verify). */
export function jwtSubject(token: string): string | undefined {
  if (!JWT_PATTERN.test(token)) return undefined;
  const payload = base64Decode(token.split('.')[1] ?? '');
  if (payload === undefined) return undefined;
  try {
    const claims: unknown = JSON.parse(payload);
    if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) return undefined;
    const sub = (claims as Record<string, unknown>).sub;
    return typeof sub === 'string' && sub !== '' ? sub : undefined;
  } catch {
    return undefined;
  }
}

export function basicCredential(user: string, password: string, line = 0): Credential {
  return { scheme: 'basic', authorization: `Basic ${base64Encode(`${user}:${password}`)}`, user, line };
}

export function bearerCredential(token: string, line = 0): Credential {
  return { scheme: 'bearer', authorization: `Bearer ${token}`, user: jwtSubject(token), line };
}

/**
 * Reads one line. Accepted forms: `Bearer <token>`, `Basic <base64 user:pw>`, a bare JWT,
 * `user:password`. Throws on anything else so a typo fails the run at start, not mid-test.
 */
export function parseCredentialLine(raw: string, line: number): Credential {
  const text = raw.trim();
  const scheme = /^(bearer|basic)\s+(\S+)$/i.exec(text);
  if (scheme !== null) {
    const value = scheme[2]!;
    if (scheme[1]!.toLowerCase() === 'bearer') return bearerCredential(value, line);
    const decoded = base64Decode(value);
    const colon = decoded === undefined ? -1 : decoded.indexOf(':');
    if (decoded === undefined || colon <= 0)
      throw new Error(`TOKENS_FILE line ${line}: malformed Basic credential`);
    return { scheme: 'basic', authorization: `Basic ${value}`, user: decoded.slice(0, colon), line };
  }
  if (JWT_PATTERN.test(text)) return bearerCredential(text, line);
  const colon = text.indexOf(':');
  if (colon > 0 && !/\s/.test(text.slice(0, colon))) {
    return basicCredential(text.slice(0, colon), text.slice(colon + 1), line);
  }
  // Never echo the line: it may hold a secret.
  throw new Error(`TOKENS_FILE line ${line}: expected "user:password", "Bearer <token>" or a JWT`);
}

/** Parses a whole file; blank lines and `#` comments are skipped. */
export function parseTokens(text: string): Credential[] {
  const credentials: Credential[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    credentials.push(parseCredentialLine(trimmed, i + 1));
  }
  return credentials;
}

/** Distinct expected users, for token-isolation runs that need at least two. */
export function distinctUsers(credentials: readonly Credential[]): string[] {
  const users: string[] = [];
  for (const credential of credentials) {
    if (credential.user !== undefined && !users.includes(credential.user)) users.push(credential.user);
  }
  return users;
}
