// Host/Origin checks against DNS rebinding, and the request id / served-by headers every response carries.
import { randomUUID } from 'node:crypto';
import {
  localhostAllowedHostnames,
  validateHostHeader,
  validateOriginHeader,
} from '@modelcontextprotocol/server';
import type { NextFunction, Request, Response } from 'express';
import { isLoopbackHost } from '../config/settings.js';
import { jsonRpcError } from './json-rpc-error.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdMiddleware(replica: string, servedBy: boolean) {
  return (req: Request, res: Response, next: NextFunction) => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    res.locals.requestId = id;
    res.setHeader('x-request-id', id);
    if (servedBy) res.setHeader('x-served-by', replica);
    next();
  };
}

export interface HostPolicy {
  /** Allowed Host names, or undefined for any. */
  hosts: string[] | undefined;
  /** Allowed Origin host names, or undefined for "same host as the Host header". */
  origins: string[] | undefined;
}

/** Bound to loopback: only localhost names by default. Otherwise the lists given (empty = no Host restriction). */
export function hostPolicy(bindHost: string, allowedHosts: string[], allowedOrigins: string[]): HostPolicy {
  const local = isLoopbackHost(bindHost);
  return {
    hosts: allowedHosts.length ? allowedHosts : local ? localhostAllowedHostnames() : undefined,
    origins: allowedOrigins.length ? allowedOrigins : local ? localhostAllowedHostnames() : undefined,
  };
}

export function hostOriginMiddleware(policy: HostPolicy, onReject: (reason: string) => void) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (policy.hosts) {
      const host = validateHostHeader(req.headers.host, policy.hosts);
      if (!host.ok) {
        onReject('host');
        jsonRpcError(res, 403, -32000, `Forbidden: Host header not allowed (${host.errorCode}).`);
        return;
      }
    }
    const origin = req.headers.origin;
    if (origin) {
      const allowed = policy.origins ?? [hostnameOf(req.headers.host)];
      const check = validateOriginHeader(origin, allowed);
      if (!check.ok) {
        onReject('origin');
        jsonRpcError(res, 403, -32000, 'Forbidden: Origin not allowed.');
        return;
      }
    }
    next();
  };
}

function hostnameOf(host: string | undefined): string {
  if (!host) return '';
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  return host.split(':')[0] ?? '';
}
