// MCP resources: Airflow version, providers, plugins and config, plus templates for a DAG's source and a task log.
import {
  ProtocolError,
  ProtocolErrorCode,
  type ReadResourceResult,
  ResourceNotFoundError,
  type Server,
} from '@modelcontextprotocol/server';
import type { AirflowAdapter } from '../airflow/adapter.js';
import { AppError } from '../errors.js';
import { linkedAbort } from '../linked-abort.js';
import { readTaskLog } from '../tools/log-reader.js';
import { dagId, runId, taskId } from '../tools/schemas.js';
import type { RequestContext } from './request-context.js';

const JSON_TYPE = 'application/json';

type Reader = (
  airflow: AirflowAdapter,
  params: string[],
  maxBytes: number,
  signal: AbortSignal,
) => Promise<string>;

const STATIC: { uri: string; name: string; title: string; description: string; read: Reader }[] = [
  {
    uri: 'airflow://version',
    name: 'airflow-version',
    title: 'Airflow version',
    description: 'Airflow version and the REST API version in use',
    read: async (a) => JSON.stringify(await a.getVersion()),
  },
  {
    uri: 'airflow://providers',
    name: 'airflow-providers',
    title: 'Installed providers',
    description: 'Provider packages installed in Airflow, with versions',
    read: async (a) => JSON.stringify((await a.listProviders({ limit: 100, offset: 0 })).items),
  },
  {
    uri: 'airflow://plugins',
    name: 'airflow-plugins',
    title: 'Installed plugins',
    description: 'Airflow plugins and what each provides',
    read: async (a) => JSON.stringify((await a.listPlugins({ limit: 100, offset: 0 })).items),
  },
  {
    uri: 'airflow://config',
    name: 'airflow-config',
    title: 'Airflow configuration',
    description:
      'Airflow configuration by section (needs [api] expose_config; secrets are hidden by Airflow)',
    read: async (a) => JSON.stringify(await a.getConfig(undefined)),
  },
];

const TEMPLATES: {
  uriTemplate: string;
  pattern: RegExp;
  name: string;
  title: string;
  description: string;
  mimeType: string;
  read: Reader;
}[] = [
  {
    uriTemplate: 'airflow://dags/{dag_id}/source',
    pattern: /^airflow:\/\/dags\/([^/]+)\/source$/,
    name: 'dag-source',
    title: 'DAG source',
    description: 'Python source of a DAG file',
    mimeType: 'text/x-python',
    read: async (a, [dag], maxBytes) => (await a.getDagSource(dagId.parse(dag), maxBytes)).content,
  },
  {
    uriTemplate: 'airflow://dags/{dag_id}/runs/{run_id}/tasks/{task_id}/logs/{try_number}',
    pattern: /^airflow:\/\/dags\/([^/]+)\/runs\/([^/]+)\/tasks\/([^/]+)\/logs\/([1-9]\d{0,3})$/,
    name: 'task-log',
    title: 'Task log',
    description: 'The tail of one task try’s log (bounded; use get_task_logs to filter or page)',
    mimeType: 'text/plain',
    read: async (a, [dag, run, task, attempt], maxBytes, signal) => {
      const log = await readTaskLog(a, {
        dagId: dagId.parse(dag),
        runId: runId.parse(run),
        taskId: taskId.parse(task),
        tryNumber: Number(attempt),
        tailLines: 2000,
        maxBytes,
        contextLines: 0,
        fetchBudgetBytes: 32 * 1024 * 1024,
        signal,
      });
      return log.lines.join('\n');
    },
  },
];

const LIST_RESULT = {
  resources: STATIC.map(({ uri, name, title, description }) => ({
    uri,
    name,
    title,
    description,
    mimeType: JSON_TYPE,
  })),
};
const TEMPLATES_RESULT = {
  resourceTemplates: TEMPLATES.map(({ uriTemplate, name, title, description, mimeType }) => ({
    uriTemplate,
    name,
    title,
    description,
    mimeType,
  })),
};

function resolve(uri: string): { read: Reader; params: string[]; mimeType: string } | undefined {
  const fixed = STATIC.find((r) => r.uri === uri);
  if (fixed) return { read: fixed.read, params: [], mimeType: JSON_TYPE };
  for (const t of TEMPLATES) {
    const m = t.pattern.exec(uri);
    if (!m) continue;
    try {
      return { read: t.read, params: m.slice(1).map(decodeURIComponent), mimeType: t.mimeType };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Registers the resource handlers on one per-request server; the lists are built once at import. */
export function registerResources(server: Server, rctx: RequestContext, options: { maxOutputBytes: number }) {
  server.setRequestHandler('resources/list', async () => LIST_RESULT);
  server.setRequestHandler('resources/templates/list', async () => TEMPLATES_RESULT);
  server.setRequestHandler('resources/read', async (request, ctx): Promise<ReadResourceResult> => {
    const { uri } = request.params;
    const target = resolve(uri);
    if (!target)
      throw new ResourceNotFoundError(uri, `Unknown resource ${JSON.stringify(uri.slice(0, 200))}.`);
    const linked = linkedAbort([rctx.signal, ctx.mcpReq.signal]);
    const signal = linked.signal;
    try {
      const airflow = await rctx.airflowFor({
        requestId: rctx.requestId,
        credentials: rctx.credentials,
        signal,
      });
      const text = await target.read(airflow, target.params, options.maxOutputBytes, signal);
      return { contents: [{ uri, mimeType: target.mimeType, text }] };
    } catch (error) {
      if (error instanceof AppError) {
        if (error.code === 'not_found') throw new ResourceNotFoundError(uri, error.message);
        throw new ProtocolError(ProtocolErrorCode.InternalError, `${error.code}: ${error.message}`);
      }
      // Identifier validation (zod) failures: the URI names no valid resource.
      if (error instanceof Error && error.name === 'ZodError') {
        throw new ResourceNotFoundError(uri, `Invalid identifier in ${JSON.stringify(uri.slice(0, 200))}.`);
      }
      throw error;
    } finally {
      linked.dispose();
    }
  });
}

export const RESOURCE_CAPABILITIES = { resources: { listChanged: false, subscribe: false } };
