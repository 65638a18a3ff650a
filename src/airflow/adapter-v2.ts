// Airflow 3 (REST API v2) adapter: the core, ops and admin layers composed into one AirflowAdapter.
import type { AirflowAdapter, UpstreamCall } from './adapter.js';
import { AdapterV2Admin } from './adapter-v2-admin.js';
import { parseUiRouteV3, resolveUiUrl, type UiRouteParser, type UiTarget } from './ui-url.js';

export { dagRunV2, dagSummaryV2, logLineV2, taskInstanceV2 } from './adapter-v2-map.js';

export class AdapterV2 extends AdapterV2Admin implements AirflowAdapter {
  protected readonly uiRoutes: UiRouteParser = parseUiRouteV3;

  /** `baseUrl` is this Airflow's URL, which UI links must point to. */
  constructor(
    call: UpstreamCall,
    private readonly baseUrl?: string,
  ) {
    super(call);
  }

  resolveUiUrl(link: string): UiTarget {
    return resolveUiUrl(this.baseUrl, link, this.uiRoutes);
  }
}
