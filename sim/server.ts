// HTTP front door: base path, routing, auth enforcement, faults, latency, call recording and rendering.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Authenticator, Credential } from './auth.js';
import type { CallLog } from './calls.js';
import { type FaultSlot, replacesResponse, writeBody, writeFault } from './faults.js';
import {
  type ApiVersion,
  type Ctx,
  errorBody,
  HttpError,
  type Reply,
  ROLE_RANK,
  readBody,
} from './http-util.js';
import type { Router } from './router.js';
import type { Fault, RecordedCall } from './types.js';

export interface FrontDoorDeps {
  basePath: string;
  router: Router;
  auth: Authenticator;
  enforced: boolean;
  /** Added to every API answer; the object is shared with the control endpoints. */
  latency: { ms: number };
  now: () => number;
  calls: CallLog;
  faults: FaultSlot;
  hasV2: boolean;
  control: (req: IncomingMessage, res: ServerResponse, path: string, query: string) => Promise<void>;
}

const JSON_TYPE = { 'content-type': 'application/json' };
const PROBLEM_TYPE = { 'content-type': 'application/problem+json' };

export function createHandler(d: FrontDoorDeps) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const fullPath = q < 0 ? raw : raw.slice(0, q);
    const queryString = q < 0 ? '' : raw.slice(q + 1);
    const method = req.method ?? 'GET';
    const inBase = d.basePath === '' || fullPath === d.basePath || fullPath.startsWith(`${d.basePath}/`);
    const path = inBase ? fullPath.slice(d.basePath.length) || '/' : fullPath;

    if (inBase && path.startsWith('/_sim/')) return d.control(req, res, path, queryString);

    const header = req.headers.authorization;
    const cred: Credential = await d.auth.authenticate(header);
    const call: RecordedCall = {
      method,
      path: raw,
      route: 'unmatched',
      status: 0,
      user: cred.scheme === 'bearer' || cred.scheme === 'basic' ? cred.user : null,
      authScheme: cred.scheme,
      requestId: (req.headers['x-request-id'] as string | undefined) ?? null,
    };
    const v: ApiVersion = path.startsWith('/api/v1') ? 'v1' : 'v2';
    try {
      if (inBase && path === '/auth/token' && d.hasV2) {
        call.route = '/auth/token';
        const reply = await login(d, req, method);
        call.status = await send(res, reply, null, 0);
        return;
      }
      const fault = inBase ? d.faults.take(method, raw) : null;
      if (fault?.delayHeadersMs) await sleep(fault.delayHeadersMs);
      const match = inBase ? d.router.match(method, path) : null;
      if (match && match !== 'method') call.route = match.route.template;
      if (fault && replacesResponse(fault)) {
        call.status = await writeFault(res, fault);
        return;
      }
      let reply: Reply;
      if (match === null) reply = errorReply(v, new HttpError(404, 'Not Found'));
      else if (match === 'method') reply = errorReply(v, new HttpError(405, 'Method Not Allowed'));
      else {
        const route = match.route;
        const denied =
          route.role === 'public' || !d.enforced ? null : authorize(route.version, cred, route.role);
        if (denied) reply = denied;
        else {
          const body = route.json ? await parseJson(req, route.version) : undefined;
          const ctx: Ctx = {
            req,
            res,
            v: route.version,
            params: match.params,
            query: new URLSearchParams(queryString),
            body,
            user: call.user,
            now: d.now(),
          };
          reply = await route.handler(ctx);
        }
      }
      call.status = await send(res, reply, fault, d.latency.ms);
    } catch (err) {
      const reply =
        err instanceof HttpError ? errorReply(v, err) : errorReply(v, new HttpError(500, String(err)));
      call.status = await send(res, reply, null, d.latency.ms);
    } finally {
      d.calls.push(call);
    }
  };
}

function errorReply(v: ApiVersion, err: HttpError): Reply {
  return {
    status: err.status,
    body: errorBody(v, err),
    headers: { ...(err.headers ?? {}), ...(v === 'v1' ? PROBLEM_TYPE : {}) },
  };
}

/** Airflow 3 (JWT) and Airflow 2 (Basic) answers for missing, bad or under-privileged credentials. */
function authorize(v: ApiVersion, cred: Credential, role: keyof typeof ROLE_RANK): Reply | null {
  if (v === 'v2') {
    if (cred.scheme === 'none' || cred.scheme === 'basic') {
      return errorReply(
        v,
        new HttpError(401, 'Not authenticated', undefined, { 'www-authenticate': 'Bearer' }),
      );
    }
    if (cred.scheme === 'invalid') {
      return cred.reason === 'expired'
        ? errorReply(v, new HttpError(401, 'Token Expired'))
        : errorReply(v, new HttpError(403, 'Invalid JWT token'));
    }
  } else if (cred.scheme !== 'basic') {
    // Airflow 2's basic_auth backend answers with a bare text body and a Basic challenge.
    return { status: 401, text: 'Unauthorized', headers: { 'www-authenticate': 'Basic' } };
  }
  if (ROLE_RANK[cred.role] < ROLE_RANK[role]) {
    return errorReply(v, new HttpError(403, v === 'v2' ? 'Forbidden' : 'Access is denied', 'Forbidden'));
  }
  return null;
}

async function login(d: FrontDoorDeps, req: IncomingMessage, method: string): Promise<Reply> {
  if (method !== 'POST') return errorReply('v2', new HttpError(405, 'Method Not Allowed'));
  const body = (await parseJson(req, 'v2')) as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object') {
    return errorReply(
      'v2',
      new HttpError(422, [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }]),
    );
  }
  const user = d.auth.checkPassword(body.username, body.password);
  if (!user) return errorReply('v2', new HttpError(401, 'Invalid credentials'));
  return { status: 201, body: { access_token: await d.auth.issue(body.username as string) } };
}

async function parseJson(req: IncomingMessage, v: ApiVersion): Promise<unknown> {
  const text = await readBody(req);
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw v === 'v2'
      ? new HttpError(422, [
          {
            type: 'json_invalid',
            loc: ['body', 0],
            msg: 'JSON decode error',
            input: {},
            ctx: { error: String(err) },
          },
        ])
      : new HttpError(400, 'Request body is not valid JSON');
  }
}

async function send(
  res: ServerResponse,
  reply: Reply,
  fault: Fault | null,
  latencyMs: number,
): Promise<number> {
  if (latencyMs > 0) await sleep(latencyMs);
  if (res.destroyed) return reply.status;
  if (reply.status === 204 || (reply.body === undefined && reply.text === undefined)) {
    res.writeHead(reply.status, reply.headers);
    res.end();
    return reply.status;
  }
  const isText = reply.text !== undefined;
  const payload = Buffer.from(isText ? reply.text! : JSON.stringify(reply.body));
  const type = isText ? { 'content-type': 'text/plain; charset=utf-8' } : JSON_TYPE;
  await writeBody(res, reply.status, { ...type, ...(reply.headers ?? {}) }, payload, fault);
  return reply.status;
}
