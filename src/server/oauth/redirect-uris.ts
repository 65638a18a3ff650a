// Which redirect URIs a client may register, and the one matching rule: exact, except the port of a
// loopback redirect (RFC 8252 §7.3: native apps listen on whatever port is free).

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);
const MAX_URI = 2_000;

function parse(uri: string): URL | undefined {
  try {
    return new URL(uri);
  } catch {
    return undefined;
  }
}

function isLoopbackHttp(u: URL): boolean {
  return u.protocol === 'http:' && LOOPBACK_HOSTS.has(u.hostname);
}

/** Why a redirect URI may not be registered, or undefined when it may. */
export function redirectUriProblem(uri: unknown): string | undefined {
  if (typeof uri !== 'string' || uri.length === 0 || uri.length > MAX_URI) return 'must be a URL string';
  const u = parse(uri);
  if (!u) return 'must be an absolute URL';
  if (u.hash !== '' || uri.includes('#')) return 'must not have a fragment';
  if (u.username !== '' || u.password !== '') return 'must not carry user information';
  if (u.protocol === 'https:' || isLoopbackHttp(u)) return undefined;
  return 'must be https, or http on a loopback address (127.0.0.1, [::1], localhost)';
}

/** True when `presented` is one of `registered`: the same string, or a loopback one differing only in port. */
export function redirectUriMatches(registered: readonly string[], presented: string): boolean {
  if (registered.includes(presented)) return true;
  const p = parse(presented);
  if (!p || !isLoopbackHttp(p) || presented.includes('#')) return false;
  return registered.some((r) => {
    const u = parse(r);
    if (!u || !isLoopbackHttp(u)) return false;
    return u.hostname === p.hostname && u.pathname === p.pathname && u.search === p.search;
  });
}
