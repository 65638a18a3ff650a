// MCP resources: Airflow version, providers, plugins and config, plus templates for a DAG's source and a task log.
import {
  ProtocolError,
  ProtocolErrorCode,
  type ReadResourceResult,
  type Server,
} from '@modelcontextprotocol/server';
import type { z } from 'zod';
import type { AirflowAdapter } from '../airflow/adapter.js';
import { AppError, type ToolErrorBody } from '../errors.js';
import type { Metrics } from '../observability/metrics.js';
import { readTaskLog } from '../tools/log-reader.js';
import { dagId, runId, taskId } from '../tools/schemas.js';
import { openBoundary } from './boundary.js';
import type { RequestContext } from './request-context.js';
import { fitResult } from './tool-result.js';

const JSON_TYPE = 'application/json';

/** JSON resources give a value (serialised and capped like a tool result); text resources give text. */
type Reader = (
  airflow: AirflowAdapter,
  params: string[],
  maxBytes: number,
  signal: AbortSignal,
) => Promise<{ json: unknown } | { text: string }>;

const STATIC: { uri: string; name: string; title: string; description: string; read: Reader }[] = [
  {
    uri: 'airflow://version',
    name: 'airflow-version',
    title: 'Airflow version',
    description: 'Airflow version and the REST API version in use',
    read: async (a) => ({ json: await a.getVersion() }),
  },
  {
    uri: 'airflow://providers',
    name: 'airflow-providers',
    title: 'Installed providers',
    description: 'Provider packages installed in Airflow, with versions',
    read: async (a) => ({ json: (await a.listProviders({ limit: 100, offset: 0 })).items }),
  },
  {
    uri: 'airflow://plugins',
    name: 'airflow-plugins',
    title: 'Installed plugins',
    description: 'Airflow plugins and what each provides',
    read: async (a) => ({ json: (await a.listPlugins({ limit: 100, offset: 0 })).items }),
  },
  {
    uri: 'airflow://config',
    name: 'airflow-config',
    title: 'Airflow configuration',
    description:
      'Airflow configuration by section (needs [api] expose_config; secrets are hidden by Airflow)',
    read: async (a) => ({ json: await a.getConfig(undefined) }),
  },
];

