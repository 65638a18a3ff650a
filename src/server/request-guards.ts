// Host/Origin checks against DNS rebinding, and the request id / served-by headers every response carries.
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import {
  localhostAllowedHostnames,
  validateHostHeader,
  validateOriginHeader,
} from '@modelcontextprotocol/server';
import { isLoopbackHost } from '../config/settings.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's X-Request-Id when it is safe to echo and log, else a new one; set on the response. */
export function assignRequestId(
  headers: IncomingHttpHeaders,
  res: ServerResponse,
  servedBy: string | undefined,
): string {
  const given = headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('x-request-id', id);
  if (servedBy !== undefined) res.setHeader('x-served-by', servedBy);
  return id;
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

/**
 * Why start-up should warn about this policy, if it should: bound beyond loopback without ALLOWED_HOSTS,
 * any Host is accepted, so a browser page on a rebinding domain can reach the server (its Origin matches
 * the Host it was sent with). Kept a warning so a local run needs no setting; the Helm chart sets the list.
 */
export function hostPolicyWarning(policy: HostPolicy, bindHost: string): string | undefined {
  if (policy.hosts) return undefined;
  return `Any Host header is accepted (HOST=${bindHost} without ALLOWED_HOSTS), so there is no DNS-rebinding protection for browsers: set ALLOWED_HOSTS to the names clients use`;
}

export type HostCheck = { ok: true } | { ok: false; reason: 'host' | 'origin'; message: string };

export function checkHostOrigin(policy: HostPolicy, headers: IncomingHttpHeaders): HostCheck {
  if (policy.hosts) {
    const host = validateHostHeader(headers.host, policy.hosts);
    if (!host.ok) {
      return {
        ok: false,
        reason: 'host',
        message: `Forbidden: Host header not allowed (${host.errorCode}).`,
      };
    }
  }
  const origin = headers.origin;
  if (origin) {
    const allowed = policy.origins ?? [hostnameOf(headers.host)];
    if (!validateOriginHeader(origin, allowed).ok) {
      return { ok: false, reason: 'origin', message: 'Forbidden: Origin not allowed.' };
    }
  }
  return { ok: true };
}

function hostnameOf(host: string | undefined): string {
  if (!host) return '';
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  return host.split(':')[0] ?? '';
}
