// Who a client is: a Client ID Metadata Document URL, or a client_id this service issued at /register
// (RFC 7591) that carries its own sealed registration, so no registry is stored anywhere.
import { CimdError, type CimdFetcher } from './cimd.js';
import { redirectUriProblem } from './redirect-uris.js';
import type { Sealer } from './sealed.js';

export interface OAuthClient {
  clientId: string;
  name: string | undefined;
  redirectUris: readonly string[];
}

interface ClientClaims {
  ru: string[];
  cn?: string;
}

export class ClientError extends Error {
  constructor(
    readonly error: 'invalid_client_metadata' | 'invalid_redirect_uri' | 'invalid_client',
    message: string,
  ) {
    super(message);
  }
}

const MAX_URIS = 10;

export function createClients(sealer: Sealer, cimd: CimdFetcher, now: () => number) {
  return {
    /** RFC 7591 registration: validates the metadata and returns the response body. */
    async register(body: unknown): Promise<Record<string, unknown>> {
      if (!body || typeof body !== 'object' || Array.isArray(body)) {
        throw new ClientError('invalid_client_metadata', 'send the client metadata as a JSON object');
      }
      const m = body as Record<string, unknown>;
      const uris = m.redirect_uris;
      if (!Array.isArray(uris) || uris.length === 0 || uris.length > MAX_URIS) {
        throw new ClientError('invalid_redirect_uri', `redirect_uris must list 1 to ${MAX_URIS} URIs`);
      }
      for (const uri of uris) {
        const problem = redirectUriProblem(uri);
        if (problem) throw new ClientError('invalid_redirect_uri', `redirect URI ${problem}`);
      }
      const method = m.token_endpoint_auth_method;
      if (method !== undefined && method !== 'none') {
        // Public clients only: a secret handed out by a stateless service would protect nothing PKCE does not.
        throw new ClientError('invalid_client_metadata', 'token_endpoint_auth_method must be "none"');
      }
      const grants = m.grant_types;
      if (
        grants !== undefined &&
        (!Array.isArray(grants) || grants.some((g) => g !== 'authorization_code' && g !== 'refresh_token'))
      ) {
        throw new ClientError('invalid_client_metadata', 'grant_types may only be authorization_code');
      }
      const name = typeof m.client_name === 'string' ? m.client_name.trim().slice(0, 100) : undefined;
      const claims: ClientClaims = { ru: uris as string[], ...(name ? { cn: name } : {}) };
      const clientId = await sealer.seal('client', { ...claims }, undefined);
      return {
        client_id: clientId,
        client_id_issued_at: Math.floor(now() / 1000),
        redirect_uris: uris,
        ...(name ? { client_name: name } : {}),
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
      };
    },

    /** The client behind a client_id, or a ClientError saying why it is not one. */
    async resolve(clientId: unknown): Promise<OAuthClient> {
      if (typeof clientId !== 'string' || clientId === '') {
        throw new ClientError('invalid_client', 'client_id is missing');
      }
      if (clientId.startsWith('https://') || clientId.startsWith('http://')) {
        try {
          const doc = await cimd.resolve(clientId);
          const bad = doc.redirect_uris.find((u) => redirectUriProblem(u) !== undefined);
          if (bad !== undefined)
            throw new CimdError('the client metadata document lists an unusable redirect URI');
          return { clientId, name: doc.client_name, redirectUris: doc.redirect_uris };
        } catch (error) {
          throw new ClientError(
            'invalid_client',
            error instanceof CimdError ? error.message : 'unknown client',
          );
        }
      }
      const claims = await sealer.open<ClientClaims & { iat?: number }>('client', clientId);
      if (!claims || !Array.isArray(claims.ru)) throw new ClientError('invalid_client', 'unknown client');
      return { clientId, name: claims.cn, redirectUris: claims.ru };
    },
  };
}

export type Clients = ReturnType<typeof createClients>;
