// The per-request context: built by the HTTP layer for one MCP request and handed explicitly to handlers.
import type { AirflowAdapter } from '../airflow/adapter.js';
import type { CallContext, InboundCredentials } from '../airflow/call-context.js';
import type { Logger } from '../observability/logger.js';
import type { Exposure } from './exposure.js';

/** What the access log and metrics learn while the request is handled. Owned by this request only. */
export interface RequestObservations {
  rpcMethod?: string;
  tool?: string;
  /** The resource read (its listed name, or 'unknown'). */
  resource?: string;
  outcome?: string;
}

export interface RequestContext {
  readonly requestId: string;
  readonly credentials: InboundCredentials | undefined;
  /** Aborted when the HTTP client goes away. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  readonly observed: RequestObservations;
  /** The tools this request may see and call (e.g. narrowed by the URL path); unset = the operator's. */
  readonly exposure?: Exposure;
  /** The Airflow adapter for a call context (same credentials, a possibly narrower signal). */
  airflowFor(call: CallContext): Promise<AirflowAdapter>;
}
