// Sign-in helpers for tests: a key file, a round-robin HTTP front over replicas, the "browser" step of the
// login form, and an in-memory OAuthClientProvider usable by both SDK clients.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function newKey(): string {
  return randomBytes(32).toString('base64url');
}

/** Writes a keys file and returns its path; `lines` are "<kid> <key>" pairs, comments allowed. */
export function writeKeysFile(lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'airflow-mcp-oauth-'));
  const path = join(dir, 'keys');
  writeFileSync(path, `# test keys\n${lines.join('\n')}\n`, { mode: 0o600 });
  return path;
}

export interface Front {
  url: string;
  port: number;
  /** Which backend port served each request, in order. */
  servedBy: string[];
  setBackends(urls: string[]): void;
  close(): Promise<void>;
}

/** A request-level round-robin HTTP proxy on loopback: each request goes to the next backend. */
export async function startFront(port = 0): Promise<Front> {
  let backends: URL[] = [];
  let next = 0;
  const servedBy: string[] = [];
  const server: Server = createServer((req, res) => {
    const target = backends[next++ % backends.length]!;
    servedBy.push(target.port);
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent: false,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    servedBy,
    setBackends(urls) {
      backends = urls.map((u) => new URL(u));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Reserves a free loopback port (the front's URL must be known before the services start). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export interface LoginPage {
  status: number;
  headers: Headers;
  html: string;
  cookie: string | undefined;
  request: string | undefined;
}

export async function openLoginPage(authorizeUrl: string): Promise<LoginPage> {
  const res = await fetch(authorizeUrl, { redirect: 'manual' });
  const html = await res.text();
  const setCookie = res.headers.get('set-cookie');
  return {
    status: res.status,
    headers: res.headers,
    html,
    cookie: setCookie ? setCookie.split(';')[0] : undefined,
    request: /name="request" value="([^"]+)"/.exec(html)?.[1],
  };
}

export async function postLogin(
  base: string,
  page: Pick<LoginPage, 'cookie' | 'request'>,
  username: string,
  password: string,
  extraHeaders: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${base}/authorize`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      origin: new URL(base).origin,
      ...(page.cookie ? { cookie: page.cookie } : {}),
      ...extraHeaders,
    },
    body: new URLSearchParams({ request: page.request ?? '', username, password }).toString(),
  });
}

/** The whole browser step: open the page, post the form, return the redirect's URL. */
export async function browserSignIn(authorizeUrl: string, username: string, password: string): Promise<URL> {
  const page = await openLoginPage(authorizeUrl);
  if (page.status !== 200 || !page.request) throw new Error(`login page answered ${page.status}`);
  const res = await postLogin(new URL(authorizeUrl).origin, page, username, password);
  const location = res.headers.get('location');
  if (res.status !== 302 || !location) throw new Error(`sign-in answered ${res.status}`);
  return new URL(location);
}

/** An in-memory OAuthClientProvider (the v1 and v2 SDKs share the interface) whose browser posts the form. */
export class TestOAuthProvider {
  codeFromRedirect: string | undefined;
  /** The whole redirect back (code, state, iss), for clients that check the issuer (RFC 9207). */
  callbackParams: URLSearchParams | undefined;
  lastAuthorizeUrl: URL | undefined;
  private discovery: unknown;
  private info: Record<string, unknown> | undefined;
  private savedTokens: { access_token: string; token_type: string } | undefined;
  private verifier = '';

  constructor(
    private readonly user: { username: string; password: string },
    readonly redirectUrl = 'http://127.0.0.1:53682/callback',
    readonly clientMetadataUrl?: string,
  ) {}

  get clientMetadata() {
    return {
      client_name: 'Test MCP client',
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
  clientInformation() {
    return this.info as never;
  }
  saveClientInformation(info: Record<string, unknown>) {
    this.info = info;
  }
  tokens() {
    return this.savedTokens as never;
  }
  saveTokens(tokens: { access_token: string; token_type: string }) {
    this.savedTokens = tokens;
  }
  async redirectToAuthorization(url: URL) {
    this.lastAuthorizeUrl = url;
    const back = await browserSignIn(url.href, this.user.username, this.user.password);
    this.codeFromRedirect = back.searchParams.get('code') ?? undefined;
    this.callbackParams = back.searchParams;
  }
  saveDiscoveryState(state: unknown) {
    this.discovery = state;
  }
  discoveryState() {
    return this.discovery as never;
  }
  saveCodeVerifier(v: string) {
    this.verifier = v;
  }
  codeVerifier() {
    return this.verifier;
  }
  get accessToken(): string | undefined {
    return this.savedTokens?.access_token;
  }
}
