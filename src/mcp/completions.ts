// completion/complete for prompt and resource-template arguments: DAG, run and task ids, as the caller sees them.
import type { CompleteResult, Server } from '@modelcontextprotocol/server';
import type { AirflowAdapter } from '../airflow/adapter.js';
import { linkedAbort } from '../linked-abort.js';
import { dagId as dagIdSchema } from '../tools/schemas.js';
import type { RequestContext } from './request-context.js';

/** The spec's cap on values in one answer. */
const MAX_VALUES = 100;
/** A completion is typed interactively: a slow Airflow must not hold the client. */
const TIMEOUT_MS = 5_000;

type Completer = (
  airflow: AirflowAdapter,
  prefix: string,
  context: Record<string, string>,
) => Promise<CompleteResult['completion']>;

function pick(all: readonly string[], prefix: string, moreUpstream: boolean): CompleteResult['completion'] {
  const matching = all.filter((v) => v.startsWith(prefix));
  const values = matching.slice(0, MAX_VALUES);
  return {
    values,
    ...(moreUpstream ? {} : { total: matching.length }),
    hasMore: moreUpstream || matching.length > values.length,
  };
}

/** Only a plausible DAG id reaches Airflow (it becomes a path segment). */
function contextDag(context: Record<string, string>): string | undefined {
  const parsed = dagIdSchema.safeParse(context.dag_id);
  return parsed.success ? parsed.data : undefined;
}

const COMPLETERS: Record<string, Completer> = {
  async dag_id(airflow, prefix) {
    // Airflow filters by substring (SQL LIKE, where _ and % match more): a superset; the prefix match is ours.
    const page = await airflow.listDags({
      limit: MAX_VALUES,
      offset: 0,
      ...(prefix ? { dag_id_pattern: prefix } : {}),
    });
    return pick(
      page.items.map((d) => d.dag_id),
      prefix,
      page.total_entries > page.items.length,
    );
  },
  async run_id(airflow, prefix, context) {
    const dag = contextDag(context);
    if (!dag) return { values: [], total: 0, hasMore: false };
    const page = await airflow.listDagRuns(dag, { limit: MAX_VALUES, offset: 0 });
    return pick(
      page.items.map((r) => r.run_id),
      prefix,
      page.total_entries > page.items.length,
    );
  },
  async task_id(airflow, prefix, context) {
    const dag = contextDag(context);
    if (!dag) return { values: [], total: 0, hasMore: false };
    const tasks = await airflow.listTasks(dag);
    return pick(
      tasks.map((t) => t.task_id),
      prefix,
      false,
    );
  },
};

const EMPTY: CompleteResult = { completion: { values: [], total: 0, hasMore: false } };

/** Registers completion/complete on one per-request server, answering with the caller's own credentials. */
export function registerCompletions(server: Server, rctx: RequestContext): void {
  server.setRequestHandler('completion/complete', async (request, ctx): Promise<CompleteResult> => {
    const { argument, context } = request.params;
    const complete = COMPLETERS[argument.name];
    if (!complete) return EMPTY;
    const prefix = String(argument.value ?? '').slice(0, 250);
    const linked = linkedAbort([rctx.signal, ctx.mcpReq.signal], TIMEOUT_MS);
    try {
      const airflow = await rctx.airflowFor({
        requestId: rctx.requestId,
        credentials: rctx.credentials,
        signal: linked.signal,
      });
      return { completion: await complete(airflow, prefix, context?.arguments ?? {}) };
    } catch (error) {
      // Suggestions are a convenience: a refusal or an outage means no suggestions, not a failed request.
      rctx.logger.debug({ err: error, argument: argument.name }, 'completion failed');
      return EMPTY;
    } finally {
      linked.dispose();
    }
  });
}

export const COMPLETION_CAPABILITIES = { completions: {} };
