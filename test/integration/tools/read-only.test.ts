// MCP_READ_ONLY=true: every write tool is hidden from tools/list and refused with read_only, and nothing is written.
import { describe, expect, it } from 'vitest';
import { isWriteTool } from '../../../src/tools/define-tool.js';
import { allTools } from '../../../src/tools/index.js';
import { useStack } from './stack.js';

const writeTools = allTools.filter(isWriteTool).map((t) => t.name);
const readTools = allTools.filter((t) => !isWriteTool(t)).map((t) => t.name);

describe('read-only mode', () => {
  const s = useStack('v2', { env: { MCP_READ_ONLY: 'true' } });

  it('knows the write tools it must hide', () => {
    expect(writeTools).toEqual(
      expect.arrayContaining([
        'trigger_dag',
        'trigger_dag_and_wait',
        'delete_dag_run',
        'clear_dag_run',
        'clear_task_instances',
        'set_dag_run_state',
        'set_task_instance_state',
        'pause_dag',
        'unpause_dag',
        'set_variable',
        'delete_variable',
      ]),
    );
    expect(writeTools).toHaveLength(11);
  });

  it('tools/list shows every read tool and no write tool', async () => {
    const names = (await s.client.listTools()).tools.map((t) => t.name);
    expect(names.sort()).toEqual([...readTools].sort());
  });

  it.each(writeTools)('%s is refused with read_only and sends nothing to Airflow', async (tool) => {
    s.sim.resetCalls();
    const err = await s.fails(tool, {
      dag_id: 'etl_daily_sales',
      run_id: 'r',
      task_id: 't',
      key: 'k',
      value: 'v',
    });
    expect(err).toMatchObject({ code: 'read_only', retryable: false });
    expect(s.sim.calls).toHaveLength(0);
  });
});
