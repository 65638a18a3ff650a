// Readiness: 503 while draining; otherwise 200 with Airflow's reachability (checked in the background, cached).
import type { Request, Response } from 'express';
import type { AirflowClient } from '../airflow/airflow-client.js';

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
    handler(_req: Request, res: Response) {
      if (deps.state.draining) {
        res.status(503).json({ status: 'draining' });
        return;
      }
      // Readiness must not depend on Airflow: replicas that cannot reach it still answer with clear errors.
      if (deps.now() - checkedAt > RECHECK_MS) refresh();
      res.json({
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
