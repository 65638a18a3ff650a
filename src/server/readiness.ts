// Readiness: 503 while draining; otherwise 200 with Airflow's reachability (checked in the background, cached).
import type { ServerResponse } from 'node:http';
import type { AirflowClient } from '../airflow/airflow-client.js';
import { sendJson } from './respond.js';

export interface ServiceState {
  draining: boolean;
}

const RECHECK_MS = 10_000;
const PROBE_TIMEOUT_MS = 2_000;

export function createReadiness(deps: {
  state: ServiceState;
  airflow: AirflowClient;
  source: string;
  now: () => number;
}) {
  let reachable: boolean | null = null;
  let checkedAt = 0;
  let checking = false;

  function refresh() {
    if (checking) return;
    checking = true;
    deps.airflow
      .reachable(PROBE_TIMEOUT_MS)
      .then((ok) => {
        reachable = ok;
        checkedAt = deps.now();
      })
      .finally(() => {
        checking = false;
      });
  }

  return {
    handler(res: ServerResponse) {
      if (deps.state.draining) {
        sendJson(res, 503, { status: 'draining' });
        return;
      }
      // Readiness must not depend on Airflow: replicas that cannot reach it still answer with clear errors.
      if (deps.now() - checkedAt > RECHECK_MS) refresh();
      sendJson(res, 200, {
        status: 'ready',
        airflow: {
          reachable,
          source: deps.source,
          checked_at: checkedAt ? new Date(checkedAt).toISOString() : null,
        },
      });
    },
  };
}

export type Readiness = ReturnType<typeof createReadiness>;
