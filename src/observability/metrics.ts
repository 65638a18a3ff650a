// Metric definitions (names, labels, buckets) on an injected prom-client Registry, never the global one.
import { Counter, collectDefaultMetrics, Gauge, Histogram, type Registry } from 'prom-client';

export type AuthPath =
  | 'forwarded_bearer'
  | 'forwarded_basic'
  | 'anonymous'
  | 'service_token'
  | 'service_login'
  | 'oauth'
  | 'rejected';

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface BuildInfo {
  version: string;
  nodeVersion: string;
  sdkVersion: string;
}

export function createMetrics(registry: Registry, build: BuildInfo) {
  const p = 'airflow_mcp_';
  const registers = [registry];
  collectDefaultMetrics({ register: registry, prefix: p });
  const metrics = {
    registry,
    httpRequests: new Counter({
      name: `${p}http_requests_total`,
      help: 'HTTP requests served, by method, route template and status code.',
      labelNames: ['method', 'route', 'status'] as const,
      registers,
    }),
    httpDuration: new Histogram({
      name: `${p}http_request_duration_seconds`,
      help: 'HTTP request duration in seconds, by method and route template.',
      labelNames: ['method', 'route'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    rpcRequests: new Counter({
      name: `${p}rpc_requests_total`,
      help: 'JSON-RPC messages received, by method and outcome (ok, error).',
      labelNames: ['rpc_method', 'outcome'] as const,
      registers,
    }),
    toolCalls: new Counter({
      name: `${p}tool_calls_total`,
      help: 'Tool calls, by tool and outcome (ok or an error code).',
      labelNames: ['tool', 'outcome'] as const,
      registers,
    }),
    toolDuration: new Histogram({
      name: `${p}tool_call_duration_seconds`,
      help: 'Tool call duration in seconds, by tool.',
      labelNames: ['tool'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    resourceReads: new Counter({
      name: `${p}resource_reads_total`,
      help: 'resources/read requests, by resource (its listed name, or unknown) and outcome (ok or an error code).',
      labelNames: ['resource', 'outcome'] as const,
      registers,
    }),
    resourceReadDuration: new Histogram({
      name: `${p}resource_read_duration_seconds`,
      help: 'resources/read duration in seconds, by resource.',
      labelNames: ['resource'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    authForwarding: new Counter({
      name: `${p}auth_forwarding_total`,
      help: 'Upstream Airflow calls by the credential path used (token-forwarding paths).',
      labelNames: ['path'] as const,
      registers,
    }),
    upstreamRequests: new Counter({
      name: `${p}upstream_requests_total`,
      help: 'Calls to the Airflow API, by route template and status class (2xx..5xx, error).',
      labelNames: ['route', 'status_class'] as const,
      registers,
    }),
    upstreamDuration: new Histogram({
      name: `${p}upstream_request_duration_seconds`,
      help: 'Airflow API call duration in seconds, by route template.',
      labelNames: ['route'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    upstreamAuthFailures: new Counter({
      name: `${p}upstream_auth_failures_total`,
      help: 'Airflow 401/403 answers, by status and credential path.',
      labelNames: ['status', 'path'] as const,
      registers,
    }),
    sessionHeaderIgnored: new Counter({
      name: `${p}session_header_ignored_total`,
      help: 'Requests that carried an Mcp-Session-Id header; served statelessly anyway.',
      registers,
    }),
    inflight: new Gauge({
      name: `${p}inflight_requests`,
      help: 'MCP requests currently being served.',
      registers,
    }),
    rejected: new Counter({
      name: `${p}rejected_requests_total`,
      help: 'Requests refused before reaching MCP handling, by reason.',
      labelNames: ['reason'] as const,
      registers,
    }),
    upstreamRetries: new Counter({
      name: `${p}upstream_retries_total`,
      help: 'Retries of idempotent Airflow calls after a transient failure (bounded by a retry budget).',
      registers,
    }),
    upstreamShortCircuited: new Counter({
      name: `${p}upstream_short_circuited_total`,
      help: 'Airflow calls refused at once because the circuit breaker was open.',
      registers,
    }),
    upstreamBreakerState: new Gauge({
      name: `${p}upstream_breaker_state`,
      help: 'Circuit breaker in front of Airflow: 0 closed, 1 half-open, 2 open.',
      registers,
    }),
    buildInfo: new Gauge({
      name: `${p}build_info`,
      help: 'Build information; always 1.',
      labelNames: ['version', 'node_version', 'sdk_version'] as const,
      registers,
    }),
    airflowInfo: new Gauge({
      name: `${p}airflow_info`,
      help: 'Detected Airflow API version and Airflow release; always 1.',
      labelNames: ['api_version', 'airflow_version'] as const,
      registers,
    }),
  };
  metrics.buildInfo.set(
    { version: build.version, node_version: build.nodeVersion, sdk_version: build.sdkVersion },
    1,
  );
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;
