// Exposure: the operator's toolsets and tool lists, per-request narrowing that never widens, and refusals.
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/settings.js';
import {
  narrowExposure,
  narrowingFromPath,
  operatorExposure,
  UnknownToolsetError,
} from '../../../src/mcp/exposure.js';
import type { RequestContext } from '../../../src/mcp/request-context.js';
import { createToolRegistry } from '../../../src/mcp/tool-registry.js';
import { createLogger } from '../../../src/observability/logger.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import { isWriteTool } from '../../../src/tools/define-tool.js';
import { allTools } from '../../../src/tools/index.js';
import { TOOLSETS } from '../../../src/tools/toolsets.js';
import { BUILD } from '../../../src/version.js';

const names = (set: ReadonlySet<string>) => [...set].sort();
const ofToolsets = (...sets: string[]) =>
  allTools
    .filter((t) => sets.includes(t.toolset))
    .map((t) => t.name)
    .sort();

describe('toolsets', () => {
  it('every tool is in exactly one known toolset, and every toolset has tools', () => {
    for (const t of allTools) expect(TOOLSETS).toContain(t.toolset);
    for (const set of TOOLSETS) expect(ofToolsets(set).length).toBeGreaterThan(0);
  });
});

describe('operator exposure', () => {
  it('exposes everything by default', () => {
    expect(operatorExposure(allTools, { readOnly: false }).names.size).toBe(allTools.length);
  });

  it('MCP_TOOLSETS and MCP_TOOLS add up; MCP_EXCLUDE_TOOLS removes; read-only removes writes', () => {
    const e = operatorExposure(allTools, {
      toolsets: ['dags', 'logs'],
      tools: ['get_pool'],
      excludeTools: ['get_dag_source'],
      readOnly: true,
    });
    const want = [...ofToolsets('dags', 'logs'), 'get_pool']
      .filter((n) => n !== 'get_dag_source')
      .filter((n) => !isWriteTool(allTools.find((t) => t.name === n)!))
      .sort();
    expect(names(e.names)).toEqual(want);
    expect(e.refusal(allTools.find((t) => t.name === 'pause_dag')!)).toBe('read_only');
    expect(e.refusal(allTools.find((t) => t.name === 'get_dag_source')!)).toBe('not_exposed');
    expect(e.refusal(allTools.find((t) => t.name === 'list_pools')!)).toBe('not_exposed');
  });

  it.each([
    [{ toolsets: ['dag'] }, 'Invalid MCP_TOOLSETS: unknown toolset "dag" (toolsets: dags, runs,'],
    [{ tools: ['list_dag'] }, 'Invalid MCP_TOOLS: unknown tool "list_dag"'],
    [{ excludeTools: ['nope'] }, 'Invalid MCP_EXCLUDE_TOOLS: unknown tool "nope"'],
  ])('an unknown name in %j fails start-up with one line naming the setting', (settings, message) => {
    const run = () => operatorExposure(allTools, { readOnly: false, ...settings });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(message);
  });
});

describe('per-request narrowing', () => {
  const base = operatorExposure(allTools, { toolsets: ['dags', 'runs', 'logs'], readOnly: false });

  it('keeps only the named toolsets of those the operator exposes, and never widens', () => {
    const e = narrowExposure(allTools, base, { toolsets: ['runs', 'variables'] });
    expect(names(e.names)).toEqual(ofToolsets('runs'));
    for (const n of e.names) expect(base.names.has(n)).toBe(true);
  });

  it('readOnly hides writes and refuses them as read_only; readOnly=false cannot undo the operator', () => {
    const e = narrowExposure(allTools, base, { readOnly: true });
    expect([...e.names].every((n) => !isWriteTool(allTools.find((t) => t.name === n)!))).toBe(true);
    expect(e.refusal(allTools.find((t) => t.name === 'trigger_dag')!)).toBe('read_only');
    const ro = operatorExposure(allTools, { readOnly: true });
    const undo = narrowExposure(allTools, ro, { readOnly: false, toolsets: ['runs'] });
    expect(undo.readOnly).toBe(true);
    expect(undo.names.has('trigger_dag')).toBe(false);
    expect(undo.refusal(allTools.find((t) => t.name === 'trigger_dag')!)).toBe('read_only');
    expect(undo.refusal(allTools.find((t) => t.name === 'pause_dag')!)).toBe('not_exposed');
  });

  it('no narrowing is the base itself; an unknown toolset is an UnknownToolsetError', () => {
    expect(narrowExposure(allTools, base, {})).toBe(base);
    expect(() => narrowExposure(allTools, base, { toolsets: ['everything'] })).toThrow(UnknownToolsetError);
  });
});

describe('the registry serves a request’s exposure', () => {
  const registry = createToolRegistry(allTools, {
    readOnly: false,
    maxOutputBytes: 65_536,
    metrics: createMetrics(new Registry(), BUILD),
    now: Date.now,
  });
  const narrowed = registry.narrow({ toolsets: ['variables'], readOnly: true });
  const rctx = (exposure = narrowed): RequestContext => ({
    requestId: 'r1',
    credentials: undefined,
    signal: new AbortController().signal,
    logger: createLogger({ level: 'silent', replica: 't' }),
    observed: {},
    exposure,
    airflowFor: () => Promise.reject(new Error('no Airflow in this test')),
  });
  const mcp = { signal: new AbortController().signal, notify: async () => {} };

  it('tools/list holds only the exposed tools, and the JSON is the same list', () => {
    expect(registry.list(narrowed).tools.map((t) => t.name)).toEqual(['list_variables', 'get_variable']);
    expect(JSON.parse(registry.listJson(narrowed))).toEqual(registry.list(narrowed));
    expect(registry.list().tools.length).toBe(allTools.length);
  });

  it.each([
    ['list_dags', 'not_exposed'],
    ['set_variable', 'read_only'],
  ])('calling %s is refused with %s', async (name, code) => {
    const r = await registry.call({ name, arguments: {} }, rctx(), mcp);
    expect(r.isError).toBe(true);
    expect(r.structuredContent).toMatchObject({ code });
  });
});

describe('narrowing from the path below MCP_PATH', () => {
  it.each([
    ['', {}],
    ['/', {}],
    ['/readonly', { readOnly: true }],
    ['/x/dags', { toolsets: ['dags'] }],
    ['/x/dags,runs/', { toolsets: ['dags', 'runs'] }],
    ['/x/dags,logs/readonly', { toolsets: ['dags', 'logs'], readOnly: true }],
  ])('%j → %j', (path, want) => {
    expect(narrowingFromPath(path)).toEqual(want);
  });

  it.each(['/x', '/x/', '/x/,', '/readonly/x/dags', '/x/dags/write', '/other', '/x/a b'])(
    '%j is no MCP path',
    (path) => {
      expect(narrowingFromPath(path)).toBeUndefined();
    },
  );
});
