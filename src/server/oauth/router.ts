// The sign-in endpoints as one express Router: RFC 9728 and RFC 8414 metadata, RFC 7591 registration,
// /authorize (login page) and /token. Everything is stateless: any replica serves any step.
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Logger } from '../../observability/logger.js';
import { type AuthorizeDeps, createAuthorize } from './authorize.js';
import { ClientError, type Clients } from './clients.js';
import type { Sealer } from './sealed.js';
import { createToken } from './token.js';

export interface OAuthRouterDeps {
  publicUrl: string;
  mcpPath: string;
  /** The protected resource: publicUrl + mcpPath. */
  resource: string;
  clients: Clients;
  sealer: Sealer;
  limiter: AuthorizeDeps['limiter'];
  signIn: AuthorizeDeps['signIn'];
  tokenTtlSeconds: number;
  logger: Logger;
  now: () => number;
}

/** Route templates of the router, for metric labels and for the node:http wiring. */
export function oauthRoutes(mcpPath: string): string[] {
  return [
    '/.well-known/oauth-protected-resource',
    `/.well-known/oauth-protected-resource${mcpPath}`,
    '/.well-known/oauth-authorization-server',
    '/register',
    '/authorize',
    '/token',
  ];
}

const NO_STORE = { 'cache-control': 'no-store' };

export function createOAuthRouter(d: OAuthRouterDeps): Router {
  const router = express.Router();
  const authorize = createAuthorize(d);
  const token = createToken(d);
  const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 });
  const json = express.json({ limit: '16kb' });

  const protectedResource = {
    resource: d.resource,
    authorization_servers: [d.publicUrl],
    bearer_methods_supported: ['header'],
    resource_name: 'Airflow MCP server',
  };
  const authorizationServer = {
    issuer: d.publicUrl,
    authorization_endpoint: `${d.publicUrl}/authorize`,
    token_endpoint: `${d.publicUrl}/token`,
    registration_endpoint: `${d.publicUrl}/register`,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code'],
    token_endpoint_auth_methods_supported: ['none'],
    code_challenge_methods_supported: ['S256'],
    client_id_metadata_document_supported: true,
    authorization_response_iss_parameter_supported: true,
  };
  const metadata = (body: object) => (_req: Request, res: Response) => {
    res.set('cache-control', 'public, max-age=300').set('access-control-allow-origin', '*').json(body);
  };
  router.get('/.well-known/oauth-protected-resource', metadata(protectedResource));
  router.get(`/.well-known/oauth-protected-resource${d.mcpPath}`, metadata(protectedResource));
  router.get('/.well-known/oauth-authorization-server', metadata(authorizationServer));

  // Browser-based clients call these cross-origin; they carry no cookies, so any origin may.
  const cors = (_req: Request, res: Response, next: NextFunction) => {
    res.set({
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'content-type, authorization',
      'access-control-max-age': '600',
    });
    next();
  };
  router.options(['/register', '/token'], cors, (_req, res) => {
    res.status(204).end();
  });
  router.post('/register', cors, json, async (req, res) => {
    try {
      res
        .status(201)
        .set(NO_STORE)
        .json(await d.clients.register(req.body));
    } catch (error) {
      if (!(error instanceof ClientError)) throw error;
      res.status(400).set(NO_STORE).json({ error: error.error, error_description: error.message });
    }
  });
  router.get('/authorize', authorize.show);
  router.post('/authorize', form, authorize.submit);
  router.post('/token', cors, form, token);

  // Body-parser failures (too large, malformed) and anything unexpected: a clear answer, never a crash.
  router.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const e = error as { status?: number; type?: string; message?: string };
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      res
        .status(e.status)
        .set(NO_STORE)
        .json({ error: 'invalid_request', error_description: e.type ?? 'bad request' });
      return;
    }
    d.logger.error({ err: e.message }, 'sign-in endpoint failed');
    res.status(500).set(NO_STORE).json({ error: 'server_error', error_description: 'internal error' });
  });
  return router;
}
