// Walks the tool registry: names, titles, descriptions, annotations, safe defaults, and a tools/list snapshot.
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createToolRegistry } from '../../../src/mcp/tool-registry.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import { isWriteTool } from '../../../src/tools/define-tool.js';
import { allTools } from '../../../src/tools/index.js';
import { BUILD } from '../../../src/version.js';

const registry = (readOnly: boolean) =>
  createToolRegistry(allTools, {
    readOnly,
    maxOutputBytes: 65_536,
    metrics: createMetrics(new Registry(), BUILD),
    now: Date.now,
  });
const listed = registry(false).listResult.tools;
const HINTS = ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const;

/** The parity set other Airflow MCP servers offer, plus the tools this one adds: names are interface. */
const EXPECTED = [
  'explore_dag',
  'diagnose_dag_run',
  'get_system_health',
  'list_dags',
  'get_dag_details',
  'get_dag_source',
  'get_dag_stats',
  'list_dag_warnings',
  'list_import_errors',
  'list_dag_runs',
  'get_dag_run',
  'trigger_dag',
  'trigger_dag_and_wait',
  'delete_dag_run',
  'clear_dag_run',
  'pause_dag',
  'unpause_dag',
  'list_tasks',
  'get_task',
  'get_task_instance',
  'get_task_logs',
  'clear_task_instances',
  'list_pools',
  'get_pool',
  'list_variables',
  'get_variable',
  'list_connections',
  'list_assets',
  'list_asset_events',
  'get_upstream_asset_events',
  'list_plugins',
  'list_providers',
  'get_airflow_config',
  'get_airflow_version',
  'list_task_instances',
  'list_xcom_entries',
  'get_xcom_entry',
  'list_event_logs',
  'set_variable',
  'delete_variable',
  'set_dag_run_state',
  'set_task_instance_state',
  'open_airflow_url',
];

describe('tool registry', () => {
  it('has exactly the promised tools', () => {
    expect(listed.map((t) => t.name).sort()).toEqual([...EXPECTED].sort());
  });

  it.each(listed.map((t) => [t.name, t] as const))('%s is well described and annotated', (name, tool) => {
    expect(name).toMatch(/^[a-z]+(_[a-z0-9]+)*$/);
    expect(tool.title).toMatch(/^[A-Z]/);
    // Starts with what the tool is for: an imperative verb, then the object.
    expect(tool.description).toMatch(
      /^(List|Get|Trigger|Delete|Clear|Set|Pause|Unpause|Count|Check|Find|Understand|Create|Re-run|Mark) /,
    );
    expect(tool.description!.length).toBeLessThanOrEqual(120);
    // Declared with all four hints (the type requires them); listed with the ones that mean something
    // (destructive and idempotent only for tools that write, as the MCP spec says).
    const declared = allTools.find((t) => t.name === name)!.annotations as unknown as Record<string, unknown>;
    for (const hint of HINTS) expect(typeof declared[hint]).toBe('boolean');
    expect(declared.readOnlyHint && declared.destructiveHint).toBe(false);
    const a = tool.annotations as Record<string, unknown>;
    const listedHints = a.readOnlyHint ? ['readOnlyHint', 'openWorldHint'] : HINTS;
    for (const hint of listedHints) expect(a[hint], hint).toBe(declared[hint]);
    expect(tool.inputSchema.type).toBe('object');
    // Argument descriptions add what the name and schema do not say, briefly: the list is paid per conversation.
    for (const [arg, schema] of Object.entries(tool.inputSchema.properties ?? {})) {
      const description = (schema as { description?: string }).description;
      if (description !== undefined) expect(description.length, `${name}.${arg}`).toBeLessThanOrEqual(60);
    }
    if (tool.outputSchema) expect(tool.outputSchema.type).toBe('object');
  });

  it('clears default to a dry run, and task-instance clears to failed tasks only', () => {
    const prop = (tool: string, arg: string) =>
      (listed.find((t) => t.name === tool)!.inputSchema.properties as Record<string, { default?: unknown }>)[
        arg
      ];
    expect(prop('clear_dag_run', 'dry_run')!.default).toBe(true);
    expect(prop('clear_task_instances', 'dry_run')!.default).toBe(true);
    expect(prop('clear_task_instances', 'only_failed')!.default).toBe(true);
    expect(prop('trigger_dag', 'unpause_if_paused')!.default).toBe(false);
  });

  it.each([
    ['delete_dag_run', { destructiveHint: true }],
    ['clear_dag_run', { destructiveHint: true, idempotentHint: false }],
    ['clear_task_instances', { destructiveHint: true, idempotentHint: false }],
    ['set_variable', { destructiveHint: true, idempotentHint: true }],
    ['delete_variable', { destructiveHint: true, idempotentHint: true }],
    ['trigger_dag', { destructiveHint: false, idempotentHint: false, openWorldHint: true }],
    ['pause_dag', { destructiveHint: false, idempotentHint: true }],
  ])('%s carries the annotations its effect calls for', (name, hints) => {
    expect(listed.find((t) => t.name === name)!.annotations).toMatchObject({ readOnlyHint: false, ...hints });
  });

  it('read-only mode lists exactly the tools whose readOnlyHint is true', () => {
    const ro = registry(true);
    expect(ro.listResult.tools.map((t) => t.name)).toEqual(
      allTools.filter((t) => !isWriteTool(t)).map((t) => t.name),
    );
    expect(ro.listResult.tools.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);
  });

  it('tools/list matches the snapshot (names, annotations, schemas are interface)', () => {
    expect(listed).toMatchSnapshot();
  });
});
