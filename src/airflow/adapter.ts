// The one adapter interface: everything tools may ask of Airflow, answered in normalised shapes.
import type { ApiVersion } from './auth-providers.js';
import type { UpstreamRequest, UpstreamResponse } from './http-client.js';
import type {
  DagDetails,
  DagRun,
  DagSummary,
  DagWarning,
  HealthInfo,
  ImportErrorItem,
  ListDagRunsQuery,
  ListDagsQuery,
  LogPage,
  LogPageQuery,
  Page,
  PageQuery,
  TaskInstance,
  TriggerDagRunInput,
  VersionInfo,
} from './types.js';

/** One authenticated call bound to the current request and API version. */
export type UpstreamCall = (req: UpstreamRequest) => Promise<UpstreamResponse>;

export interface AirflowAdapter {
  readonly apiVersion: ApiVersion;
  getVersion(): Promise<VersionInfo>;
  getHealth(): Promise<HealthInfo>;
  listDags(q: ListDagsQuery): Promise<Page<DagSummary>>;
  getDagDetails(dagId: string): Promise<DagDetails>;
  getDagSource(
    dagId: string,
    maxBytes: number,
  ): Promise<{ dag_id: string; content: string; truncated: boolean }>;
  setDagPaused(dagId: string, paused: boolean): Promise<DagSummary>;
  /** dagId undefined lists runs across all DAGs. */
  listDagRuns(dagId: string | undefined, q: ListDagRunsQuery): Promise<Page<DagRun>>;
  getDagRun(dagId: string, runId: string): Promise<DagRun>;
  triggerDagRun(dagId: string, input: TriggerDagRunInput): Promise<DagRun>;
  listTaskInstances(
    dagId: string,
    runId: string,
    q: PageQuery & { state?: string[] | undefined },
  ): Promise<Page<TaskInstance>>;
  getTaskInstance(dagId: string, runId: string, taskId: string, mapIndex?: number): Promise<TaskInstance>;
  getTaskLogPage(
    dagId: string,
    runId: string,
    taskId: string,
    tryNumber: number,
    q: LogPageQuery,
  ): Promise<LogPage>;
  listImportErrors(q: PageQuery): Promise<Page<ImportErrorItem>>;
  listDagWarnings(q: PageQuery): Promise<Page<DagWarning>>;
}
