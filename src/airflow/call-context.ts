// What one MCP request hands to the Airflow client: its id, the caller's credentials and a cancellation signal.

export interface InboundCredentials {
  scheme: 'bearer' | 'basic';
  /** The whole Authorization header value, forwarded verbatim. Never logged. */
  header: string;
  /** Set when the credential came out of one of this service's sign-in tokens (AIRFLOW_AUTH_MODE=oauth). */
  via?: 'oauth';
}

export interface CallContext {
  readonly requestId: string;
  /** The caller's credentials (forward mode); undefined when the request had none. */
  readonly credentials: InboundCredentials | undefined;
  /** Aborted when the client disconnects or cancels; upstream calls stop with it. */
  readonly signal: AbortSignal;
}

/** Parses an inbound Authorization header. Returns 'invalid' for a present header we cannot forward. */
export function parseAuthorization(header: string | undefined): InboundCredentials | undefined | 'invalid' {
  if (header === undefined || header === '') return undefined;
  const match = /^(Bearer|Basic) +([A-Za-z0-9\-._~+/]+=*)$/i.exec(header.trim());
  if (!match) return 'invalid';
  const scheme = match[1]!.toLowerCase() as 'bearer' | 'basic';
  return { scheme, header: `${scheme === 'bearer' ? 'Bearer' : 'Basic'} ${match[2]}` };
}
