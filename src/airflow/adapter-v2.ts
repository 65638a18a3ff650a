// Airflow 3 (REST API v2) adapter: the core, ops and admin layers composed into one AirflowAdapter.
import type { AirflowAdapter } from './adapter.js';
import { AdapterV2Admin } from './adapter-v2-admin.js';

export { dagRunV2, dagSummaryV2, logLineV2, taskInstanceV2 } from './adapter-v2-map.js';

export class AdapterV2 extends AdapterV2Admin implements AirflowAdapter {}
