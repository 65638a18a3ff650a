// Administration tools: pools, variables, connections (never secrets), config, plugins, providers, version.
import { z } from 'zod';
import type { Pool, SafeConnection, Variable } from '../airflow/types.js';
import { listOutput, READ, write } from './annotations.js';
import { defineTool } from './define-tool.js';
import { clip, compact, hintNotFound, paging } from './schemas.js';

const variableKey = z
  .string()
  .min(1)
  .max(250)
  .regex(/^[A-Za-z0-9_.\-:]+$/, 'must be a variable key (letters, digits, _ . - :)');

/** Airflow's own list of sensitive names: values of variables named like this are never shown. */
const SENSITIVE =
  /access_token|api_key|apikey|authorization|passphrase|passwd|password|private_key|secret|token/i;

export function variableBrief(v: Variable, maxValue = 2000) {
  const hidden = SENSITIVE.test(v.key);
  return compact({
    key: v.key,
    value: hidden ? '***' : clip(v.value, maxValue),
    description: v.description,
    redacted: hidden || undefined,
  });
}

function poolBrief(p: Pool) {
  return compact({
    name: p.name,
    slots: p.slots,
    open: p.open_slots,
    running: p.running_slots,
    queued: p.queued_slots,
    deferred: p.deferred_slots || undefined,
    description: p.description,
  });
}

function connectionBrief(c: SafeConnection) {
  return compact({
    connection_id: c.connection_id,
    conn_type: c.conn_type,
    description: c.description,
    host: c.host,
    port: c.port,
    schema: c.schema,
    login: c.login,
    has_password: c.has_password || undefined,
    extra: c.extra,
    extra_hidden_keys: c.extra_hidden_keys,
  });
}

export const adminTools = [
  defineTool({
    name: 'list_pools',
    toolset: 'admin',
    title: 'List pools',
    description: 'List pools with total, open, running and queued slots.',
    inputSchema: z.object({
      ...paging(50),
      name_pattern: z.string().max(200).optional().describe('SQL LIKE; Airflow 3'),
    }),
    outputSchema: listOutput(),
    annotations: READ,
    async handler(args, ctx) {
      const page = await (await ctx.airflow()).listPools(args);
      return { ...page, items: page.items.map(poolBrief) };
    },
  }),
  defineTool({
    name: 'get_pool',
    toolset: 'admin',
    title: 'Get pool',
    description: 'Get one pool’s slot usage.',
    inputSchema: z.object({ name: z.string().min(1).max(256) }),
    annotations: READ,
    async handler({ name }, ctx) {
      return poolBrief(await (await ctx.airflow()).getPool(name).catch(hintNotFound('list_pools')));
    },
  }),
  defineTool({
    name: 'list_variables',
    toolset: 'variables',
    title: 'List variables',
    description: 'List Airflow variables with clipped values (sensitive ones redacted).',
    inputSchema: z.object({
      ...paging(50),
      key_pattern: z.string().max(200).optional().describe('SQL LIKE; Airflow 3'),
    }),
    outputSchema: listOutput(),
    annotations: READ,
    async handler(args, ctx) {
      const page = await (await ctx.airflow()).listVariables(args);
      return { ...page, items: page.items.map((v) => variableBrief(v, 200)) };
    },
  }),
  defineTool({
    name: 'get_variable',
    toolset: 'variables',
    title: 'Get variable',
    description: 'Get one Airflow variable (sensitive values redacted).',
    inputSchema: z.object({ key: variableKey }),
    annotations: READ,
    async handler({ key }, ctx) {
      const v = await (await ctx.airflow()).getVariable(key).catch(hintNotFound('list_variables'));
      return variableBrief(v, ctx.maxOutputBytes - 512);
    },
  }),
  defineTool({
    name: 'set_variable',
    toolset: 'variables',
    title: 'Set variable',
    description: 'Create or overwrite an Airflow variable.',
    inputSchema: z.object({
      key: variableKey,
      value: z.string().max(65_536).describe('JSON values as a JSON string'),
      description: z.string().max(1000).optional(),
    }),
    annotations: write({ destructive: true, idempotent: true, openWorld: false }),
    async handler({ key, value, description }, ctx) {
      const airflow = await ctx.airflow();
      const { variable, created } = await airflow.setVariable({
        key,
        value,
        description: description ?? null,
      });
      return { ...variableBrief(variable, 200), created };
    },
  }),
  defineTool({
    name: 'delete_variable',
    toolset: 'variables',
    title: 'Delete variable',
    description: 'Delete an Airflow variable; DAGs that read it may fail.',
    inputSchema: z.object({ key: variableKey }),
    annotations: write({ destructive: true, idempotent: true, openWorld: false }),
    async handler({ key }, ctx) {
      await (await ctx.airflow()).deleteVariable(key).catch(hintNotFound('list_variables'));
      return { key, deleted: true };
    },
  }),
  defineTool({
    name: 'list_connections',
    toolset: 'connections',
    title: 'List connections',
    description: 'List Airflow connections without passwords or secret extras.',
    inputSchema: z.object({ ...paging(50) }),
    outputSchema: listOutput(),
    annotations: READ,
    async handler(args, ctx) {
      const page = await (await ctx.airflow()).listConnections(args);
      return { ...page, items: page.items.map(connectionBrief) };
    },
  }),
  defineTool({
    name: 'get_airflow_config',
    toolset: 'admin',
    title: 'Get Airflow config',
    description: 'Get Airflow’s configuration, one section or all (needs [api] expose_config).',
    inputSchema: z.object({
      section: z
        .string()
        .regex(/^[a-z0-9_.]+$/)
        .max(100)
        .optional()
        .describe('e.g. core; default: all'),
    }),
    annotations: READ,
    async handler({ section }, ctx) {
      const sections = await (await ctx.airflow()).getConfig(section);
      return {
        sections: Object.fromEntries(
          sections.map((s) => [s.name, Object.fromEntries(s.options.map((o) => [o.key, o.value]))]),
        ),
      };
    },
  }),
  defineTool({
    name: 'list_plugins',
    toolset: 'admin',
    title: 'List plugins',
    description: 'List installed Airflow plugins and what each provides.',
    inputSchema: z.object({ ...paging(50) }),
    outputSchema: listOutput(),
    annotations: READ,
    async handler(args, ctx) {
      const page = await (await ctx.airflow()).listPlugins(args);
      return { ...page, items: page.items.map((p) => compact({ ...p, provides: p.provides })) };
    },
  }),
  defineTool({
    name: 'list_providers',
    toolset: 'admin',
    title: 'List providers',
    description: 'List installed Airflow provider packages with versions.',
    inputSchema: z.object({ ...paging(100) }),
    outputSchema: listOutput(),
    annotations: READ,
    async handler(args, ctx) {
      const page = await (await ctx.airflow()).listProviders(args);
      return {
        ...page,
        items: page.items.map((p) => compact({ ...p, description: clip(p.description, 120) })),
      };
    },
  }),
  defineTool({
    name: 'get_airflow_version',
    toolset: 'admin',
    title: 'Get Airflow version',
    description: 'Get the Airflow version and the REST API version this server uses.',
    inputSchema: z.object({}),
    outputSchema: z.looseObject({ version: z.string(), api_version: z.enum(['v1', 'v2']) }),
    annotations: READ,
    async handler(_args, ctx) {
      return compact({ ...(await (await ctx.airflow()).getVersion()) });
    },
  }),
];
