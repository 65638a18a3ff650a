// XCom tools: the values tasks passed to each other in a run.
import { z } from 'zod';
import type { XcomEntry } from '../airflow/types.js';
import { listOutput, READ } from './annotations.js';
import { defineTool } from './define-tool.js';
import { compact, dagId, hintNotFound, mapIndex, paging, runId, taskId } from './schemas.js';

const xcomKey = z.string().min(1).max(512).describe('e.g. return_value');

function entryBrief(x: XcomEntry) {
  return compact({
    task_id: x.task_id,
    map_index: x.map_index >= 0 ? x.map_index : undefined,
    key: x.key,
    timestamp: x.timestamp,
  });
}

export const xcomTools = [
  defineTool({
    name: 'list_xcom_entries',
    toolset: 'tasks',
    title: 'List XCom entries',
    description: 'List the XCom keys pushed in a DAG run, for one task or all.',
    inputSchema: z.object({
      dag_id: dagId,
      run_id: runId,
      task_id: taskId.optional(),
      key: xcomKey.optional(),
      map_index: mapIndex.optional(),
      ...paging(50),
    }),
    outputSchema: listOutput(),
    annotations: READ,
    async handler({ dag_id, run_id, task_id, ...q }, ctx) {
      const page = await (await ctx.airflow()).listXcomEntries(dag_id, run_id, task_id, q);
      return { ...page, items: page.items.map(entryBrief) };
    },
  }),
  defineTool({
    name: 'get_xcom_entry',
    toolset: 'tasks',
    title: 'Get XCom entry',
    description: 'Get one XCom value a task pushed in a DAG run.',
    inputSchema: z.object({
      dag_id: dagId,
      run_id: runId,
      task_id: taskId,
      key: xcomKey.default('return_value'),
      map_index: mapIndex.default(-1),
    }),
    annotations: READ,
    async handler({ dag_id, run_id, task_id, key, map_index }, ctx) {
      const x = await (await ctx.airflow())
        .getXcomEntry(dag_id, run_id, task_id, key, map_index)
        .catch(hintNotFound('list_xcom_entries'));
      return { dag_id, run_id, ...entryBrief(x), value: x.value ?? null };
    },
  }),
];
