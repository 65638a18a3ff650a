// Airflow 3 (REST API v2) adapter: the core, ops and admin layers composed into one AirflowAdapter.
import type { AirflowAdapter, UpstreamCall } from './adapter.js';
import { AdapterV2Admin } from './adapter-v2-admin.js';
import { parseUiRouteV3, resolveUiUrl, type UiRouteParser, type UiTarget } from './ui-url.js';

export { dagRunV2, dagSummaryV2, logLineV2, taskInstanceV2 } from './adapter-v2-map.js';

export class AdapterV2 extends AdapterV2Admin implements AirflowAdapter {
  protected readonly uiRoutes: UiRouteParser = parseUiRouteV3;

  /** `uiBaseUrls`: this Airflow's URLs (API URL, and the browser-facing one if different) UI links may use. */
  constructor(
    call: UpstreamCall,
    private readonly uiBaseUrls: readonly string[] = [],
  ) {
    super(call);
  }

  resolveUiUrl(link: string): UiTarget {
    return resolveUiUrl(this.uiBaseUrls, link, this.uiRoutes);
  }
}
