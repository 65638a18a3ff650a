// Sealed (encrypted and authenticated) JWTs for every sign-in artefact: JWE dir + A256GCM under the key ring.
import { EncryptJWT, type JWTPayload, jwtDecrypt } from 'jose';
import type { KeyRing } from './keys.js';

/** Each artefact has its own type, checked on opening, so one can never be replayed as another. */
export type SealedKind = 'client' | 'request' | 'code' | 'access';

const TYP: Record<SealedKind, string> = {
  client: 'airflow-mcp-client+jwt',
  request: 'airflow-mcp-authz-request+jwt',
  code: 'airflow-mcp-code+jwt',
  access: 'at+jwt',
};

export interface Sealer {
  seal(kind: SealedKind, claims: JWTPayload, lifetimeSeconds: number | undefined): Promise<string>;
  /** The claims, or undefined for anything that is not a valid, unexpired artefact of this kind. */
  open<T extends object>(
    kind: SealedKind,
    token: string,
    check?: { audience?: string },
  ): Promise<(T & JWTPayload) | undefined>;
}

export function createSealer(keys: KeyRing, now: () => number): Sealer {
  return {
    async seal(kind, claims, lifetimeSeconds) {
      const iat = Math.floor(now() / 1000);
      const jwt = new EncryptJWT(claims)
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: keys.current.kid, typ: TYP[kind] })
        .setIssuedAt(iat);
      if (lifetimeSeconds !== undefined && claims.exp === undefined)
        jwt.setExpirationTime(iat + lifetimeSeconds);
      return jwt.encrypt(keys.current.key);
    },
    async open<T extends object>(kind: SealedKind, token: string, check: { audience?: string } = {}) {
      if (token.length > 16_384) return undefined;
      try {
        const { payload } = await jwtDecrypt(
          token,
          (header) => {
            const key = typeof header.kid === 'string' ? keys.byId.get(header.kid) : undefined;
            if (!key) throw new Error('unknown key id');
            return key;
          },
          {
            keyManagementAlgorithms: ['dir'],
            contentEncryptionAlgorithms: ['A256GCM'],
            typ: TYP[kind],
            currentDate: new Date(now()),
            clockTolerance: 0,
            ...(check.audience ? { audience: check.audience } : {}),
          },
        );
        return payload as T & JWTPayload;
      } catch {
        return undefined;
      }
    },
  };
}
