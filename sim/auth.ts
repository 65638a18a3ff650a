// Credentials as Airflow checks them: HS512 JWTs from /auth/token (Airflow 3) and HTTP Basic (Airflow 2).
import { randomUUID } from 'node:crypto';
import { compactVerify, SignJWT } from 'jose';
import type { SimRole, SimUser } from './types.js';

export const JWT_AUDIENCE = 'apache-airflow';

export type Credential =
  | { scheme: 'none' }
  | { scheme: 'bearer' | 'basic'; user: string; role: SimRole; expiresAt?: number }
  /** `expired` → 401 "Token Expired"; `invalid` → 403 "Invalid JWT token" (v2) / 401 (v1 Basic). */
  | { scheme: 'invalid'; reason: 'expired' | 'invalid' };

interface CachedClaims {
  sub: string;
  role: SimRole;
  exp: number;
  nbf: number;
}

const MAX_CACHE = 50_000;
const ROLES: readonly string[] = ['viewer', 'user', 'op', 'admin'];

export class Authenticator {
  private readonly key: Uint8Array;
  // Verified tokens by their exact string: signature checks are done once per token, not per request.
  private readonly bearerCache = new Map<string, CachedClaims | null>();
  private readonly basicCache = new Map<string, Credential>();

  constructor(
    private readonly users: Record<string, SimUser>,
    private readonly secret: string,
    private readonly ttlSeconds: number,
    private readonly now: () => number,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  checkPassword(username: unknown, password: unknown): SimUser | null {
    if (typeof username !== 'string' || typeof password !== 'string') return null;
    const u = Object.hasOwn(this.users, username) ? this.users[username] : undefined;
    return u && u.password === password ? u : null;
  }

  async issue(
    user: string,
    opts: { expiresInSeconds?: number; secret?: string; role?: SimRole } = {},
  ): Promise<string> {
    const nowSec = Math.floor(this.now() / 1000);
    const role = opts.role ?? (Object.hasOwn(this.users, user) ? this.users[user]!.role : 'admin');
    const key = opts.secret === undefined ? this.key : new TextEncoder().encode(opts.secret);
    const exp = nowSec + (opts.expiresInSeconds ?? this.ttlSeconds);
    return new SignJWT({ role })
      .setProtectedHeader({ alg: 'HS512', typ: 'JWT' })
      .setSubject(user)
      .setJti(randomUUID())
      .setIssuedAt(nowSec)
      .setNotBefore(Math.min(nowSec, exp))
      .setExpirationTime(exp)
      .setAudience(JWT_AUDIENCE)
      .sign(key);
  }

  async authenticate(header: string | undefined): Promise<Credential> {
    if (!header) return { scheme: 'none' };
    const space = header.indexOf(' ');
    const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
    const value = space < 0 ? '' : header.slice(space + 1).trim();
    if (scheme === 'bearer') return this.bearer(value);
    if (scheme === 'basic') return this.basic(value);
    return { scheme: 'invalid', reason: 'invalid' };
  }

  private async bearer(token: string): Promise<Credential> {
    let claims = this.bearerCache.get(token);
    if (claims === undefined) {
      claims = await this.verify(token);
      if (this.bearerCache.size >= MAX_CACHE) this.bearerCache.clear();
      this.bearerCache.set(token, claims);
    }
    if (claims === null) return { scheme: 'invalid', reason: 'invalid' };
    const nowSec = this.now() / 1000;
    if (claims.exp <= nowSec) return { scheme: 'invalid', reason: 'expired' };
    if (claims.nbf > nowSec + 10) return { scheme: 'invalid', reason: 'invalid' };
    return { scheme: 'bearer', user: claims.sub, role: claims.role, expiresAt: claims.exp };
  }

  private async verify(token: string): Promise<CachedClaims | null> {
    try {
      // Signature only; time claims are checked against the injectable clock on every request.
      const { payload } = await compactVerify(token, this.key, { algorithms: ['HS512'] });
      const c = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
      const aud = Array.isArray(c.aud) ? c.aud : [c.aud];
      if (!aud.includes(JWT_AUDIENCE)) return null;
      if (typeof c.sub !== 'string' || typeof c.exp !== 'number') return null;
      // SimpleAuthManager roles may be spelled in upper case (VIEWER, ADMIN...).
      const claimed = typeof c.role === 'string' ? c.role.toLowerCase() : '';
      const role = ROLES.includes(claimed) ? (claimed as SimRole) : 'viewer';
      return { sub: c.sub, role, exp: c.exp, nbf: typeof c.nbf === 'number' ? c.nbf : 0 };
    } catch {
      return null;
    }
  }

  private basic(value: string): Credential {
    const cached = this.basicCache.get(value);
    if (cached) return cached;
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const username = colon < 0 ? decoded : decoded.slice(0, colon);
    const u = colon < 0 ? null : this.checkPassword(username, decoded.slice(colon + 1));
    const cred: Credential = u
      ? { scheme: 'basic', user: username, role: u.role }
      : { scheme: 'invalid', reason: 'invalid' };
    if (this.basicCache.size >= MAX_CACHE) this.basicCache.clear();
    this.basicCache.set(value, cred);
    return cred;
  }
}

export const DEFAULT_USERS: Record<string, SimUser> = {
  admin: { password: 'admin', role: 'admin' },
  op: { password: 'op', role: 'op' },
  user: { password: 'user', role: 'user' },
  viewer: { password: 'viewer', role: 'viewer' },
};

export const DEFAULT_JWT_SECRET = 'airflow-mcp-simulator-test-secret-not-for-production';
