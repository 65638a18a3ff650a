// The Airflow client's options from the settings: the one place that knows which settings it needs.
import type { AirflowOptions } from '../airflow/airflow-client.js';
import type { Settings } from './settings.js';

function authOf(s: Settings): AirflowOptions['auth'] {
  switch (s.airflowAuthMode) {
    case 'token':
      return { mode: 'token', token: s.airflowAuthToken! };
    case 'password':
      return { mode: 'password', username: s.airflowUsername!, password: s.airflowPassword! };
    default:
      return { mode: s.airflowAuthMode };
  }
}

/** `baseUrl`: the URL discovery chose (AIRFLOW_API_URL or Airflow's own configuration). */
export function airflowOptions(s: Settings, baseUrl: string): AirflowOptions {
  return {
    baseUrl,
    uiUrl: s.airflowUiUrl,
    apiVersion: s.airflowApiVersion,
    auth: authOf(s),
    timeoutMs: s.airflowTimeoutMs,
    tls: { verify: s.airflowVerifySsl, caFile: s.airflowCaCert },
    retries: s.airflowRetries,
    retryBudgetRatio: s.airflowRetryBudgetRatio,
    breakerThreshold: s.airflowBreakerThreshold,
    breakerCooldownMs: s.airflowBreakerCooldownMs,
    memoryBudgetBytes: s.upstreamMemoryBudgetBytes,
  };
}
