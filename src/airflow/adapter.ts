// The one adapter interface: everything tools may ask of Airflow, answered in normalised shapes.
import type { UpstreamRequest, UpstreamResponse } from './http-client.js';
import type {
  Asset,
  AssetEvent,
  ClearDagRunInput,
  ClearResult,
  ClearTaskInstancesInput,
  ConfigSection,
  DagDetails,
  DagRun,
  DagStats,
  DagSummary,
  DagWarning,
  EventLog,
  HealthInfo,
  ImportErrorItem,
  ListAssetEventsQuery,
  ListAssetsQuery,
  ListDagRunsQuery,
  ListDagsQuery,
  ListEventLogsQuery,
  ListTaskInstancesQuery,
  ListXcomQuery,
  LogPage,
  LogPageQuery,
  Page,
  PageQuery,
  Plugin,
  Pool,
  Provider,
  SafeConnection,
  TaskDefinition,
  TaskInstance,
  TaskInstanceRef,
  TriggerDagRunInput,
  Variable,
  VersionInfo,
  XcomEntry,
} from './types.js';
import type { UiTarget } from './ui-url.js';

/** Airflow's REST API: v1 is Airflow 2, v2 is Airflow 3. */
export type ApiVersion = 'v1' | 'v2';

/** One authenticated call bound to the current request and API version. */
export type UpstreamCall = (req: UpstreamRequest) => Promise<UpstreamResponse>;

export interface AirflowAdapter {
  readonly apiVersion: ApiVersion;
  getVersion(): Promise<VersionInfo>;
  getHealth(): Promise<HealthInfo>;

  // DAGs and their tasks
  listDags(q: ListDagsQuery): Promise<Page<DagSummary>>;
  getDagDetails(dagId: string): Promise<DagDetails>;
  getDagSource(
    dagId: string,
    maxBytes: number,
  ): Promise<{ dag_id: string; content: string; truncated: boolean }>;
  setDagPaused(dagId: string, paused: boolean): Promise<DagSummary>;
  /** Run counts per state; dagIds undefined pages over all DAGs. */
  getDagStats(dagIds: string[] | undefined, q: PageQuery): Promise<Page<DagStats>>;
  listTasks(dagId: string): Promise<TaskDefinition[]>;
  getTask(dagId: string, taskId: string): Promise<TaskDefinition>;
  listImportErrors(q: PageQuery): Promise<Page<ImportErrorItem>>;
  listDagWarnings(q: PageQuery & { dag_id?: string | undefined }): Promise<Page<DagWarning>>;

  // Runs
  /** dagId undefined lists runs across all DAGs. */
  listDagRuns(dagId: string | undefined, q: ListDagRunsQuery): Promise<Page<DagRun>>;
  getDagRun(dagId: string, runId: string): Promise<DagRun>;
  triggerDagRun(dagId: string, input: TriggerDagRunInput): Promise<DagRun>;
  deleteDagRun(dagId: string, runId: string): Promise<void>;
  clearDagRun(dagId: string, runId: string, input: ClearDagRunInput): Promise<ClearResult>;
  setDagRunState(dagId: string, runId: string, state: 'success' | 'failed' | 'queued'): Promise<DagRun>;

  // Task instances
  /** dagId / runId undefined mean "across all" (Airflow's `~`). */
  listTaskInstances(
    dagId: string | undefined,
    runId: string | undefined,
    q: ListTaskInstancesQuery,
  ): Promise<Page<TaskInstance>>;
  getTaskInstance(dagId: string, runId: string, taskId: string, mapIndex?: number): Promise<TaskInstance>;
  getTaskLogPage(
    dagId: string,
    runId: string,
    taskId: string,
    tryNumber: number,
    q: LogPageQuery,
  ): Promise<LogPage>;
  clearTaskInstances(dagId: string, input: ClearTaskInstancesInput): Promise<ClearResult>;
  setTaskInstanceState(
    dagId: string,
    runId: string,
    taskId: string,
    state: 'success' | 'failed' | 'skipped',
    mapIndex?: number,
  ): Promise<TaskInstanceRef[]>;
  /** taskId undefined lists entries of every task in the run. */
  listXcomEntries(
    dagId: string,
    runId: string,
    taskId: string | undefined,
    q: ListXcomQuery,
  ): Promise<Page<XcomEntry>>;
  getXcomEntry(
    dagId: string,
    runId: string,
    taskId: string,
    key: string,
    mapIndex: number,
  ): Promise<XcomEntry>;

  // Assets (Airflow 2: datasets)
  listAssets(q: ListAssetsQuery): Promise<Page<Asset>>;
  listAssetEvents(q: ListAssetEventsQuery): Promise<Page<AssetEvent>>;
  getUpstreamAssetEvents(dagId: string, runId: string): Promise<AssetEvent[]>;

  // Administration
  listPools(q: PageQuery & { name_pattern?: string | undefined }): Promise<Page<Pool>>;
  getPool(name: string): Promise<Pool>;
  listVariables(q: PageQuery & { key_pattern?: string | undefined }): Promise<Page<Variable>>;
  getVariable(key: string): Promise<Variable>;
  /** Updates the variable, creating it when absent. */
  setVariable(v: Variable): Promise<{ variable: Variable; created: boolean }>;
  deleteVariable(key: string): Promise<void>;
  listConnections(q: PageQuery): Promise<Page<SafeConnection>>;
  getConfig(section: string | undefined): Promise<ConfigSection[]>;
  listPlugins(q: PageQuery): Promise<Page<Plugin>>;
  listProviders(q: PageQuery): Promise<Page<Provider>>;
  listEventLogs(q: ListEventLogsQuery): Promise<Page<EventLog>>;

  /** What a UI link of this Airflow points to (this version's UI routes); refuses links to other hosts. */
  resolveUiUrl(link: string): UiTarget;
}
