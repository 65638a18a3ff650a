// Airflow 3 (REST API v2) adapter: the per-domain parts composed with Airflow 3's dialect.
import type { AirflowAdapter, UpstreamCall } from './adapter.js';
import { adminPart } from './adapter-admin.js';
import { assetsPart } from './adapter-assets.js';
import { dagsPart } from './adapter-dags.js';
import { AIRFLOW3 } from './adapter-dialect.js';
import { runsPart } from './adapter-runs.js';
import { taskInstancesPart } from './adapter-task-instances.js';
import { parseUiRouteV3, resolveUiUrl } from './ui-url.js';

/** `uiBaseUrls`: this Airflow's URLs (API URL, and the browser-facing one if different) UI links may use. */
export function createAdapterV2(call: UpstreamCall, uiBaseUrls: readonly string[] = []): AirflowAdapter {
  return {
    apiVersion: AIRFLOW3.apiVersion,
    resolveUiUrl: (link) => resolveUiUrl(uiBaseUrls, link, parseUiRouteV3),
    ...dagsPart(call, AIRFLOW3),
    ...runsPart(call, AIRFLOW3),
    ...taskInstancesPart(call, AIRFLOW3),
    ...adminPart(call),
    ...assetsPart(call),
  };
}