const TEMPLATES: {
  uriTemplate: string;
  pattern: RegExp;
  name: string;
  title: string;
  description: string;
  mimeType: string;
  /** Each captured segment's schema, checked before Airflow is asked. */
  params: readonly (readonly [string, z.ZodType<string>])[];
  read: Reader;
}[] = [
  {
    uriTemplate: 'airflow://dags/{dag_id}/source',
    pattern: /^airflow:\/\/dags\/([^/]+)\/source$/,
    name: 'dag-source',
    title: 'DAG source',
    description: 'Python source of a DAG file',
    mimeType: 'text/x-python',
    params: [['dag_id', dagId]],
    read: async (a, [dag], maxBytes) => ({ text: (await a.getDagSource(dag!, maxBytes)).content }),
  },
  {
    uriTemplate: 'airflow://dags/{dag_id}/runs/{run_id}/tasks/{task_id}/logs/{try_number}',
    pattern: /^airflow:\/\/dags\/([^/]+)\/runs\/([^/]+)\/tasks\/([^/]+)\/logs\/([1-9]\d{0,3})$/,
    name: 'task-log',
    title: 'Task log',
    description: 'The tail of one task try’s log (bounded; use get_task_logs to filter or page)',
    mimeType: 'text/plain',
    params: [
      ['dag_id', dagId],
      ['run_id', runId],
      ['task_id', taskId],
    ],
    read: async (a, [dag, run, task, attempt], maxBytes, signal) => {
      const log = await readTaskLog(a, {
        dagId: dag!,
        runId: run!,
        taskId: task!,
        tryNumber: Number(attempt),
        tailLines: 2000,
        maxBytes,
        contextLines: 0,
        fetchBudgetBytes: 32 * 1024 * 1024,
        signal,
      });
      return { text: log.lines.join('\n') };
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

interface Target {
  /** The metric and access-log label: the resource's or template's listed name. */
  name: string;
  read: Reader;
  params: string[];
  mimeType: string;
}

function notFound(uri: string): AppError {
  return new AppError('not_found', `Unknown resource ${JSON.stringify(uri.slice(0, 200))}.`, {
    hint: 'resources/list and resources/templates/list show the resources this server has.',
  });
}

/** The resource a URI names; an AppError when none does or an identifier in it is not valid. */
function resolve(uri: string): Target {
  const fixed = STATIC.find((r) => r.uri === uri);
  if (fixed) return { name: fixed.name, read: fixed.read, params: [], mimeType: JSON_TYPE };
  for (const t of TEMPLATES) {
    const m = t.pattern.exec(uri);
    if (!m) continue;
    const params: string[] = [];
    for (const [i, raw] of m.slice(1).entries()) {
      let value: string;
      try {
        value = decodeURIComponent(raw);
      } catch {
        throw notFound(uri);
      }
      const spec = t.params[i];
      if (spec) {
        const checked = spec[1].safeParse(value);
        if (!checked.success) {
          throw new AppError(
            'invalid_argument',
            `Invalid ${spec[0]} in ${JSON.stringify(uri.slice(0, 200))}.`,
            {
              hint: `Use the ${spec[0]} exactly as Airflow lists it, percent-encoded in the URI.`,
            },
          );
        }
        value = checked.data;
      }
      params.push(value);
    }
    return { name: t.name, read: t.read, params, mimeType: t.mimeType };
  }
  throw notFound(uri);
}

function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Text cut to `max` bytes (on a character boundary) with the same notice a cut tool result carries. */
function fitText(text: string, max: number): string {
  if (byteLength(text) <= max) return text;
  const notice = {
    code: 'output_truncated',
    message: `Resource cut at ${max} bytes.`,
    hint: 'The resource is larger than this server returns (MAX_OUTPUT_BYTES); use the matching tool to page or filter.',
  };
  const suffix = `\n[${JSON.stringify(notice)}]`;
  return (
    Buffer.from(text, 'utf8')
      .subarray(0, Math.max(0, max - byteLength(suffix)))
      .toString('utf8')
      .replace(/\uFFFD$/, '') + suffix
  );
}

/**
 * The JSON-RPC error for an AppError body. -32602 (Invalid params) for a URI that names nothing or holds an
 * invalid identifier: the SDK's resource-not-found code on every protocol revision (a thrown -32002 would be
 * re-encoded as -32602 anyway). -32603 for everything else, as before; `data` carries the precise code.
 */
export function resourceError(body: ToolErrorBody, uri: string): ProtocolError {
  const invalid = body.code === 'not_found' || body.code === 'invalid_argument';
  return new ProtocolError(
    invalid ? ProtocolErrorCode.InvalidParams : ProtocolErrorCode.InternalError,
    invalid ? body.message : `${body.code}: ${body.message}`,
    { ...body, uri },
  );
}

export interface ResourceOptions {
  maxOutputBytes: number;
  metrics: Metrics;
}

/** Registers the resource handlers on one per-request server; the lists are built once at import. */
export function registerResources(server: Server, rctx: RequestContext, options: ResourceOptions) {
  server.setRequestHandler('resources/list', async () => LIST_RESULT);
  server.setRequestHandler('resources/templates/list', async () => TEMPLATES_RESULT);
  server.setRequestHandler('resources/read', async (request, ctx): Promise<ReadResourceResult> => {
    const { uri } = request.params;
    const known = STATIC.find((r) => r.uri === uri)?.name ?? TEMPLATES.find((t) => t.pattern.test(uri))?.name;
    const boundary = openBoundary(
      { kind: 'resource', name: known ?? 'unknown' },
      rctx,
      ctx.mcpReq.signal,
      options.metrics,
    );
    const signal = boundary.signal;
    try {
      const target = resolve(uri);
      const airflow = await rctx.airflowFor({
        requestId: rctx.requestId,
        credentials: rctx.credentials,
        signal,
      });
      const read = await target.read(airflow, target.params, options.maxOutputBytes, signal);
      const text =
        'json' in read
          ? fitResult(read.json, options.maxOutputBytes).text
          : fitText(read.text, options.maxOutputBytes);
      boundary.finish('ok');
      return { contents: [{ uri, mimeType: target.mimeType, text }] };
    } catch (error) {
      throw resourceError(boundary.fail(error), uri);
    } finally {
      boundary.close();
    }
  });
}

export const RESOURCE_CAPABILITIES = { resources: { listChanged: false, subscribe: false } };
