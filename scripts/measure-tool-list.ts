// Prints the size of the tools/list answer in bytes of JSON: the whole list, each toolset, and each tool.
import { Registry } from 'prom-client';
import { createToolRegistry } from '../src/mcp/tool-registry.js';
import { createMetrics } from '../src/observability/metrics.js';
import { allTools } from '../src/tools/index.js';
import { TOOLSETS } from '../src/tools/toolsets.js';
import { BUILD } from '../src/version.js';

/** The goal from issue 18: every assistant pays for the list on every conversation. */
export const TOOL_LIST_BUDGET_BYTES = 25 * 1024;

export function measureToolList() {
  const registry = createToolRegistry(allTools, {
    readOnly: false,
    maxOutputBytes: 65_536,
    metrics: createMetrics(new Registry(), BUILD),
    now: Date.now,
  });
  const bytes = (e?: Parameters<typeof registry.listJson>[0]) => Buffer.byteLength(registry.listJson(e));
  const toolsets = TOOLSETS.map((toolset) => {
    const exposure = registry.narrow({ toolsets: [toolset] });
    return { toolset, tools: exposure.names.size, bytes: bytes(exposure) };
  });
  const tools = registry
    .list()
    .tools.map((t) => ({ name: t.name, bytes: Buffer.byteLength(JSON.stringify(t)) }));
  return {
    full: { tools: registry.list().tools.length, bytes: bytes() },
    list: registry.list(),
    readOnly: bytes(registry.narrow({ readOnly: true })),
    toolsets,
    tools,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const m = measureToolList();
  const verbose = process.argv.includes('--tools');
  console.log(
    `tools/list: ${m.full.bytes} bytes of JSON for ${m.full.tools} tools (goal ≤ ${TOOL_LIST_BUDGET_BYTES}); read-only: ${m.readOnly} bytes`,
  );
  for (const t of m.toolsets)
    console.log(
      `  ${t.toolset.padEnd(12)} ${String(t.tools).padStart(2)} tools ${String(t.bytes).padStart(6)} bytes`,
    );
  if (verbose)
    for (const t of [...m.tools].sort((a, b) => b.bytes - a.bytes))
      console.log(`  ${t.name.padEnd(28)} ${t.bytes}`);
  if (m.full.bytes > TOOL_LIST_BUDGET_BYTES) process.exitCode = 1;
}
